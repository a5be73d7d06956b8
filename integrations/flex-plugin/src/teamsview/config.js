/**
 * The plugin's settings, from the first source that has each one (normally the Flex configuration's
 * `ui_attributes.custom_data.teamsview`, then the build-time FLEX_APP_TEAMSVIEW_* variables):
 *
 * | key | meaning |
 * |---|---|
 * | `serverUrl` | teamsview's base URL, `https://host[:port]` (the plugin posts to `<serverUrl>/ingest`) |
 * | `clientToken` | the client token the server was started with (`--client-token-file` / `TEAMSVIEW_CLIENT_TOKEN`) |
 * | `conferenceCallbackUrl` | optional: where Twilio sends conference status callbacks (set on `conferenceOptions`) |
 * | `conferenceCallbackEvents` | optional: default `start,end,join,leave,mute,hold` |
 */

export const defaultConferenceEvents = 'start,end,join,leave,mute,hold';

function pick(sources, key) {
  for (const source of sources) {
    const value = source ? source[key] : undefined;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function httpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {...object} sources objects with the keys above, first wins
 * @returns {{ok: true, value: object} | {ok: false, errors: string[]}}
 */
export function readConfig(...sources) {
  const errors = [];
  const serverUrl = pick(sources, 'serverUrl');
  const clientToken = pick(sources, 'clientToken');
  const conferenceCallbackUrl = pick(sources, 'conferenceCallbackUrl');
  const conferenceCallbackEvents = pick(sources, 'conferenceCallbackEvents') ?? defaultConferenceEvents;
  const server = serverUrl ? httpUrl(serverUrl) : undefined;
  if (!serverUrl) errors.push('serverUrl is missing');
  else if (!server) errors.push(`serverUrl is not an http(s) URL: ${serverUrl}`);
  if (!clientToken) errors.push('clientToken is missing');
  if (conferenceCallbackUrl && !httpUrl(conferenceCallbackUrl)) {
    errors.push(`conferenceCallbackUrl is not an http(s) URL: ${conferenceCallbackUrl}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  const base = server.href.replace(/\/+$/, '');
  return {
    ok: true,
    value: { ingestUrl: `${base}/ingest`, clientToken, conferenceCallbackUrl, conferenceCallbackEvents },
  };
}
