import { CallChange, nativeLine } from './nativeLine.js';
import { LineSender } from './lineSender.js';

/**
 * Watches one agent's Flex UI and reports hold and mute of each call task to teamsview as native lines.
 *
 * Sources, all in the agent's browser:
 * - Flex actions (`Actions.addListener`): `afterHoldCall` / `afterUnholdCall` report `call.hold` / `call.resume`;
 *   `afterHoldParticipant` / `afterUnholdParticipant` do the same when the participant is not a worker (the customer
 *   or an external party; this is how multi-call holds the other call); `afterAcceptTask` on a call task reports
 *   `call.unmute` (the Voice SDK opens every call unmuted); `afterToggleMute` reports the active call's mute.
 * - The Voice SDK `Call` `mute` event (`(isMuted, call)`) of every call the agent has: the Flex device's calls
 *   (`manager.voiceClient` `incoming`) and any other `Call` put in Flex's phone state (`flex.phone.activeCall`),
 *   which is where multi-call's second `Device` puts its calls. A `Call` is matched to its task through the task's
 *   conference participant of the current worker (`isCurrentWorker`, `callSid` = the call's `parameters.CallSid`);
 *   a mute seen before that participant is known waits (up to `pendingMs`, at most 20 calls) and goes when it is.
 * - `beforeAcceptTask`: with `conferenceCallbackUrl` configured, sets `conferenceStatusCallback` and
 *   `conferenceStatusCallbackEvent` on `payload.conferenceOptions` of call tasks, so Twilio sends the conference
 *   callbacks (hold, mute, join, leave) teamsview reads too.
 *
 * `worker` is `manager.workerClient.sid`, `call` the task sid, `at` the browser's clock when the change happened.
 *
 * @param {object} options
 * @param {object} options.flex the Flex UI module (`Actions`, `TaskHelper`)
 * @param {object} options.manager the Flex Manager (`workerClient`, `store`, `voiceClient`)
 * @param {object} options.config see config.js
 * @param {LineSender} [options.sender] made from the config when absent
 * @param {Function} [options.now] milliseconds since the epoch
 * @returns {{stop: Function, sender: LineSender, stats: object}}
 */
export function startReporter({ flex, manager, config, sender, now = Date.now, log = console }) {
  const out = sender ?? new LineSender({ url: config.ingestUrl, token: config.clientToken, log });
  const stats = { reported: 0, skipped: 0, pendingDropped: 0, callsWatched: 0 };
  const watched = new WeakSet();
  const pending = new Map(); // callSid -> {muted, at}
  const pendingMs = config.pendingMs ?? 30000;
  const removers = [];

  function workerSid() {
    return manager.workerClient ? manager.workerClient.sid : undefined;
  }

  function taskOf(payload) {
    if (!payload) return undefined;
    if (payload.task) return payload.task;
    if (payload.sid && flex.TaskHelper && flex.TaskHelper.getTaskByTaskSid) return flex.TaskHelper.getTaskByTaskSid(payload.sid);
    return undefined;
  }

  function isCallTask(task) {
    if (!task) return false;
    if (flex.TaskHelper && flex.TaskHelper.isCallTask) return Boolean(flex.TaskHelper.isCallTask(task));
    return task.taskChannelUniqueName === 'voice';
  }

  function report(type, task, at = now()) {
    const worker = workerSid();
    const call = task ? task.taskSid : undefined;
    if (!worker || !call) {
      stats.skipped += 1;
      return;
    }
    out.enqueue(nativeLine(type, worker, call, at));
    stats.reported += 1;
  }

  function tasks() {
    const state = manager.store.getState();
    const all = state && state.flex && state.flex.worker ? state.flex.worker.tasks : undefined;
    if (!all) return [];
    return typeof all.values === 'function' ? Array.from(all.values()) : Object.values(all);
  }

  /** The task whose conference has the current worker on the call `callSid`. */
  function taskOfCall(callSid) {
    if (!callSid) return undefined;
    return tasks().find((task) => {
      const participants = task && task.conference ? task.conference.participants : undefined;
      return Array.isArray(participants) && participants.some((p) => p.isCurrentWorker && p.callSid === callSid);
    });
  }

  function reportMute(call, muted, at = now()) {
    const callSid = call && call.parameters ? call.parameters.CallSid : undefined;
    const task = taskOfCall(callSid);
    if (task) {
      report(muted ? CallChange.mute : CallChange.unmute, task, at);
      return;
    }
    if (!callSid) {
      stats.skipped += 1;
      return;
    }
    pending.delete(callSid);
    pending.set(callSid, { muted, at });
    while (pending.size > 20) {
      pending.delete(pending.keys().next().value);
      stats.pendingDropped += 1;
    }
  }

  function resolvePending() {
    if (pending.size === 0) return;
    const t = now();
    for (const [callSid, entry] of pending) {
      if (t - entry.at > pendingMs) {
        pending.delete(callSid);
        stats.pendingDropped += 1;
        continue;
      }
      const task = taskOfCall(callSid);
      if (task) {
        pending.delete(callSid);
        report(entry.muted ? CallChange.mute : CallChange.unmute, task, entry.at);
      }
    }
  }

  /** Listens to one Voice SDK `Call`'s mute event (once per call). */
  function watchCall(call) {
    if (!call || typeof call.on !== 'function' || watched.has(call)) return;
    watched.add(call);
    stats.callsWatched += 1;
    call.on('mute', (isMuted, emitter) => reportMute(emitter ?? call, Boolean(isMuted)));
  }

  function activeCall() {
    const state = manager.store.getState();
    return state && state.flex && state.flex.phone ? state.flex.phone.activeCall : undefined;
  }

  function listen(name, handler) {
    const wrapped = (payload) => {
      try {
        handler(payload);
      } catch (error) {
        log.warn(`[teamsview] ${name} listener failed: ${error && error.message ? error.message : error}`);
      }
    };
    flex.Actions.addListener(name, wrapped);
    removers.push(() => flex.Actions.removeListener && flex.Actions.removeListener(name, wrapped));
  }

  if (config.conferenceCallbackUrl) {
    listen('beforeAcceptTask', (payload) => {
      if (!isCallTask(taskOf(payload))) return;
      payload.conferenceOptions = payload.conferenceOptions ?? {};
      payload.conferenceOptions.conferenceStatusCallback = config.conferenceCallbackUrl;
      payload.conferenceOptions.conferenceStatusCallbackEvent = config.conferenceCallbackEvents;
    });
  }
  listen('afterAcceptTask', (payload) => {
    const task = taskOf(payload);
    if (isCallTask(task)) report(CallChange.unmute, task);
  });
  listen('afterHoldCall', (payload) => report(CallChange.hold, taskOf(payload)));
  listen('afterUnholdCall', (payload) => report(CallChange.resume, taskOf(payload)));
  listen('afterHoldParticipant', (payload) => {
    if (payload && payload.participantType !== 'worker') report(CallChange.hold, taskOf(payload));
  });
  listen('afterUnholdParticipant', (payload) => {
    if (payload && payload.participantType !== 'worker') report(CallChange.resume, taskOf(payload));
  });
  listen('afterToggleMute', () => {
    const call = activeCall();
    if (call && typeof call.isMuted === 'function') reportMute(call, Boolean(call.isMuted()));
  });

  if (manager.voiceClient && typeof manager.voiceClient.on === 'function') {
    const onIncoming = (call) => watchCall(call);
    manager.voiceClient.on('incoming', onIncoming);
    removers.push(() => manager.voiceClient.removeListener && manager.voiceClient.removeListener('incoming', onIncoming));
  }
  const unsubscribe = manager.store.subscribe(() => {
    watchCall(activeCall());
    resolvePending();
  });
  removers.push(() => typeof unsubscribe === 'function' && unsubscribe());
  watchCall(activeCall());

  return {
    sender: out,
    stats,
    stop() {
      for (const remove of removers.splice(0)) remove();
      out.stop();
    },
  };
}
