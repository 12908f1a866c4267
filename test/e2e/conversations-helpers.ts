// Helpers for the conversation browser tests (SPEC §7): a plain socket "bot" that writes into a
// room as another app would, and an axe-core check of the page as it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { api, joinAs, type ChatClient } from '../helpers/chat.js';

export interface StoredMessage {
  id: string;
  seq: number;
  name: string;
  msg: string;
  reply_to?: { id: string; seq: number; name: string; excerpt: string };
  reactions?: Record<string, string[]>;
  mentions?: string[];
}

/** Sends each text (with any extra fields) and waits until the server acked them all. */
export async function post(bot: ChatClient, items: (string | { msg: string; reply_to?: string })[]): Promise<void> {
  const from = bot.events.length;
  const ids = items.map((_, i) => `c${from}-${i}-${Math.random().toString(36).slice(2)}`);
  items.forEach((it, i) => bot.send({ event_type: 'send', color: '#0f766e', client_id: ids[i], ...(typeof it === 'string' ? { msg: it } : it) }));
  for (const id of ids) {
    const ev = await bot.next((e) => (e.event_type === 'ack' && e.client_id === id) || e.event_type === 'error', 15_000, from);
    assert.equal(ev.event_type, 'ack', `the bot's message was stored: ${JSON.stringify(ev)}`);
  }
}

/** A bot joined to a room, as a plain WebSocket client. */
export const bot = (wsUrl: string, room: number, name: string) => joinAs(wsUrl, room, name, { color: '#0f766e' });

/** The room's stored messages, oldest first (up to 200 around the newest). */
export async function history(url: string, room: number, query = 'limit=200'): Promise<StoredMessage[]> {
  const r = await api<{ messages: StoredMessage[] }>(url, 'GET', `/chats/${room}/messages?${query}`);
  assert.equal(r.status, 200);
  return r.body.messages;
}

const require = createRequire(import.meta.url);

/** axe-core's serious and critical findings on the page as it is now (none expected). */
export async function axeProblems(page: Page): Promise<string[]> {
  let source: string;
  try {
    source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  } catch {
    throw new Error('axe-core is not installed: npm install (it is a devDependency of the web app tests)');
  }
  await page.evaluate(source);
  const found = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`)) as { id: string; impact: string; nodes: string[] }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

/** The message article in the log whose text is exactly `text`. */
export const article = (page: Page, text: string) =>
  page.getByRole('log', { name: 'Messages' }).locator('article').filter({ has: page.locator('.text', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });

/** Whether the element is inside the visible part of the message log. */
export async function inView(page: Page, text: string): Promise<boolean> {
  return article(page, text).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const view = el.closest('[role="log"]')!.getBoundingClientRect();
    return box.bottom > view.top + 4 && box.top < view.bottom - 4;
  });
}
