/** The login page's languages: Estonian (default) and English. */
export type Lang = 'et' | 'en';

export function pickLang(...candidates: Array<string | null | undefined>): Lang {
  for (const c of candidates) {
    for (const tag of (c ?? '').split(/[\s,]+/)) {
      const base = tag.trim().toLowerCase().slice(0, 2);
      if (base === 'et' || base === 'en') return base;
    }
  }
  return 'et';
}

const TEXT = {
  title: { et: 'Sisselogimine', en: 'Log in' },
  intro: { et: 'Tuvasta ennast, et jätkata teenusesse', en: 'Prove who you are to continue to' },
  skip: { et: 'Jätka põhisisu juurde', en: 'Skip to main content' },
  language: { et: 'Keel', en: 'Language' },
  otherLang: { et: 'In English', en: 'Eesti keeles' },
  methods: { et: 'Sisselogimise viisid', en: 'Ways to log in' },
  idcard: { et: 'ID-kaart', en: 'ID-card' },
  idcardHelp: {
    et: 'Sisesta kaart lugejasse ja käivita kaardilugeja rakendus (riik card-reader). PIN1 küsitakse kaardilugeja aknas.',
    en: 'Put your card in the reader and start the card reader app (riik card-reader). It asks for your PIN1 in its own window.',
  },
  idcardButton: { et: 'Logi sisse ID-kaardiga', en: 'Log in with ID-card' },
  smartid: { et: 'Smart-ID', en: 'Smart-ID' },
  mid: { et: 'Mobiil-ID', en: 'Mobile-ID' },
  idCode: { et: 'Isikukood', en: 'Personal identification code' },
  idCodeHelp: { et: '11 numbrit', en: '11 digits' },
  phone: { et: 'Telefoninumber', en: 'Phone number' },
  phoneHelp: { et: 'Näiteks +37251234567', en: 'For example +37251234567' },
  continue: { et: 'Jätka', en: 'Continue' },
  cancel: { et: 'Katkesta ja naase teenusesse', en: 'Cancel and return to the service' },
  code: { et: 'Kontrollkood', en: 'Verification code' },
  codeHelp: {
    et: 'Kontrolli, et telefonis on sama kood, ja sisesta seal PIN1.',
    en: 'Check that your phone shows the same code, then enter your PIN1 there.',
  },
  waiting: { et: 'Ootan kinnitust telefonist…', en: 'Waiting for your phone…' },
  checkStatus: { et: 'Kontrolli olekut', en: 'Check status' },
  working: { et: 'Palun oota…', en: 'Please wait…' },
  errorTitle: { et: 'Sisselogimine ebaõnnestus', en: 'Login failed' },
  noscript: {
    et: 'ID-kaardiga sisselogimiseks on vaja JavaScripti. Mobiil-ID ja Smart-ID töötavad ka ilma.',
    en: 'Logging in with an ID-card needs JavaScript. Mobile-ID and Smart-ID work without it.',
  },
} as const;

export type TextKey = keyof typeof TEXT;

export function t(lang: Lang, key: TextKey): string {
  return TEXT[key][lang];
}

/** User-facing reasons for every refusal; `{n}` is the number of tries left. */
const REFUSALS: Record<string, { et: string; en: string }> = {
  PIN_INCORRECT: { et: 'Vale PIN1. Katseid jäänud: {n}.', en: 'Wrong PIN1. Tries left: {n}.' },
  PIN_BLOCKED: {
    et: 'PIN1 on blokeeritud. Ava see PUK-koodiga (riik card unblock).',
    en: 'PIN1 is blocked. Unblock it with your PUK (riik card unblock).',
  },
  USER_CANCELLED: { et: 'Sa katkestasid sisselogimise.', en: 'You cancelled the login.' },
  USER_REFUSED: {
    et: 'Sa katkestasid sisselogimise telefonis.',
    en: 'You cancelled the login on your phone.',
  },
  TIMEOUT: { et: 'Aeg sai otsa. Proovi uuesti.', en: 'The time ran out. Please try again.' },
  CERT_REVOKED: {
    et: 'Sinu sertifikaat on tühistatud. Pöördu dokumendi väljaandja poole.',
    en: 'Your certificate has been revoked. Contact the issuer of your document.',
  },
  CERT_SUSPENDED: {
    et: 'Sinu sertifikaat on peatatud. Pöördu dokumendi väljaandja poole.',
    en: 'Your certificate is suspended. Contact the issuer of your document.',
  },
  CERT_EXPIRED: { et: 'Sinu sertifikaat on aegunud.', en: 'Your certificate has expired.' },
  CERT_NOT_YET_VALID: { et: 'Sinu sertifikaat ei kehti veel.', en: 'Your certificate is not valid yet.' },
  CERT_UNTRUSTED: {
    et: 'Sertifikaadi väljaandja ei ole usaldatud.',
    en: 'The certificate was not issued by a trusted authority.',
  },
  CERT_POLICY: {
    et: 'Selle sertifikaadiga ei saa siin sisse logida.',
    en: 'This certificate cannot be used to log in here.',
  },
  CERT_PURPOSE: {
    et: 'See ei ole isikutuvastuse sertifikaat.',
    en: 'This is not an authentication certificate.',
  },
  CERT_DECODING: { et: 'Kaardi vastust ei õnnestunud lugeda.', en: "The card's answer could not be read." },
  TOKEN_PARSE: { et: 'Kaardi vastust ei õnnestunud lugeda.', en: "The card's answer could not be read." },
  TOKEN_FORMAT: { et: 'Kaardi vastust ei õnnestunud lugeda.', en: "The card's answer could not be read." },
  ALGORITHM_UNSUPPORTED: {
    et: 'Kaardi allkirja ei õnnestunud kontrollida.',
    en: "The card's signature could not be checked.",
  },
  SIGNATURE_INVALID: {
    et: 'Allkiri ei vasta sellele sisselogimisele. Alusta uuesti.',
    en: 'The signature does not match this login. Please start again.',
  },
  OCSP_FAILED: {
    et: 'Sertifikaadi kehtivust ei õnnestunud kontrollida. Proovi hiljem uuesti.',
    en: 'The certificate status could not be checked. Please try again later.',
  },
  CHALLENGE_MISSING: {
    et: 'Sisselogimise seanss on aegunud või juba kasutatud. Alusta uuesti.',
    en: 'This login attempt has expired or was already used. Please start again.',
  },
  READER_MISSING: {
    et: 'Kaardilugeja rakendus ei vasta. Käivita: riik card-reader --token <fail>',
    en: 'The card reader app does not answer. Start it: riik card-reader --token <file>',
  },
  BUSY: { et: 'Kaardilugeja on hõivatud.', en: 'The card reader is busy.' },
  NO_ACCOUNT: { et: 'Sellel isikul ei ole Smart-ID kontot.', en: 'This person has no Smart-ID account.' },
  NOT_MID_CLIENT: {
    et: 'Isikukood ja telefoninumber ei kuulu samale Mobiil-ID kasutajale.',
    en: 'The code and phone number do not belong to one Mobile-ID user.',
  },
  DOCUMENT_UNUSABLE: {
    et: 'Smart-ID konto ei ole kasutatav (PIN võib olla blokeeritud).',
    en: 'The Smart-ID account cannot be used (its PIN may be blocked).',
  },
  SIM_ERROR: {
    et: 'Mobiil-ID SIM-kaardi viga (PIN võib olla blokeeritud).',
    en: 'Mobile-ID SIM error (its PIN may be blocked).',
  },
  PHONE_ABSENT: { et: 'Telefon ei ole kättesaadav.', en: 'The phone cannot be reached.' },
  SIGNATURE_HASH_MISMATCH: {
    et: 'Telefoni allkiri ei vasta päringule.',
    en: "The phone's signature does not match the request.",
  },
  WRONG_VC: { et: 'Valiti vale kontrollkood.', en: 'The wrong verification code was chosen.' },
  PERSON_MISMATCH: {
    et: 'Allkirjastaja ei ole see isik, kelle koodi sisestasid.',
    en: 'The signer is not the person whose code you entered.',
  },
  BAD_ID_CODE: {
    et: 'See ei ole korrektne isikukood.',
    en: 'This is not a valid personal identification code.',
  },
  BAD_PHONE: { et: 'Sisesta telefoninumber kujul +372…', en: 'Enter the phone number as +372…' },
  METHOD_NOT_ALLOWED: {
    et: 'See sisselogimise viis ei ole siin lubatud.',
    en: 'This way of logging in is not allowed here.',
  },
  RATE_LIMITED: {
    et: 'Liiga palju katseid. Oota minut ja proovi uuesti.',
    en: 'Too many attempts. Wait a minute and try again.',
  },
  SERVICE_UNAVAILABLE: {
    et: 'Teenus ei ole praegu kättesaadav. Proovi hiljem uuesti.',
    en: 'The service is not available right now. Please try again later.',
  },
};

export function refusalMessage(lang: Lang, code: string, triesLeft?: number): string {
  const text = (REFUSALS[code] ?? REFUSALS.SERVICE_UNAVAILABLE!)[lang];
  return text.replace('{n}', String(triesLeft ?? '?'));
}

/** The whole refusal table in one language, for the page's script. */
export function refusalTable(lang: Lang): Record<string, string> {
  return Object.fromEntries(Object.entries(REFUSALS).map(([k, v]) => [k, v[lang]]));
}
