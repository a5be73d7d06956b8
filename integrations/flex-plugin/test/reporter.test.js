import { test } from 'node:test';
import assert from 'node:assert/strict';

import { startReporter } from '../src/teamsview/reporter.js';
import { FakeCall, fakeFlex, quietLog, voiceTask } from './fakes.js';

/** A sender stand-in that keeps what it is given. */
function recorder() {
  const lines = [];
  return { lines, enqueue: (line) => lines.push(line), stop() {} };
}

function setup(config = {}) {
  const fake = fakeFlex();
  const sender = recorder();
  let clock = Date.UTC(2026, 10, 25, 9, 0, 0);
  const reporter = startReporter({
    flex: fake.flex, manager: fake.manager, sender, log: quietLog, now: () => clock,
    config: { ingestUrl: 'http://127.0.0.1:1/ingest', clientToken: 't', ...config },
  });
  return { ...fake, sender, reporter, tick: (ms) => { clock += ms; }, at: () => new Date(clock).toISOString() };
}

const brief = (lines) => lines.map((l) => `${l.type} ${l.worker} ${l.call}`);

test('HoldCall and UnholdCall report call.hold / call.resume for the task sid, with the worker sid and the time', async () => {
  const { actions, store, sender, at, tick } = setup();
  const task = voiceTask('WT1', 'CA-agent-1');
  store.addTask(task);
  await actions.invoke('HoldCall', { task });
  const heldAt = at();
  tick(1500);
  await actions.invoke('UnholdCall', { sid: 'WR-WT1' });
  assert.deepEqual(brief(sender.lines), ['call.hold WK1 WT1', 'call.resume WK1 WT1']);
  assert.equal(sender.lines[0].at, heldAt);
  assert.equal(sender.lines[1].at, at());
});

test('HoldParticipant / UnholdParticipant of the customer hold and resume the call; of a worker they do not', async () => {
  const { actions, store, sender } = setup();
  const task = voiceTask('WT1', 'CA-agent-1');
  store.addTask(task);
  await actions.invoke('HoldParticipant', { task, participantType: 'customer', targetSid: 'CA-customer-WT1' });
  await actions.invoke('HoldParticipant', { task, participantType: 'worker', targetSid: 'WK9' });
  await actions.invoke('UnholdParticipant', { task, participantType: 'worker', targetSid: 'WK9' });
  await actions.invoke('UnholdParticipant', { task, participantType: 'customer', targetSid: 'CA-customer-WT1' });
  assert.deepEqual(brief(sender.lines), ['call.hold WK1 WT1', 'call.resume WK1 WT1']);
});

test('accepting a call task reports it unmuted (the Voice SDK opens calls unmuted); other channels report nothing', async () => {
  const { actions, store, sender } = setup();
  const call = voiceTask('WT1', 'CA-agent-1');
  const chat = voiceTask('WT2', null, 'chat');
  store.addTask(call);
  store.addTask(chat);
  await actions.invoke('AcceptTask', { task: call, conferenceOptions: {} });
  await actions.invoke('AcceptTask', { task: chat });
  assert.deepEqual(brief(sender.lines), ['call.unmute WK1 WT1']);
});

test('beforeAcceptTask sets the conference status callback on call tasks only, and only when configured', async () => {
  const configured = setup({ conferenceCallbackUrl: 'https://tv.example/ingest?token=p', conferenceCallbackEvents: 'start,end,join,leave,mute,hold' });
  const call = voiceTask('WT1', 'CA-agent-1');
  const payload = await configured.actions.invoke('AcceptTask', { task: call, conferenceOptions: { region: 'ie1' } });
  assert.deepEqual(payload.conferenceOptions, {
    region: 'ie1',
    conferenceStatusCallback: 'https://tv.example/ingest?token=p',
    conferenceStatusCallbackEvent: 'start,end,join,leave,mute,hold',
  });
  const chat = await configured.actions.invoke('AcceptTask', { task: voiceTask('WT2', null, 'chat') });
  assert.equal(chat.conferenceOptions, undefined);
  const plain = setup();
  const untouched = await plain.actions.invoke('AcceptTask', { task: call, conferenceOptions: {} });
  assert.deepEqual(untouched.conferenceOptions, {});
});

test('the mute event of the Flex device call and of a second device call (multi-call) each reach their own task', async () => {
  const { store, device, sender } = setup();
  store.addTask(voiceTask('WT1', 'CA-agent-1'));
  store.addTask(voiceTask('WT2', 'CA-agent-2'));
  // The Flex device rings for the first call.
  const first = new FakeCall('CA-agent-1');
  device.ring(first);
  // Multi-call connects the second call on a new Device and puts it in Flex's phone state.
  const second = new FakeCall('CA-agent-2');
  store.setActiveCall(second);
  store.setActiveCall(second); // seen twice, listened to once
  first.mute(true);
  second.mute(true);
  second.mute(false);
  assert.deepEqual(brief(sender.lines), ['call.mute WK1 WT1', 'call.mute WK1 WT2', 'call.unmute WK1 WT2']);
});

test('a mute seen before the task knows its call waits, and goes with its own time when the task does', async () => {
  const { store, device, sender, tick, at } = setup();
  const call = new FakeCall('CA-agent-3');
  device.ring(call);
  call.mute(true);
  const mutedAt = at();
  assert.equal(sender.lines.length, 0);
  tick(2000);
  store.addTask(voiceTask('WT3', 'CA-agent-3'));
  assert.deepEqual(brief(sender.lines), ['call.mute WK1 WT3']);
  assert.equal(sender.lines[0].at, mutedAt);
  // One that waits longer than pendingMs is dropped and counted.
  const late = setup({ pendingMs: 1000 });
  const lost = new FakeCall('CA-agent-4');
  late.device.ring(lost);
  lost.mute(true);
  late.tick(5000);
  late.store.addTask(voiceTask('WT4', 'CA-agent-4'));
  assert.equal(late.sender.lines.length, 0);
  assert.equal(late.reporter.stats.pendingDropped, 1);
});

test('ToggleMute reports the active call\'s mute state', async () => {
  const { actions, store, sender } = setup();
  store.addTask(voiceTask('WT1', 'CA-agent-1'));
  const call = new FakeCall('CA-agent-1');
  call.muted = true; // muted without an event reaching the plugin (e.g. before it was listening)
  store.state.flex.phone.activeCall = call;
  await actions.invoke('ToggleMute', {});
  assert.deepEqual(brief(sender.lines), ['call.mute WK1 WT1']);
});

test('without a worker sid or a task nothing is sent, and it is counted; stop() removes every listener', async () => {
  const { actions, manager, sender, reporter, store } = setup();
  await actions.invoke('HoldCall', { sid: 'WR-unknown' });
  manager.workerClient = undefined;
  await actions.invoke('HoldCall', { task: voiceTask('WT1', 'CA-agent-1') });
  assert.equal(sender.lines.length, 0);
  assert.equal(reporter.stats.skipped, 2);
  manager.workerClient = { sid: 'WK1' };
  reporter.stop();
  await actions.invoke('HoldCall', { task: voiceTask('WT1', 'CA-agent-1') });
  assert.equal(sender.lines.length, 0);
  assert.equal(store.subscribers.length, 0);
});
