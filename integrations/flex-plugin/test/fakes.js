// Stand-ins for what Flex and the Voice SDK provide at run time, with only the members the plugin uses.

/** Flex's Actions: `addListener('beforeX'|'afterX', fn)`; `invoke` runs before-listeners, then after-listeners. */
export class FakeActions {
  constructor() {
    this.listeners = new Map();
  }

  addListener(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(fn);
  }

  removeListener(name, fn) {
    this.listeners.set(name, (this.listeners.get(name) ?? []).filter((f) => f !== fn));
  }

  async invoke(action, payload = {}) {
    for (const fn of this.listeners.get(`before${action}`) ?? []) await fn(payload, () => {});
    for (const fn of this.listeners.get(`after${action}`) ?? []) await fn(payload);
    return payload;
  }
}

/** A Voice SDK Call: `parameters.CallSid`, `on('mute', (isMuted, call) => ...)`, `mute(bool)`, `isMuted()`. */
export class FakeCall {
  constructor(callSid) {
    this.parameters = { CallSid: callSid };
    this.muted = false;
    this.handlers = new Map();
  }

  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(fn);
    return this;
  }

  mute(shouldMute = true) {
    const changed = this.muted !== shouldMute;
    this.muted = shouldMute;
    if (changed) for (const fn of this.handlers.get('mute') ?? []) fn(shouldMute, this);
  }

  isMuted() {
    return this.muted;
  }
}

/** A Redux-like store holding `flex.worker.tasks` (a Map) and `flex.phone.activeCall`. */
export class FakeStore {
  constructor() {
    this.state = { flex: { worker: { tasks: new Map() }, phone: { activeCall: null } } };
    this.subscribers = [];
  }

  getState() {
    return this.state;
  }

  subscribe(fn) {
    this.subscribers.push(fn);
    return () => {
      this.subscribers = this.subscribers.filter((f) => f !== fn);
    };
  }

  changed() {
    for (const fn of this.subscribers) fn();
  }

  addTask(task) {
    this.state.flex.worker.tasks.set(task.sid, task);
    this.changed();
  }

  setActiveCall(call) {
    this.state.flex.phone.activeCall = call;
    this.changed();
  }
}

/** An ITask-like voice task: reservation sid `sid`, `taskSid`, and the current worker's conference leg. */
export function voiceTask(taskSid, myCallSid, channel = 'voice') {
  const participants = myCallSid
    ? [
        { participantType: 'customer', callSid: `CA-customer-${taskSid}`, isCurrentWorker: false, status: 'joined' },
        { participantType: 'worker', callSid: myCallSid, isCurrentWorker: true, status: 'joined', workerSid: 'WK1' },
      ]
    : [];
  return { sid: `WR-${taskSid}`, taskSid, taskChannelUniqueName: channel, conference: { participants } };
}

/** A Flex Device (manager.voiceClient): `on('incoming', fn)`. */
export class FakeDevice {
  constructor() {
    this.handlers = [];
  }

  on(event, fn) {
    if (event === 'incoming') this.handlers.push(fn);
  }

  removeListener(event, fn) {
    this.handlers = this.handlers.filter((f) => f !== fn);
  }

  ring(call) {
    for (const fn of this.handlers) fn(call);
  }
}

/** Flex (`Actions`, `TaskHelper`) and a Manager around the fakes above. */
export function fakeFlex() {
  const store = new FakeStore();
  const actions = new FakeActions();
  const device = new FakeDevice();
  const flex = {
    Actions: actions,
    TaskHelper: {
      getTaskByTaskSid: (sid) =>
        Array.from(store.state.flex.worker.tasks.values()).find((t) => t.taskSid === sid || t.sid === sid),
      isCallTask: (task) => task.taskChannelUniqueName === 'voice',
    },
  };
  const manager = { workerClient: { sid: 'WK1' }, store, voiceClient: device };
  return { flex, manager, store, actions, device };
}

/** Timers that run only when told, in due order; `run()` fires everything due until nothing is left. */
export class FakeTimers {
  constructor() {
    this.now = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.fired = [];
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.pending.set(id, { fn, at: this.now + ms, ms });
      return id;
    };
    this.clearTimeout = (id) => {
      this.pending.delete(id);
    };
  }

  /** Fires the next timer due (letting promises settle before and after). */
  async step() {
    await settle();
    if (this.pending.size === 0) return false;
    const [id, timer] = Array.from(this.pending.entries()).sort((a, b) => a[1].at - b[1].at)[0];
    this.pending.delete(id);
    this.now = Math.max(this.now, timer.at);
    this.fired.push(timer.ms);
    timer.fn();
    await settle();
    return true;
  }

  /** Fires timers in order (letting promises settle between them) until none is pending. */
  async run(limit = 1000) {
    for (let i = 0; i < limit; i++) {
      if (!(await this.step())) return;
    }
    throw new Error('timers kept firing');
  }
}

/** Lets pending promise callbacks run. */
export async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A fetch that records requests and answers from a script (default: everything accepted). */
export function fakeFetch(script = []) {
  const requests = [];
  const fetch = async (url, init) => {
    const lines = init.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    requests.push({ url, init, lines });
    const step = script.length > 0 ? script.shift() : { status: 200 };
    if (step.throws) throw new Error(step.throws);
    const body = step.body ?? { accepted: lines.length, rejected: 0, events: lines.length, errors: [] };
    return { status: step.status, ok: step.status < 300, json: async () => body };
  };
  return { fetch, requests };
}

export const quietLog = { warn() {}, info() {}, error() {} };
