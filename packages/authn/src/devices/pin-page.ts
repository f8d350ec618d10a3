/**
 * The card reader's PIN dialog as a page of its own origin (the Web eID native app's PIN
 * window). Its key travels in the URL fragment, so it never reaches logs or Referer headers.
 */
export const PIN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>riik card reader – PIN1</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 30rem; padding: 0 1rem; color: #111; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input { font-size: 1.25rem; padding: .4rem; width: 10rem; }
button { font-size: 1rem; padding: .5rem 1rem; margin: 1rem .5rem 0 0; }
:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.error { color: #a51d2d; font-weight: 600; }
</style>
</head>
<body>
<main>
<h1>riik card reader</h1>
<p id="status" role="status" aria-live="polite">Waiting for a login request…</p>
<form id="form" hidden>
  <p id="what"></p>
  <p id="tries" class="error" role="alert"></p>
  <label for="pin1">PIN1</label>
  <input id="pin1" name="pin1" type="password" inputmode="numeric" autocomplete="off" required minlength="4" maxlength="12" pattern="[0-9]{4,12}">
  <div><button id="ok" type="submit">Authenticate</button><button id="cancel" type="button">Cancel</button></div>
</form>
</main>
<script>
'use strict';
const key = location.hash.slice(1);
const form = document.getElementById('form');
const status = document.getElementById('status');
let current = null;
async function api(body) {
  const r = await fetch('/pin/api', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, ...body }) });
  return r.json();
}
async function poll() {
  try {
    const { request } = await api({});
    if (request && (!current || current.id !== request.id)) {
      current = request;
      document.getElementById('what').textContent = request.origin + ' asks to authenticate ' + request.holder + '.';
      document.getElementById('tries').textContent = request.triesLeft !== undefined ? 'Tries left: ' + request.triesLeft : '';
      status.textContent = 'Enter PIN1 to log in.';
      form.hidden = false;
      document.getElementById('pin1').focus();
    } else if (!request && current) {
      current = null;
      form.hidden = true;
      status.textContent = 'Waiting for a login request…';
    }
  } catch (e) {
    status.textContent = 'The card reader is not answering.';
  }
  setTimeout(poll, 400);
}
async function finish(body) {
  const id = current && current.id;
  if (!id) return;
  form.hidden = true;
  current = null;
  const result = await api({ id, ...body });
  status.textContent = result.ok ? 'Done: you can return to the login page.' :
    result.error === 'PIN_INCORRECT' ? 'Wrong PIN1. Tries left: ' + result.triesLeft :
    result.error === 'PIN_BLOCKED' ? 'PIN1 is blocked. Unblock it with the PUK.' : 'Cancelled.';
}
form.addEventListener('submit', (e) => { e.preventDefault(); const pin = document.getElementById('pin1').value; document.getElementById('pin1').value = ''; finish({ pin }); });
document.getElementById('cancel').addEventListener('click', () => finish({ cancel: true }));
poll();
</script>
</body>
</html>
`;
