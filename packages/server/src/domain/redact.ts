/**
 * URLs that carry secrets. A `verification-key` endpoint may hold
 * `{VerificationKey}` in its URL: the key is put there only when sending,
 * and everything that shows a URL (logs, the API, the attempt log) shows the
 * placeholder instead. Userinfo passwords and query parameters that look like
 * credentials are masked too, since receivers often put tokens in their URLs.
 */

export const VERIFICATION_KEY_PLACEHOLDER = '{VerificationKey}';

// The placeholder as written, or as `new URL()` percent-encodes it.
const PLACEHOLDER_FORMS = /\{VerificationKey\}|%7BVerificationKey%7D/gi;
const MASK = '***';
const SENSITIVE_PARAM = /key|token|secret|signature|password|passwd|pwd|credential|auth|^sig$|^code$/;

/** The URL to send to: every placeholder replaced by the URL-encoded key. Without a key the URL is unchanged. */
export function substituteUrl(url: string, key: string | undefined): string {
  if (key === undefined) return url;
  const encoded = encodeURIComponent(key);
  return url.replace(PLACEHOLDER_FORMS, () => encoded);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function isSensitiveName(rawName: string): boolean {
  return SENSITIVE_PARAM.test(
    safeDecode(rawName)
      .toLowerCase()
      .replace(/[-_.\s]/g, ''),
  );
}

function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value.length === 0 || value === VERIFICATION_KEY_PLACEHOLDER || !isSensitiveName(name)) return pair;
      return `${name}=${MASK}`;
    })
    .join('&');
}

/**
 * The URL for display. Works on the string as given (no normalization), so
 * the result reads like what the user typed, minus the secrets.
 */
export function redactUrl(url: string): string {
  let rest = url.replace(PLACEHOLDER_FORMS, VERIFICATION_KEY_PLACEHOLDER);

  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    // Fragments sometimes carry tokens the same way queries do (`#access_token=…`).
    if (fragment.includes('=')) fragment = redactParams(fragment);
    fragment = `#${fragment}`;
  }

  let query = '';
  const question = rest.indexOf('?');
  if (question !== -1) {
    query = `?${redactParams(rest.slice(question + 1))}`;
    rest = rest.slice(0, question);
  }

  return maskUserinfo(rest) + query + fragment;
}

// `scheme://userinfo@`, at the start of a URL.
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@?#]*)@/;
// Schemes whose user without a password is a token (`nats://<token>@host`).
const TOKEN_USER_SCHEMES = new Set(['nats://', 'tls://']);

/**
 * The URL with its userinfo password masked (`amqp://herald:***@host`), and a
 * NATS token (`nats://<token>@host`) too; the rest as given. This is how the
 * API shows an endpoint's URL: its owner sees where it points without the
 * broker's password, and a PATCH that sends the masked URL back keeps the
 * stored password (restoreMaskedUserinfo).
 */
export function maskUserinfo(url: string): string {
  return url.replace(USERINFO, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon !== -1) return `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
    return TOKEN_USER_SCHEMES.has(scheme.toLowerCase()) ? `${scheme}${MASK}@` : `${scheme}${userinfo}@`;
  });
}

/** The host and port after the userinfo, lower-case: `rabbit.example.com:5672`. */
function authorityAfter(url: string, userinfo: string): string {
  return (/^[^/?#]*/.exec(url.slice(userinfo.length))?.[0] ?? '').toLowerCase();
}

/**
 * A URL sent back with its userinfo still masked by maskUserinfo gets the
 * stored URL's password (or token) back, but only for the same scheme, user,
 * host and port: the stored password never goes to another broker. A URL
 * without the mask is taken as given; a masked one that cannot be restored
 * is null (the caller asks for the password).
 */
export function restoreMaskedUserinfo(url: string, stored: string): string | null {
  const sent = USERINFO.exec(url);
  if (!sent || !sent[2]!.endsWith(MASK)) return url;
  const had = USERINFO.exec(stored);
  if (!had || maskUserinfo(had[0]).toLowerCase() !== sent[0].toLowerCase()) return null;
  if (authorityAfter(url, sent[0]) !== authorityAfter(stored, had[0])) return null;
  return had[0] + url.slice(sent[0].length);
}
