import { test } from 'node:test';
import assert from 'node:assert/strict';

import { LineSender } from '../src/teamsview/lineSender.js';
import { FakeTimers, fakeFetch, quietLog } from './fakes.js';

function sender(script, options = {}) {
  const timers = new FakeTimers();
  const { fetch, requests } = fakeFetch(script);
  const s = new LineSender({
    url: 'https://tv.example/ingest', token: 'client-secret', fetch, log: quietLog, random: () => 0.5,
    setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, ...options,
  });
  return { s, timers, requests };
}

const line = (n) => ({ type: 'call.hold', at: `2026-11-25T09:00:0${n % 10}.000Z`, worker: 'WK1', call: `WT${n}` });

test('lines enqueued together go in one NDJSON request with the bearer token, after the batch delay', async () => {
  const { s, timers, requests } = sender([]);
  s.enqueue(line(1));
  s.enqueue(line(2));
  s.enqueue(line(3));
  await timers.run();
  assert.equal(requests.length, 1);
  assert.deepEqual(timers.fired, [200]);
  const { init, lines } = requests[0];
  assert.equal(init.method, 'POST');
  assert.equal(init.headers.Authorization, 'Bearer client-secret');
  assert.equal(init.headers['Content-Type'], 'application/x-ndjson');
  assert.deepEqual(lines.map((l) => l.call), ['WT1', 'WT2', 'WT3']);
  assert.equal(s.stats.accepted, 3);
  assert.equal(s.pending, 0);
});

test('a full batch goes at once; the rest follows in order, at most maxBatch per request', async () => {
  const { s, timers, requests } = sender([], { maxBatch: 2 });
  for (let i = 0; i < 5; i++) s.enqueue(line(i));
  await timers.run();
  assert.deepEqual(requests.map((r) => r.lines.map((l) => l.call)), [['WT0', 'WT1'], ['WT2', 'WT3'], ['WT4']]);
});

test('a failing batch is retried with growing, bounded backoff and keeps its place ahead of later lines', async () => {
  const { s, timers, requests } = sender(
    [{ throws: 'connection refused' }, { status: 503 }, { status: 429 }, { status: 200 }],
    { baseBackoffMs: 100, maxBackoffMs: 300 },
  );
  s.enqueue(line(1));
  await timers.run();
  // random() = 0.5 scales each delay by 0.75: 100, 200, then 400 capped at 300.
  assert.deepEqual(timers.fired, [200, 75, 150, 225]);
  assert.equal(requests.length, 4);
  assert.equal(s.stats.retries, 3);
  assert.equal(s.stats.accepted, 1);
  assert.equal(s.stats.failedLines, 0);
  // Lines that came during the retries wait behind the retried batch.
  const late = sender([{ status: 500 }, { status: 200 }], { baseBackoffMs: 100 });
  late.s.enqueue(line(1));
  await late.timers.step();
  late.s.enqueue(line(2));
  await late.timers.run();
  assert.deepEqual(late.requests.map((r) => r.lines.map((l) => l.call)), [['WT1'], ['WT1'], ['WT2']]);
});

test('after maxRetries the batch is dropped and counted, and sending goes on', async () => {
  const { s, timers, requests } = sender([{ status: 502 }, { status: 502 }, { status: 502 }, { status: 200 }], { maxRetries: 2 });
  s.enqueue(line(1));
  await timers.run();
  assert.equal(requests.length, 3);
  assert.equal(s.stats.failedLines, 1);
  s.enqueue(line(2));
  await timers.run();
  assert.equal(requests.length, 4);
  assert.equal(s.stats.accepted, 1);
});

test('a refusal (403) or per-line rejections are not retried; the reasons are kept', async () => {
  const { s, timers, requests } = sender([
    { status: 403, body: { error: 'origin "https://evil.example" is not allowed to call this server' } },
    { status: 200, body: { accepted: 1, rejected: 1, events: 1, errors: [{ index: 1, reason: 'this token may send only native call.hold lines' }] } },
  ]);
  s.enqueue(line(1));
  await timers.run();
  assert.equal(requests.length, 1);
  assert.equal(s.stats.rejected, 1);
  assert.match(s.stats.lastErrors[0].reason, /not allowed/);
  s.enqueue(line(2));
  s.enqueue(line(3));
  await timers.run();
  assert.equal(requests.length, 2);
  assert.equal(s.stats.accepted, 1);
  assert.equal(s.stats.rejected, 2);
  assert.equal(s.stats.lastErrors[0].index, 1);
});

test('the queue is bounded: past maxQueue the oldest lines are dropped and counted', async () => {
  const { s, timers, requests } = sender([], { maxQueue: 3, maxBatch: 10 });
  for (let i = 0; i < 5; i++) s.enqueue(line(i));
  assert.equal(s.stats.dropped, 2);
  await timers.run();
  assert.deepEqual(requests[0].lines.map((l) => l.call), ['WT2', 'WT3', 'WT4']);
});

test('bad settings are refused', () => {
  assert.throws(() => new LineSender({ url: '', token: 't' }), /url/);
  assert.throws(() => new LineSender({ url: 'http://x/ingest', token: '' }), /token/);
  assert.throws(() => new LineSender({ url: 'http://x/ingest', token: 't', maxQueue: 0 }), /at least 1/);
});
