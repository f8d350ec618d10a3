import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CardReader, PhoneApp } from '@riik/authn';
import type { EidToken } from '@riik/eid';
import { freePort, PINS, startPhoneApp, startTestEstate, type TestEstate } from './auth/estate.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * A person in a real browser (headless Chromium): logs in to the demo e-service with the card
 * reader's PIN dialog and with the Smart-ID app, and sees the refusals for a wrong PIN, a blocked
 * PIN and a revoked certificate. No sleeps: every step waits for what the person would see.
 */
describe('login in headless Chromium', () => {
  let estate: TestEstate;
  let browser: Browser;
  let context: BrowserContext;
  let reader: CardReader | undefined;
  let readerPort: number;
  let issuer: string;

  /** Swap the card in the reader (a reader holds one card, as a physical one does). */
  async function insert(card: EidToken): Promise<Page> {
    await reader?.close();
    reader = new CardReader({ token: card, allowedOrigins: [issuer] });
    await reader.listen(readerPort);
    const pinPage = await context.newPage();
    await pinPage.goto(reader.pinPageUrl);
    return pinPage;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/test-all.sh does)`);
    readerPort = await freePort();
    const authPort = await freePort();
    estate = await startTestEstate({ authPort, cardReaderUrl: `http://127.0.0.1:${readerPort}` });
    issuer = estate.auth.issuer;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    context = await browser.newContext({ locale: 'en-GB' });
  });
  afterAll(async () => {
    await browser?.close();
    await reader?.close();
    await estate?.close();
  });

  /** A fresh browser profile per login, as a person on another day. */
  async function startLogin(methods: string): Promise<Page> {
    await context.close();
    context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${issuer}/demo?methods=${methods}&lang=en`);
    await page.waitForSelector('h1:has-text("Log in")');
    return page;
  }

  async function cardLogin(page: Page, pinPage: Page, pin: string): Promise<void> {
    await page.click('#idcard-login');
    await pinPage.fill('#pin1', pin);
    await pinPage.click('#ok');
  }

  it('logs in with the ID-card: PIN1 in the card reader dialog', async () => {
    const card = await estate.person('id-card', { idCode: '38001085718' });
    const page = await startLogin('idcard');
    const pinPage = await insert(card);
    await cardLogin(page, pinPage, PINS.pin1);
    const result = await page.waitForSelector('#result');
    expect(await result.textContent()).toContain('Jaak-Kristjan Jõeorg (EE38001085718)');
    expect(await page.textContent('table')).toContain('["idcard"]');
    await page.close();
    await pinPage.close();
  });

  it('shows a wrong PIN with the tries left, then the blocked PIN', async () => {
    const card = await estate.person('id-card');
    const page = await startLogin('idcard');
    const pinPage = await insert(card);
    for (const expected of ['Wrong PIN1. Tries left: 2.', 'Wrong PIN1. Tries left: 1.', 'PIN1 is blocked.']) {
      await cardLogin(page, pinPage, '0000');
      await page.waitForSelector(`#error:has-text("${expected}")`);
    }
    // a blocked PIN stays blocked, even with the right one
    await page.click('#idcard-login');
    await page.waitForSelector('#error [data-code="PIN_BLOCKED"]');
    expect(await page.evaluate('document.activeElement.id')).toBe('error');
    await page.close();
    await pinPage.close();
  });

  it('shows the refusal for a revoked certificate', async () => {
    const card = await estate.person('id-card');
    await estate.caClient.changeStatus(card.certificate('auth').serialHex, 'revoke', 'keyCompromise');
    const page = await startLogin('idcard');
    const pinPage = await insert(card);
    await cardLogin(page, pinPage, PINS.pin1);
    await page.waitForSelector('#error:has-text("Your certificate has been revoked")');
    await page.close();
    await pinPage.close();
  });

  it('logs in with Smart-ID by keyboard alone; the page shows the code the app shows', async () => {
    const phone = await estate.person('smart-id', { givenName: 'Mari', surname: 'Maasikas' });
    const codes: string[] = [];
    const app = await startPhoneApp(estate, phone, codes);
    try {
      const page = await startLogin('smartid');
      // keyboard only: skip link, language switch, then the identification code field
      const focused: string[] = [];
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('Tab');
        focused.push(
          await page.evaluate<string>('document.activeElement.id || document.activeElement.tagName'),
        );
      }
      expect(focused).toEqual(['A', 'A', 'sid-idcode']);
      expect(await page.getAttribute('#sid-idcode', 'id')).toBe(
        await page.getAttribute('label:has-text("Personal identification code")', 'for'),
      );
      await page.keyboard.type(phone.holder.idCode);
      await page.keyboard.press('Enter');
      const result = await page.waitForSelector('#result');
      expect(await result.textContent()).toContain('Mari Maasikas');
      expect(codes).toHaveLength(1);
      expect(await page.textContent('table')).toContain('["smartid"]');
      await page.close();
    } finally {
      await app.stop();
    }
  });

  it('shows the verification code on the page while the phone is asked', async () => {
    const phone = await estate.person('smart-id');
    let release: (pin: string | null) => void = () => undefined;
    let asked: (code: string) => void = () => undefined;
    const shown = new Promise<string>((resolve) => (asked = resolve));
    const app = new PhoneApp({
      kind: 'smart-id',
      token: phone,
      skUrl: `${estate.auth.url}/sk`,
      askPin: (prompt) => {
        asked(prompt.verificationCode);
        return new Promise((r) => (release = r));
      },
    });
    await app.start(PINS.pin1);
    const page = await startLogin('smartid');
    await page.fill('#sid-idcode', phone.holder.idCode);
    await page.click('#sid-form button[type=submit]');
    try {
      const code = await shown;
      await page.waitForSelector(`#verification-code:has-text("${code}")`);
      await page.screenshot({ path: `${estate.dir}/smart-id-code.png` });
      release(null); // the person refuses on the phone
      await page.waitForSelector('#error:has-text("You cancelled the login on your phone")');
      await page.close();
    } finally {
      await app.stop();
    }
  });
});
