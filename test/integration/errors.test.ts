// Errors (SPEC §3) against a real server: every way a request can be malformed gets the contract's
// JSON error with its code and field, never a 500, and changes nothing. A fast-check property
// throws random bodies at the room routes to hold the server to that.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { api, bearer, createRoom, token, type JsonResponse } from '../helpers/chat.ts';
import { expectError, expectSomeError, raw } from '../helpers/expect.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let room: { id: number; title: string; owner_key: string };
let owner: string;
let member: string;

before(async () => {
  server = await startServer();
  room = await createRoom(server.url, { title: 'Error room', description: 'steady', visibility: 'private', password: 'error room pw' });
  owner = await token(server.url, room.id, { owner_key: room.owner_key, name: 'boss' });
  member = await token(server.url, room.id, { secret: 'error room pw', name: 'member' });
});
after(async () => {
  await server.dispose();
});

/** The room as stored, without the fields that change on their own. */
const snapshot = async (id = room.id) => {
  const r = await api(server.url, 'GET', `/chats/${id}`, undefined, bearer(owner));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { users: _u, participants: _p, lastActivity: _l, ...rest } = r.body;
  return rest;
};
const listSize = async () => (await api(server.url, 'GET', '/chats?limit=500')).body.length as number;

describe('malformed bodies', () => {
  const notJson = ['{bad', '{"title": "x",}', "{'title': 'x'}", '{"title": "x"', 'title=x&visibility=public', '\u0000'];
  const notObject = ['[]', '[{"title":"Array room"}]', '"a string"', '42', 'true', 'null'];

  test('POST /chats: not JSON, or not a JSON object, is 400/103 without a field', async () => {
    const count = await listSize();
    for (const body of [...notJson, ...notObject]) {
      expectError(await raw(server.url, 'POST', '/chats', body, { 'content-type': 'application/json' }), 400, 103, null, body);
      expectError(await raw(server.url, 'POST', '/chats', body), 400, 103, null, `${body} (no content type)`);
    }
    expectError(await raw(server.url, 'POST', '/chats', ''), 400, 103, null, 'empty body');
    expectError(await raw(server.url, 'POST', '/chats', undefined), 400, 103, null, 'no body');
    expectError(await raw(server.url, 'POST', '/chats', new Uint8Array([0xff, 0xfe, 0x7b, 0x7d])), 400, 103, null, 'bytes that are not UTF-8');
    assert.equal(await listSize(), count);
  });

  test('PUT is 400/103, the token route 400/303, the ban route 400/203', async () => {
    const before = await snapshot();
    for (const body of [...notJson, ...notObject]) {
      expectError(await raw(server.url, 'PUT', `/chats/${room.id}`, body, bearer(owner)), 400, 103, null, `PUT ${body}`);
      expectError(await raw(server.url, 'POST', `/chats/${room.id}/token`, body), 400, 303, null, `token ${body}`);
      expectError(await raw(server.url, 'POST', `/chats/${room.id}/bans`, body, bearer(owner)), 400, 203, null, `ban ${body}`);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('a field of the wrong type is the route\'s JSON code with that field', async () => {
    const count = await listSize();
    const posts: [Record<string, unknown>, string][] = [
      [{ title: 5 }, 'title'],
      [{ title: null, visibility: 'public' }, 'title'],
      [{ title: ['Array title'], visibility: 'public' }, 'title'],
      [{ title: { x: 1 }, visibility: 'public' }, 'title'],
      [{ title: 'Typed', description: 5, visibility: 'public' }, 'description'],
      [{ title: 'Typed', visibility: true }, 'visibility'],
      [{ title: 'Typed', visibility: 'private', password: 12345678 }, 'password'],
    ];
    for (const [body, field] of posts) expectError(await api(server.url, 'POST', '/chats', body), 400, 103, field, JSON.stringify(body));
    assert.equal(await listSize(), count);

    const before = await snapshot();
    for (const [body, field] of [
      [{ title: 5 }, 'title'],
      [{ description: false }, 'description'],
      [{ visibility: 1 }, 'visibility'],
      [{ password: 123456789 }, 'password'],
      [{ title: 'Fine title', password: ['x'] }, 'password'],
    ] as [Record<string, unknown>, string][]) {
      expectError(await api(server.url, 'PUT', `/chats/${room.id}`, body, bearer(owner)), 400, 103, field, `PUT ${JSON.stringify(body)}`);
    }
    assert.deepEqual(await snapshot(), before);

    for (const [body, field] of [
      [{ secret: 5, name: 'x' }, 'secret'],
      [{ secret: 'error room pw', name: 5 }, 'name'],
      [{ owner_key: 5, name: 'x' }, 'owner_key'],
    ] as [Record<string, unknown>, string][]) {
      expectError(await api(server.url, 'POST', `/chats/${room.id}/token`, body), 400, 303, field, `token ${JSON.stringify(body)}`);
    }
    expectError(await api(server.url, 'POST', `/chats/${room.id}/bans`, { name: 5 }, bearer(owner)), 400, 203, 'name');
  });

  test('a missing field is 105 on rooms (the JSON was fine, its content not), 303 on tokens', async () => {
    const count = await listSize();
    expectError(await api(server.url, 'POST', '/chats', {}), 400, 105, 'title');
    expectError(await api(server.url, 'POST', '/chats', { visibility: 'public', description: 'no title' }), 400, 105, 'title');
    expectError(await api(server.url, 'POST', '/chats', { title: 'No password', visibility: 'hidden' }), 400, 105, 'password');
    assert.equal(await listSize(), count);
    // A missing visibility means public (documented default).
    const pub = await api(server.url, 'POST', '/chats', { title: 'Default visibility' });
    assert.equal(pub.status, 201);
    assert.equal(pub.body.visibility, 'public');

    expectError(await api(server.url, 'POST', `/chats/${room.id}/token`, { secret: 'error room pw' }), 400, 303, 'name');
    expectError(await api(server.url, 'POST', `/chats/${room.id}/token`, { name: 'x' }), 401, 304, 'secret');
    expectError(await api(server.url, 'POST', `/chats/${room.id}/bans`, {}, bearer(owner)), 400, 203, 'name');
  });

  test('unknown fields are ignored: a room JSON can be sent back as it came', async () => {
    const made = await api(server.url, 'POST', '/chats', { title: 'Echo room', visibility: 'public', id: 999, users: [{ username: 'x' }], extra: { deep: [1, 2] } });
    assert.equal(made.status, 201);
    assert.notEqual(made.body.id, 999);
    assert.deepEqual(made.body.users, []);
    const ownerTok = await token(server.url, made.body.id, { owner_key: made.body.owner_key, name: 'boss' });
    const { owner_key: _k, ...asReceived } = made.body;
    const put = await api(server.url, 'PUT', `/chats/${made.body.id}`, { ...asReceived, description: 'round trip' }, bearer(ownerTok));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.description, 'round trip');
    assert.equal(put.body.id, made.body.id);
  });

  test('__proto__ and constructor keys are plain unknown fields', async () => {
    const r = await raw(server.url, 'POST', '/chats', '{"title":"Proto room","__proto__":{"visibility":"hidden","password":"sneaky pw"}}');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.visibility, 'public');
    const c = await raw(server.url, 'POST', '/chats', '{"title":"Ctor room","constructor":{"prototype":{"visibility":"hidden"}}}');
    assert.equal(c.status, 201, c.text);
    const before = await snapshot();
    const p = await raw(server.url, 'PUT', `/chats/${room.id}`, '{"__proto__":{"title":"Polluted"}}', bearer(owner));
    assert.equal(p.status, 200, p.text);
    assert.deepEqual({ ...(await snapshot()), updatedAt: before.updatedAt }, before);
    assert.equal(({} as Record<string, unknown>).title, undefined);
  });
});

describe('size', () => {
  const over = JSON.stringify({ title: 'Big body', name: 'big', secret: 'x', pad: 'a'.repeat(64 * 1024) });

  test('a body over 64 KiB is 413/105 on field body, on every route that takes one', async () => {
    const count = await listSize();
    const before = await snapshot();
    expectError(await raw(server.url, 'POST', '/chats', over), 413, 105, 'body', 'POST');
    expectError(await raw(server.url, 'PUT', `/chats/${room.id}`, over, bearer(owner)), 413, 105, 'body', 'PUT');
    expectError(await raw(server.url, 'POST', `/chats/${room.id}/token`, over), 413, 105, 'body', 'token');
    expectError(await raw(server.url, 'POST', `/chats/${room.id}/bans`, over, bearer(owner)), 413, 105, 'body', 'ban');
    // A megabyte is refused the same way.
    expectError(await raw(server.url, 'POST', '/chats', 'x'.repeat(1024 * 1024)), 413, 105, 'body', '1 MiB');
    assert.equal(await listSize(), count);
    assert.deepEqual(await snapshot(), before);
  });

  test('a chunked body over 64 KiB (no Content-Length) is refused the same way', async () => {
    const res = await new Promise<JsonResponse>((resolve, reject) => {
      const req = request(`${server.url}/chats`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (r) => {
        let text = '';
        r.on('data', (d: Buffer) => (text += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: JSON.parse(text), headers: new Headers(r.headers as Record<string, string>) }));
      });
      req.on('error', reject);
      req.write('{"title":"Chunked","pad":"');
      for (let i = 0; i < 20; i++) req.write('a'.repeat(4096));
      req.end('"}');
    });
    expectError(res, 413, 105, 'body', 'chunked');
    expectError(await api(server.url, 'GET', '/chats/chunked'), 404, 101);
  });

  test('a body just under 64 KiB is read normally', async () => {
    const body = JSON.stringify({ title: 'Almost too big', visibility: 'public', pad: 'a'.repeat(60 * 1024) });
    assert.ok(body.length < 64 * 1024);
    const r = await raw(server.url, 'POST', '/chats', body);
    assert.equal(r.status, 201, r.text.slice(0, 200));
  });
});

describe('unknown rooms and paths', () => {
  test('every room route answers 404/101 for a room that does not exist, by id or by title', async () => {
    for (const ref of ['424242', 'no%20such%20room']) {
      const cases: [string, string, unknown?][] = [
        ['GET', `/chats/${ref}`],
        ['PUT', `/chats/${ref}`, { description: 'x' }],
        ['DELETE', `/chats/${ref}`],
        ['GET', `/chats/${ref}/messages`],
        ['POST', `/chats/${ref}/token`, { secret: 'x', name: 'x' }],
        ['GET', `/chats/${ref}/token/renew`],
        ['POST', `/chats/${ref}/token/renew`],
        ['POST', `/chats/${ref}/bans`, { name: 'x' }],
        ['DELETE', `/chats/${ref}/bans/x`],
      ];
      for (const [method, path, body] of cases) {
        expectError(await api(server.url, method, path, body, bearer(owner)), 404, 101, undefined, `${method} ${path}`);
      }
    }
  });

  test('unknown paths, bad percent-encoding and over-long names still answer the JSON error', async () => {
    for (const path of ['/nope', '/chats/1/nope', '/chats/%E0%A4%A', '/chats/%E0%A4%A/messages', `/chats/${'a'.repeat(5000)}`, '/chats/1/bans/%ZZ']) {
      const r = await raw(server.url, path.includes('bans') ? 'DELETE' : 'GET', path, undefined, bearer(owner));
      expectError(r, 404, 101, undefined, path.slice(0, 40));
    }
    // A method the API does not have on an existing path.
    const patch = await raw(server.url, 'PATCH', `/chats/${room.id}`, '{}');
    assert.ok(patch.status === 404 || patch.status === 405, String(patch.status));
    expectSomeError(patch, 'PATCH');
  });
});

describe('rejected requests change nothing', () => {
  test('a PUT with one bad field among good ones stores none of them', async () => {
    const before = await snapshot();
    const other = await createRoom(server.url, { title: 'Neighbour room', visibility: 'public' });
    const bad: [Record<string, unknown>, number, string][] = [
      [{ title: 'Brand new title', description: 'd'.repeat(71) }, 105, 'description'],
      [{ title: 'Brand new title', visibility: 'nonsense' }, 105, 'visibility'],
      [{ description: 'new words', password: 'short' }, 105, 'password'],
      [{ description: 'new words', visibility: 'public', password: 'a real password' }, 105, 'password'],
      [{ description: 'new words', title: 'NEIGHBOUR ROOM' }, 102, 'title'],
      [{ description: 'new words', title: '7' }, 105, 'title'],
      [{ description: 'new words', title: '123' }, 105, 'title'],
    ];
    for (const [body, code, field] of bad) {
      expectError(await api(server.url, 'PUT', `/chats/${room.id}`, body, bearer(owner)), 400, code, field, JSON.stringify(body));
      assert.deepEqual(await snapshot(), before, `unchanged after ${JSON.stringify(body)}`);
    }
    // A refused password change revoked nothing either.
    assert.equal((await api(server.url, 'GET', `/chats/${room.id}/messages`, undefined, bearer(member))).status, 200);
    // A member or a stranger cannot change it, however valid the body.
    expectError(await api(server.url, 'PUT', `/chats/${room.id}`, { description: 'member was here' }, bearer(member)), 403, 104);
    expectError(await api(server.url, 'PUT', `/chats/${room.id}`, { description: 'stranger was here' }), 401, 104);
    expectError(await api(server.url, 'DELETE', `/chats/${room.id}`, undefined, bearer(member)), 403, 104);
    assert.deepEqual(await snapshot(), before);
    assert.equal((await api(server.url, 'GET', `/chats/${other.id}`)).body.title, 'Neighbour room');
  });

  test('a refused creation creates nothing, and its title stays free', async () => {
    const count = await listSize();
    expectError(await api(server.url, 'POST', '/chats', { title: 'Refused room', visibility: 'public', password: 'not allowed here' }), 400, 105, 'password');
    expectError(await api(server.url, 'POST', '/chats', { title: 'ERROR ROOM', visibility: 'public' }), 400, 102, 'title');
    assert.equal(await listSize(), count);
    expectError(await api(server.url, 'GET', '/chats/refused%20room'), 404, 101);
    assert.equal((await api(server.url, 'POST', '/chats', { title: 'Refused room' })).status, 201);
  });
});

describe('property: random bodies', () => {
  const value = fc.oneof(
    fc.string({ maxLength: 90 }),
    fc.constantFrom('public', 'PRIVATE', 'Hidden', 'secret', '', '   ', '12', 'x'.repeat(71), 'a valid password'),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  );
  const key = fc.constantFrom('title', 'description', 'visibility', 'password', 'id', 'owner_key', '__proto__', 'constructor', 'users');
  // Close to a valid room, so that valid bodies (and updates) come up often too.
  const nearlyValid = fc.record(
    {
      title: fc.string({ maxLength: 68 }).map((t) => `R ${t}`),
      description: fc.string({ maxLength: 75 }),
      visibility: fc.constantFrom('public', 'Public', 'PRIVATE', 'hidden', 'bogus'),
      password: fc.oneof(fc.string({ minLength: 6, maxLength: 130 }), fc.constant(null), fc.constant('')),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    { weight: 3, arbitrary: nearlyValid.map((o) => JSON.stringify(o)) },
    { weight: 3, arbitrary: fc.dictionary(key, value, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

  test('POST /chats never answers 500 and every refusal is the contract\'s error', async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const r = await raw(server.url, 'POST', '/chats', text);
        assert.ok(r.status === 201 || r.status === 400, `${r.status} for ${text}: ${r.text}`);
        if (r.status === 201) {
          created++;
          assert.equal(typeof r.body.title, 'string');
          assert.ok(['public', 'private', 'hidden'].includes(r.body.visibility));
          assert.equal(typeof r.body.owner_key, 'string');
        } else {
          expectSomeError(r, text);
        }
      }),
      { numRuns: 120 },
    );
    assert.ok(created > 0, 'some random bodies were valid rooms');
  });

  test('PUT /chats/:room never answers 500, and a refused PUT leaves the room as it was', async () => {
    const target = await createRoom(server.url, { title: 'Property target', visibility: 'private', password: 'property pw' });
    const ownerTok = await token(server.url, target.id, { owner_key: target.owner_key, name: 'boss' });
    const current = async () => {
      const r = await api(server.url, 'GET', `/chats/${target.id}`, undefined, bearer(ownerTok));
      assert.equal(r.status, 200);
      return r.body;
    };
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await current();
        const r = await raw(server.url, 'PUT', `/chats/${target.id}`, text, bearer(ownerTok));
        assert.ok(r.status === 200 || r.status === 400, `${r.status} for ${text}: ${r.text}`);
        if (r.status === 200) {
          accepted++;
          assert.equal(r.body.id, target.id);
        } else {
          expectSomeError(r, text);
          assert.deepEqual(await current(), before, `changed by refused ${text}`);
        }
      }),
      { numRuns: 120 },
    );
    assert.ok(accepted > 0, 'some random bodies were valid updates');
  });

  test('the server survived it all, and logged no internal error', async () => {
    assert.equal(server.proc.exitCode, null);
    assert.deepEqual((await api(server.url, 'GET', '/healthz')).body, { status: true });
    assert.equal((await api(server.url, 'GET', '/readyz')).status, 200);
    assert.doesNotMatch(server.output(), /request failed|"level":50|"statusCode":500/);
  });
});
