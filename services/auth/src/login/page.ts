import { refusalTable, t, type Lang } from './i18n.js';

export type LoginMethod = 'idcard' | 'smartid' | 'mid';

export interface LoginPageModel {
  lang: Lang;
  uid: string;
  csrf: string;
  clientName: string;
  methods: LoginMethod[];
  cardReaderUrl: string;
  /** A refusal to show (server-side, for the no-script path). */
  error?: string;
  /** A Mobile-ID / Smart-ID login waiting for the phone. */
  pending?: { method: 'smartid' | 'mid'; verificationCode: string };
  /** Values to keep in the forms after a refusal. */
  idCode?: string;
  phone?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** JSON inside <script type="application/json">: `<` escaped so no tag can close the element. */
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function layout(lang: Lang, title: string, body: string, extraHead = ''): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} – riik</title>
<link rel="stylesheet" href="/static/login.css">
${extraHead}</head>
<body>
<a class="skip" href="#main">${esc(t(lang, 'skip'))}</a>
${body}
</body>
</html>
`;
}

function csrfField(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
}

/**
 * The login page: server-rendered, one heading per method, labelled fields, an alert region
 * for refusals and a polite live region for progress; works by keyboard alone in document
 * order. ID-card needs the script (it talks to the card reader); Mobile-ID and Smart-ID work
 * without it.
 */
export function renderLoginPage(m: LoginPageModel): string {
  const L = (k: Parameters<typeof t>[1]) => esc(t(m.lang, k));
  /** The identification code field of the Smart-ID or Mobile-ID form, with its label and help. */
  const idCodeField = (form: 'sid' | 'mid') => `<label for="${form}-idcode">${L('idCode')}</label>
<input id="${form}-idcode" name="idCode" inputmode="numeric" autocomplete="off" pattern="[0-9]{11}" maxlength="11" required aria-describedby="${form}-idcode-help" value="${esc(m.idCode ?? '')}">
<p class="help" id="${form}-idcode-help">${L('idCodeHelp')}</p>`;
  const other: Lang = m.lang === 'et' ? 'en' : 'et';
  const base = `/login/${encodeURIComponent(m.uid)}`;
  const sections: string[] = [];
  if (m.methods.includes('idcard')) {
    sections.push(`<section aria-labelledby="idcard-h">
<h2 id="idcard-h">${L('idcard')}</h2>
<p id="idcard-help">${L('idcardHelp')}</p>
<noscript><p>${L('noscript')}</p></noscript>
<button type="button" id="idcard-login" aria-describedby="idcard-help" hidden>${L('idcardButton')}</button>
</section>`);
  }
  if (m.methods.includes('smartid')) {
    sections.push(`<section aria-labelledby="sid-h">
<h2 id="sid-h">${L('smartid')}</h2>
<form id="sid-form" method="post" action="${base}/smartid" novalidate>
${csrfField(m.csrf)}
${idCodeField('sid')}
<button type="submit">${L('continue')}</button>
</form>
</section>`);
  }
  if (m.methods.includes('mid')) {
    sections.push(`<section aria-labelledby="mid-h">
<h2 id="mid-h">${L('mid')}</h2>
<form id="mid-form" method="post" action="${base}/mid" novalidate>
${csrfField(m.csrf)}
${idCodeField('mid')}
<label for="mid-phone">${L('phone')}</label>
<input id="mid-phone" name="phone" type="tel" autocomplete="tel" required aria-describedby="mid-phone-help" value="${esc(m.phone ?? '')}">
<p class="help" id="mid-phone-help">${L('phoneHelp')}</p>
<button type="submit">${L('continue')}</button>
</form>
</section>`);
  }
  const pending = m.pending;
  const body = `<header>
<p class="brand">riik</p>
<nav aria-label="${L('language')}"><a href="${base}?lang=${other}" lang="${other}" hreflang="${other}">${esc(t(m.lang, 'otherLang'))}</a></nav>
</header>
<main id="main" data-uid="${esc(m.uid)}" data-csrf="${esc(m.csrf)}" data-reader="${esc(m.cardReaderUrl)}" data-lang="${m.lang}">
<h1>${L('title')}</h1>
<p>${L('intro')} <strong>${esc(m.clientName)}</strong>.</p>
<div id="error" class="error" role="alert" tabindex="-1">${m.error ? `<h2>${L('errorTitle')}</h2><p>${esc(m.error)}</p>` : ''}</div>
<p id="progress" class="progress" role="status" aria-live="polite"></p>
<section id="pending" aria-labelledby="pending-h"${pending ? '' : ' hidden'}>
<h2 id="pending-h">${L('code')}</h2>
<p class="code" id="verification-code">${esc(pending?.verificationCode ?? '')}</p>
<p>${L('codeHelp')}</p>
<p>${L('waiting')}</p>
<form method="post" action="${base}/mobile/continue">${csrfField(m.csrf)}<noscript><button type="submit">${L('checkStatus')}</button></noscript></form>
</section>
<div id="methods"${pending ? ' hidden' : ''}>
<h2 class="visually-hidden">${L('methods')}</h2>
${sections.join('\n')}
</div>
<form method="post" action="${base}/cancel" class="cancel">${csrfField(m.csrf)}<button type="submit" class="link">${L('cancel')}</button></form>
</main>
<script type="application/json" id="refusals">${jsonForHtml(refusalTable(m.lang))}</script>
<script type="application/json" id="texts">${jsonForHtml({ working: t(m.lang, 'working'), waiting: t(m.lang, 'waiting'), errorTitle: t(m.lang, 'errorTitle') })}</script>
<script src="/static/login.js" defer></script>`;
  return layout(
    m.lang,
    t(m.lang, 'title'),
    body,
    pending ? `<meta name="riik-pending" content="${pending.method}">\n` : '',
  );
}

/** A page for errors outside a login form (unknown or expired login, provider errors). */
export function renderErrorPage(lang: Lang, message: string, detail?: string): string {
  return layout(
    lang,
    t(lang, 'errorTitle'),
    `<main id="main"><h1>${esc(t(lang, 'errorTitle'))}</h1><p role="alert">${esc(message)}</p>${
      detail ? `<p><code>${esc(detail)}</code></p>` : ''
    }</main>`,
  );
}
