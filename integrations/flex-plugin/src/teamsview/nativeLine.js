/**
 * Native teamsview event lines (format version 1, see the teamsview README, "The event format").
 *
 * The plugin sends only the four call changes a client token may post:
 * `call.hold`, `call.resume`, `call.mute`, `call.unmute`, each with `worker` (the TaskRouter worker sid),
 * `call` (the TaskRouter task sid, which teamsview uses as the call id of Twilio voice tasks) and `at`
 * (the browser's clock, RFC 3339 with milliseconds, UTC).
 */

/** The native types this plugin sends, by the change they report. */
export const CallChange = Object.freeze({
  hold: 'call.hold',
  resume: 'call.resume',
  mute: 'call.mute',
  unmute: 'call.unmute',
});

const allowed = new Set(Object.values(CallChange));

/**
 * One native line as an object (serialise with JSON.stringify).
 * @param {string} type one of CallChange's values
 * @param {string} worker worker sid (WK...)
 * @param {string} call task sid (WT...)
 * @param {number} atMs milliseconds since the epoch
 * @returns {{type: string, at: string, worker: string, call: string}}
 * @throws {TypeError} for another type, an empty sid or a time that is not a finite number
 */
export function nativeLine(type, worker, call, atMs) {
  if (!allowed.has(type)) throw new TypeError(`not a call change this plugin sends: ${type}`);
  if (typeof worker !== 'string' || worker === '') throw new TypeError('worker sid missing');
  if (typeof call !== 'string' || call === '') throw new TypeError('task sid missing');
  if (!Number.isFinite(atMs)) throw new TypeError('time missing');
  return { type, at: new Date(atMs).toISOString(), worker, call };
}

/** NDJSON body of lines: one JSON object per line, each ending in a newline. */
export function ndjson(lines) {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}
