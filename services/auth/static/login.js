/* riik login page: ID-card through the card reader (the Web eID model), Mobile-ID and Smart-ID
 * status polling. Plain script, no build step; the page works without it except for ID-card. */
/* global document, location */
'use strict';
(function () {
  const main = document.getElementById('main');
  const uid = main.dataset.uid;
  const csrf = main.dataset.csrf;
  const readerUrl = main.dataset.reader;
  const refusals = JSON.parse(document.getElementById('refusals').textContent);
  const texts = JSON.parse(document.getElementById('texts').textContent);
  const base = '/login/' + encodeURIComponent(uid);
  const errorBox = document.getElementById('error');
  const progress = document.getElementById('progress');

  function showError(code, triesLeft) {
    const text = (refusals[code] || refusals.SERVICE_UNAVAILABLE).replace('{n}', String(triesLeft));
    errorBox.textContent = '';
    const h = document.createElement('h2');
    h.textContent = texts.errorTitle;
    const p = document.createElement('p');
    p.textContent = text;
    p.dataset.code = code;
    errorBox.append(h, p);
    progress.textContent = '';
    errorBox.focus();
  }

  async function post(path, body) {
    const response = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
    });
    return response.json();
  }

  function finish(result) {
    if (result.redirect) {
      location.assign(result.redirect);
      return true;
    }
    showError(result.error || 'SERVICE_UNAVAILABLE', result.triesLeft);
    return false;
  }

  const idcardButton = document.getElementById('idcard-login');
  if (idcardButton) {
    idcardButton.hidden = false;
    idcardButton.addEventListener('click', async () => {
      idcardButton.disabled = true;
      errorBox.textContent = '';
      progress.textContent = texts.working;
      try {
        const challenge = await post('/idcard/challenge');
        if (!challenge.nonce) return void finish(challenge);
        let answer;
        try {
          const response = await fetch(readerUrl + '/v1/authenticate', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ challengeNonce: challenge.nonce }),
          });
          answer = await response.json();
        } catch {
          return void showError('READER_MISSING');
        }
        if (!answer.ok) return void showError(answer.error || 'READER_MISSING', answer.triesLeft);
        finish(await post('/idcard', { authToken: answer.token }));
      } catch {
        showError('SERVICE_UNAVAILABLE');
      } finally {
        idcardButton.disabled = false;
      }
    });
  }

  const pending = document.getElementById('pending');
  const methods = document.getElementById('methods');
  async function pollMobile() {
    for (;;) {
      let status;
      try {
        const response = await fetch(base + '/mobile/status', { headers: { 'x-csrf-token': csrf } });
        status = await response.json();
      } catch {
        status = { error: 'SERVICE_UNAVAILABLE' };
      }
      if (status.state === 'RUNNING') continue;
      if (!finish(status)) {
        pending.hidden = true;
        methods.hidden = false;
      }
      return;
    }
  }

  for (const [formId, path] of [
    ['sid-form', '/smartid'],
    ['mid-form', '/mid'],
  ]) {
    const form = document.getElementById(formId);
    if (!form) continue;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errorBox.textContent = '';
      progress.textContent = texts.working;
      const data = Object.fromEntries(new FormData(form));
      delete data.csrf;
      const started = await post(path, data).catch(() => ({ error: 'SERVICE_UNAVAILABLE' }));
      if (!started.verificationCode) return void finish(started);
      document.getElementById('verification-code').textContent = started.verificationCode;
      methods.hidden = true;
      pending.hidden = false;
      progress.textContent = texts.waiting;
      pollMobile();
    });
  }
  if (!pending.hidden) pollMobile();
})();
