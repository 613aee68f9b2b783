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

  // scheme://user:password@host…: keep the user, mask the password.
  rest = rest.replace(
    /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@]*)@/,
    (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
    },
  );

  return rest + query + fragment;
}
