import { ndjson } from './nativeLine.js';

/**
 * Sends native lines to teamsview's `POST /ingest` in batches, in order, with bounded retry and a bounded queue.
 *
 * - Lines wait at most `batchMs` (default 200 ms) and go at most `maxBatch` (default 50) per request, as
 *   `application/x-ndjson` with `Authorization: Bearer <client token>`.
 * - A batch that fails for a reason that may pass (network error, HTTP 408, 429 or 5xx) is sent again after
 *   `min(maxBackoffMs, baseBackoffMs * 2^attempt)`, scaled by a random factor in [0.5, 1) so many browsers do not
 *   retry in step; after `maxRetries` retries it is dropped and counted (`stats.failedLines`). Later lines wait
 *   behind it, so the server sees them in the order they happened.
 * - A batch the server refuses for good (422 with per-line errors, 400, 401, 403, 413, 415) is not retried: its lines
 *   are counted as rejected, with the server's reasons kept in `stats.lastErrors`.
 * - At most `maxQueue` (default 500) lines wait; past that the oldest is dropped and counted (`stats.dropped`):
 *   the newest state is the one worth showing.
 *
 * Everything the outside world does is injected (fetch, timers, clock, randomness), so tests run without a network
 * or real time.
 */
export class LineSender {
  /**
   * @param {object} options
   * @param {string} options.url the ingest URL, e.g. `https://teamsview.example.com/ingest`
   * @param {string} options.token the client token
   * @param {Function} [options.fetch] WHATWG fetch
   * @param {Function} [options.setTimeout]
   * @param {Function} [options.clearTimeout]
   * @param {Function} [options.random] uniform in [0, 1)
   * @param {object} [options.log] console-like: `warn`
   */
  constructor(options) {
    const o = { batchMs: 200, maxBatch: 50, maxQueue: 500, maxRetries: 5, baseBackoffMs: 500, maxBackoffMs: 15000, ...options };
    if (typeof o.url !== 'string' || o.url === '') throw new TypeError('LineSender needs the ingest url');
    if (typeof o.token !== 'string' || o.token === '') throw new TypeError('LineSender needs the client token');
    for (const key of ['batchMs', 'maxBatch', 'maxQueue', 'maxRetries', 'baseBackoffMs', 'maxBackoffMs']) {
      if (!Number.isFinite(o[key]) || o[key] < 0) throw new TypeError(`${key} must be a number >= 0`);
    }
    if (o.maxBatch < 1 || o.maxQueue < 1) throw new TypeError('maxBatch and maxQueue must be at least 1');
    this.url = o.url;
    this.token = o.token;
    this.batchMs = o.batchMs;
    this.maxBatch = o.maxBatch;
    this.maxQueue = o.maxQueue;
    this.maxRetries = o.maxRetries;
    this.baseBackoffMs = o.baseBackoffMs;
    this.maxBackoffMs = o.maxBackoffMs;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.setTimeout = o.setTimeout ?? globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = o.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
    this.random = o.random ?? Math.random;
    this.log = o.log ?? console;
    /** Lines waiting, oldest first. */
    this.queue = [];
    /** The batch being sent or waiting to be retried. */
    this.inFlight = null;
    this.attempt = 0;
    this.timer = null;
    this.idleWaiters = [];
    this.stats = { enqueued: 0, sentRequests: 0, accepted: 0, rejected: 0, dropped: 0, retries: 0, failedLines: 0, lastErrors: [] };
  }

  /** Queues one line (an object); sends it within `batchMs`. */
  enqueue(line) {
    this.stats.enqueued += 1;
    this.queue.push(line);
    while (this.queue.length > this.maxQueue) {
      this.queue.shift();
      this.stats.dropped += 1;
    }
    this.schedule(this.queue.length >= this.maxBatch ? 0 : this.batchMs);
  }

  /** Lines waiting to be sent, the batch in flight included. */
  get pending() {
    return this.queue.length + (this.inFlight ? this.inFlight.length : 0);
  }

  /** Resolves once nothing is waiting (every line sent, rejected or dropped). */
  idle() {
    if (this.pending === 0 && this.timer === null) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops timers; what is queued stays queued. */
  stop() {
    if (this.timer !== null) this.clearTimeout(this.timer);
    this.timer = null;
  }

  schedule(delayMs) {
    if (this.inFlight) return; // the running batch schedules the next one when it is done
    if (this.timer !== null) {
      if (delayMs > 0) return;
      this.clearTimeout(this.timer);
    }
    this.timer = this.setTimeout(() => {
      this.timer = null;
      this.sendNext();
    }, delayMs);
  }

  async sendNext() {
    if (!this.inFlight) {
      if (this.queue.length === 0) return this.settle();
      this.inFlight = this.queue.splice(0, this.maxBatch);
      this.attempt = 0;
    }
    const batch = this.inFlight;
    let outcome;
    try {
      this.stats.sentRequests += 1;
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${this.token}` },
        body: ndjson(batch),
      });
      outcome = await this.judge(response, batch.length);
    } catch (error) {
      outcome = { retry: true, why: `network: ${error && error.message ? error.message : error}` };
    }
    if (outcome.retry && this.attempt < this.maxRetries) {
      const delay = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** this.attempt) * (0.5 + this.random() / 2);
      this.attempt += 1;
      this.stats.retries += 1;
      this.timer = this.setTimeout(() => {
        this.timer = null;
        this.sendNext();
      }, delay);
      return undefined;
    }
    if (outcome.retry) {
      this.stats.failedLines += batch.length;
      this.log.warn(`[teamsview] dropped ${batch.length} lines after ${this.attempt} retries (${outcome.why})`);
    }
    this.inFlight = null;
    this.attempt = 0;
    if (this.queue.length > 0) {
      this.schedule(this.queue.length >= this.maxBatch ? 0 : this.batchMs);
      return undefined;
    }
    return this.settle();
  }

  /** Reads the server's answer: `{accepted, rejected, errors: [{index, reason}]}` on 200, 422 and 400. */
  async judge(response, count) {
    const status = response.status;
    if (status === 408 || status === 429 || status >= 500) return { retry: true, why: `HTTP ${status}` };
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (body && Number.isInteger(body.accepted) && Number.isInteger(body.rejected)) {
      this.stats.accepted += body.accepted;
      this.stats.rejected += body.rejected;
      if (Array.isArray(body.errors) && body.errors.length > 0) {
        this.stats.lastErrors = body.errors.slice(0, 10);
        this.log.warn(`[teamsview] ${body.rejected} lines rejected: ${body.errors[0].reason}`);
      }
      return { retry: false };
    }
    this.stats.rejected += count;
    const reason = body && typeof body.error === 'string' ? body.error : `HTTP ${status}`;
    this.stats.lastErrors = [{ index: -1, reason }];
    this.log.warn(`[teamsview] ${count} lines refused: ${reason}`);
    return { retry: false };
  }

  settle() {
    if (this.pending === 0 && this.timer === null) {
      const waiters = this.idleWaiters.splice(0);
      for (const resolve of waiters) resolve();
    }
    return undefined;
  }
}
