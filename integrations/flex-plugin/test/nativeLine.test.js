import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CallChange, nativeLine, ndjson } from '../src/teamsview/nativeLine.js';
import { readConfig } from '../src/teamsview/config.js';

test('a native line carries type, RFC 3339 UTC time, worker sid and task sid', () => {
  const line = nativeLine(CallChange.mute, 'WK1', 'WT1', Date.UTC(2026, 10, 25, 9, 3, 0, 250));
  assert.deepEqual(line, { type: 'call.mute', at: '2026-11-25T09:03:00.250Z', worker: 'WK1', call: 'WT1' });
  assert.equal(ndjson([line, line]).split('\n').length, 3);
});

test('only the four call changes, with both sids and a time, make a line', () => {
  assert.throws(() => nativeLine('call.end', 'WK1', 'WT1', 0), /not a call change/);
  assert.throws(() => nativeLine('call.start', 'WK1', 'WT1', 0), /not a call change/);
  assert.throws(() => nativeLine(CallChange.hold, '', 'WT1', 0), /worker/);
  assert.throws(() => nativeLine(CallChange.hold, 'WK1', undefined, 0), /task/);
  assert.throws(() => nativeLine(CallChange.hold, 'WK1', 'WT1', Number.NaN), /time/);
});

test('configuration: first source wins, the ingest URL is derived, bad values are named', () => {
  const ok = readConfig({ serverUrl: 'https://tv.example.com/' }, { serverUrl: 'http://other', clientToken: 'c1' });
  assert.equal(ok.ok, true);
  assert.equal(ok.value.ingestUrl, 'https://tv.example.com/ingest');
  assert.equal(ok.value.clientToken, 'c1');
  assert.equal(ok.value.conferenceCallbackUrl, undefined);
  assert.equal(ok.value.conferenceCallbackEvents, 'start,end,join,leave,mute,hold');
  const bad = readConfig({ serverUrl: 'ftp://x', conferenceCallbackUrl: 'nope' });
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.errors, [
    'serverUrl is not an http(s) URL: ftp://x',
    'clientToken is missing',
    'conferenceCallbackUrl is not an http(s) URL: nope',
  ]);
});
