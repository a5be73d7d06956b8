// The plugin's code against the real teamsview server: a LineSender with Node's fetch posts what the reporter
// hears from (fake) Flex to `teamsview serve` on a free loopback port, and /api/workers shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { LineSender } from '../src/teamsview/lineSender.js';
import { startReporter } from '../src/teamsview/reporter.js';
import { FakeCall, fakeFlex, quietLog, voiceTask } from './fakes.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const binary = process.env.TEAMSVIEW_BIN ?? path.join(repo, '.build/debug/teamsview');
const clientToken = 'client-token-for-node-4b7e';

/** Starts `teamsview serve --port 0` and resolves with the port it logs. */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--port', '0', '--cors-origin', 'https://flex.twilio.com'], {
      cwd: repo,
      env: { ...process.env, TEAMSVIEW_CLIENT_TOKEN: clientToken },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not report its port:\n${log}`));
    }, 20000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function post(port, lines, headers = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/ingest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-ndjson', ...headers },
    body: lines.map((l) => `${JSON.stringify(l)}\n`).join(''),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function callOf(port, worker, call) {
  const response = await fetch(`http://127.0.0.1:${port}/api/workers/${worker}`);
  assert.equal(response.status, 200);
  const body = await response.json();
  return body.calls.find((c) => c.id === call);
}

test('hold and mute heard in Flex reach /api/workers through the real server', { timeout: 60000 }, async (t) => {
  assert.ok(existsSync(binary), `build the server first (swift build), or set TEAMSVIEW_BIN: ${binary}`);
  const { child, port } = await startServer();
  t.after(() => child.kill('SIGTERM'));

  // The calls exist first, as the contact centre's own feed would create them (loopback, no token: a producer).
  const now = Date.now();
  const created = await post(port, [
    { type: 'worker', at: new Date(now - 60000).toISOString(), worker: 'WK1', name: 'Ada Okafor', team: 'Billing' },
    { type: 'call.start', at: new Date(now - 50000).toISOString(), worker: 'WK1', call: 'WT1', via: 'queue' },
    { type: 'call.start', at: new Date(now - 40000).toISOString(), worker: 'WK1', call: 'WT2', via: 'transfer' },
  ]);
  assert.equal(created.body.accepted, 3);

  const { flex, manager, store, actions, device } = fakeFlex();
  const first = voiceTask('WT1', 'CA-agent-1');
  const second = voiceTask('WT2', 'CA-agent-2');
  store.addTask(first);
  store.addTask(second);
  const sender = new LineSender({ url: `http://127.0.0.1:${port}/ingest`, token: clientToken, batchMs: 20, log: quietLog });
  const reporter = startReporter({ flex, manager, sender, config: {}, log: quietLog });
  t.after(() => reporter.stop());

  // Multi-call: the first call is on the Flex device, the second on a second Device put in Flex's phone state.
  const firstCall = new FakeCall('CA-agent-1');
  device.ring(firstCall);
  const secondCall = new FakeCall('CA-agent-2');
  store.setActiveCall(secondCall);
  // Accepting the second task holds the first call's customer and mutes the agent on it.
  await actions.invoke('HoldParticipant', { task: first, participantType: 'customer', targetSid: 'CA-customer-WT1' });
  firstCall.mute(true);
  await actions.invoke('AcceptTask', { task: second, conferenceOptions: {} });
  await sender.idle();

  assert.equal(sender.stats.accepted, 3, JSON.stringify(sender.stats));
  assert.equal(sender.stats.rejected, 0, JSON.stringify(sender.stats.lastErrors));
  const held = await callOf(port, 'WK1', 'WT1');
  assert.equal(held.state, 'held');
  assert.equal(held.muted, true);
  const live = await callOf(port, 'WK1', 'WT2');
  assert.equal(live.state, 'live');
  assert.equal(live.muted, false);

  // Back to the first call: resumed and unmuted.
  await actions.invoke('UnholdParticipant', { task: first, participantType: 'customer', targetSid: 'CA-customer-WT1' });
  firstCall.mute(false);
  await sender.idle();
  const resumed = await callOf(port, 'WK1', 'WT1');
  assert.equal(resumed.state, 'live');
  assert.equal(resumed.muted, false);

  // The client token cannot end a call: the server rejects the line and says why.
  const ended = await post(port, [{ type: 'call.end', at: new Date().toISOString(), worker: 'WK1', call: 'WT1' }], {
    Authorization: `Bearer ${clientToken}`,
    Origin: 'https://flex.twilio.com',
  });
  // Every line of the batch rejected: 422, with the reasons.
  assert.equal(ended.status, 422);
  assert.equal(ended.headers.get('teamsview-rejected'), '1');
  assert.match(ended.body.errors[0].reason, /may send only native call\.hold/);
  assert.ok(await callOf(port, 'WK1', 'WT1'));
});
