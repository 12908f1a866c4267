// The v3 deployment settings (SPEC §6): CHITCHAT_TRUST_PROXY in each of its forms, CHITCHAT_PUBLIC_URL
// reduced to an origin, the new limits' defaults; bad values stop the start with a message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { compileTrust } from '../../src/http/site.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'chitchat-secconfig-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const load = (env: Record<string, string>) => loadConfig({ CHITCHAT_DATA_DIR: dataDir, ...env }, [], dataDir);

test('defaults: no proxy trusted, no public URL, 200 connections and 120 upgrades a minute per address, 30 s stall', () => {
  const c = load({});
  assert.equal(c.trustProxy, false);
  assert.equal(c.publicUrl, undefined);
  assert.equal(c.limits.connectionsPerAddress, 200);
  assert.equal(c.limits.connectsPerMinute, 120);
  assert.equal(c.replayStallMs, 30_000);
});

test('CHITCHAT_TRUST_PROXY: true, false, a hop count, a list of addresses and CIDRs', () => {
  assert.equal(load({ CHITCHAT_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(load({ CHITCHAT_TRUST_PROXY: 'FALSE' }).trustProxy, false);
  assert.equal(load({ CHITCHAT_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(load({ CHITCHAT_TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,::1, loopback' }).trustProxy, ['10.0.0.0/8', '192.168.1.5', '::1', 'loopback']);
  for (const bad of ['proxy.example.com', '10.0.0.0/8/1', '10.0.0.0/abc', 'yes']) {
    assert.throws(() => load({ CHITCHAT_TRUST_PROXY: bad }), ConfigError, bad);
  }
  // The trust functions: a list trusts only its addresses; a hop count the nearest hops, whoever.
  const list = compileTrust(['10.0.0.0/8']);
  assert.equal(list('10.1.2.3', 0), true);
  assert.equal(list('11.1.2.3', 0), false);
  const hops = compileTrust(1);
  assert.equal(hops('203.0.113.9', 0), true);
  assert.equal(hops('203.0.113.9', 1), false);
  assert.equal(compileTrust(false)('127.0.0.1', 0), false);
});

test('CHITCHAT_PUBLIC_URL is kept as an origin; anything but an http(s) origin-like URL is refused', () => {
  assert.equal(load({ CHITCHAT_PUBLIC_URL: 'https://Chat.Example.com/' }).publicUrl, 'https://chat.example.com');
  assert.equal(load({ CHITCHAT_PUBLIC_URL: 'http://chat.lan:8080' }).publicUrl, 'http://chat.lan:8080');
  for (const bad of ['chat.example.com', 'ftp://chat.example.com', 'https://user:pw@chat.example.com', 'https://chat.example.com/?x=1', 'https://example.com/chat']) {
    assert.throws(() => load({ CHITCHAT_PUBLIC_URL: bad }), ConfigError, bad);
  }
});
