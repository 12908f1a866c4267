// Shared setup for the browser tests: Debian's Chromium driven by playwright-core, a real server
// from test/helpers/server.ts serving the built web app, and small steps a person would take.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(root, 'test-artifacts');
export const SCREENSHOTS = join(root, 'docs', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * Why the browser tests cannot run here, or undefined when they can. Without Chromium or a built
 * app they are skipped on a developer's machine, and fail in CI (which installs and builds both).
 */
export function unavailable(): string | undefined {
  let why: string | undefined;
  if (!existsSync(CHROMIUM)) why = `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  else if (!existsSync(join(root, 'web', 'dist', 'index.html')))
    why = 'web/dist is not built: run `npm run build:web` first (npm test does it in pretest)';
  if (why && process.env.CI) throw new Error(`${why}; CI must run the browser tests`);
  return why;
}

export interface Rig {
  browser: Browser;
  /** Replace it when a test restarts the server, so close() stops the live one. */
  server: TestServer;
  /** Everyone person() opened: close() fails the suite if any saw a script error. */
  people: Person[];
  close(): Promise<void>;
}

/**
 * Console errors that are the browser reporting network outcomes a test provokes on purpose (a
 * refused token, a stopped server), not the app's own errors.
 */
const NETWORK_NOISE = [/^Failed to load resource: /, /^WebSocket connection to '.*' failed/];

/** `opts` go to the server, e.g. `{ env: { … } }` to run it with limits the default test server turns off. */
export async function startRig(opts: StartOptions = {}): Promise<Rig> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const [browser, server] = await Promise.all([
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
    startServer(opts),
  ]);
  const rig: Rig = {
    browser,
    server,
    people: [],
    async close() {
      await browser.close().catch(() => {});
      // rig.server, not the first one: a test may have restarted it.
      await rig.server.dispose();
      // An after() hook that throws fails the suite: no test can forget to look.
      const errors = rig.people.flatMap((p) => p.errors);
      if (errors.length > 0) throw new Error(`script errors or CSP violations in the browser:\n${errors.join('\n')}`);
    },
  };
  return rig;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors, console.error calls and CSP violations, for asserting a clean run. */
  errors: string[];
}

/** A new browser profile (its own localStorage) at the lobby. */
export async function person(rig: Rig, opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<Person> {
  const context = await rig.browser.newContext({
    baseURL: rig.server.url,
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? 'light',
    locale: 'en-GB',
    timezoneId: 'Europe/Paris',
    reducedMotion: 'reduce',
    // A phone-sized screen is a touch screen: no hover, and the meta viewport applies.
    ...(opts.viewport === PHONE && { isMobile: true, hasTouch: true, deviceScaleFactor: 1 }),
  });
  context.setDefaultTimeout(10_000);
  // A CSP violation is an event in the page; reported as a console error, it is caught below.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`),
    );
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || NETWORK_NOISE.some((re) => re.test(msg.text()))) return;
    errors.push(`console.error: ${msg.text()}`);
  });
  await page.goto('/');
  const p = { context, page, errors };
  rig.people.push(p);
  return p;
}

/** The README's pictures are refreshed only on request, so a test run leaves the tree clean. */
const UPDATE_DOCS = process.env.CHITCHAT_UPDATE_SCREENSHOTS === '1';

export async function shot(page: Page, name: string, forDocs = false): Promise<void> {
  const alsoDocs = forDocs && UPDATE_DOCS;
  if (alsoDocs) await page.mouse.move(1, 1); // no hover effects in the README's pictures
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  if (alsoDocs) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }
}

/** Fills the lobby's create form and submits; the creator lands in the new room, where the owner
 * key is shown once: returns it, closes that dialog and waits until the chat is live. */
export async function createRoom(
  page: Page,
  room: { title: string; description?: string; visibility?: 'public' | 'private' | 'hidden'; password?: string; name: string },
): Promise<string> {
  const form = page.getByRole('form', { name: 'Create a room' });
  if (!(await form.isVisible())) {
    await page.evaluate("location.hash = '#/'");
    await form.waitFor();
  }
  await form.getByLabel('Room title').fill(room.title);
  if (room.description) await form.getByLabel('Description (optional)').fill(room.description);
  if (room.visibility) await form.getByLabel('Visibility').selectOption(room.visibility);
  if (room.password) await form.getByLabel('Room password').fill(room.password);
  await form.getByLabel('Your name').fill(room.name);
  await form.getByRole('button', { name: 'Create room' }).click();
  const dialog = page.getByRole('dialog', { name: /is ready/ });
  const key = dialog.getByLabel('Owner key');
  await key.waitFor();
  const value = await key.inputValue();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await waitLive(page);
  return value;
}

/** At a room's entrance: name (and password), then in; waits until the chat is live. */
export async function enter(page: Page, who: { name: string; password?: string; color?: string }): Promise<void> {
  await page.getByLabel('Your name').fill(who.name);
  if (who.color) await page.getByRole('radio', { name: who.color }).check();
  if (who.password !== undefined) await page.getByLabel('Room password').fill(who.password);
  await page.getByRole('button', { name: 'Enter room' }).click();
  await waitLive(page);
}

export async function waitLive(page: Page): Promise<void> {
  await page.getByRole('status').filter({ hasText: 'Connection:' }).filter({ hasText: 'Live' }).waitFor();
}

export async function say(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** The message log (role=log). */
export const log = (page: Page) => page.getByRole('log', { name: 'Messages' });

/** Texts of the messages in the log, in order, as the reader sees them. */
export async function messageTexts(page: Page): Promise<string[]> {
  return log(page).locator('article .text').allInnerTexts();
}

export const waitFor = (cond: () => Promise<boolean>, what: string, ms = 10_000) => until(cond, what, ms, 100);
