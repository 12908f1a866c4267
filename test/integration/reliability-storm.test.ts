// A reconnect storm, small (the full size is `npx tsx bench/storm.ts`): node B restarts under 200
// clients in 10 rooms while 40 msg/s flow on node A; every client reconnects to A with ?since
// within a second and recovers with no gap and no duplicate, and nobody is closed with 1013.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runStorm } from '../../bench/lib/storm.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { postgresSkip, redisSkip, sharedPlace } from '../helpers/services.ts';

const skip = (await postgresSkip()) ?? (await redisSkip());
const place = sharedPlace();
const started: TestServer[] = [];

describe('reconnect storm', { skip }, () => {
  after(async () => {
    await Promise.all(started.map((s) => s.dispose()));
    await place.drop();
  });

  test('a node restarts under 200 clients: all recover by ?since on the other node, no gap, no duplicate, no 1013', { timeout: 180_000 }, async (t) => {
    const { env } = place;
    const a = await startServer({ env });
    started.push(a);
    let b = await startServer({ env });
    started.push(b);
    const result = await runStorm({
      a,
      b,
      async restartB() {
        b = await b.restart();
        started.push(b);
      },
      clients: 200,
      rooms: 10,
      rate: 40,
      settleMs: 1000,
      reconnectWithinMs: 1000,
    });
    t.diagnostic(JSON.stringify(result));
    assert.equal(result.reconnected, 200);
    assert.equal(result.closes['1001'], 200, 'every client of node B was closed by its drain');
    assert.equal(result.closes['1013'], undefined, 'nobody fell behind, so nobody is closed with 1013');
    assert.deepEqual([result.gaps, result.duplicates, result.unrecovered], [0, 0, 0]);
    assert.ok(result.messages > 0);
  });
});
