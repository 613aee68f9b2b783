/**
 * The rules an endpoint's URL follows, whether it comes from the endpoint's
 * configuration or from its transform: an absolute http(s) URL naming a
 * host, holding `{VerificationKey}` only when the signature scheme
 * substitutes it, and then only in its path or query.
 */
import type { SignatureConfig } from './types.ts';

const PLACEHOLDER = /\{VerificationKey\}|%7BVerificationKey%7D/i;

/** null when `url` may be sent to, else what is wrong and how to fix it. */
export function urlProblem(url: string, scheme: SignatureConfig['scheme']): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not an absolute URL; use e.g. https://example.com/webhooks`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `must use http or https, not '${parsed.protocol.replace(/:$/, '')}'`;
  }
  if (parsed.hostname === '') return 'must name a host, e.g. https://example.com/webhooks';
  if (!PLACEHOLDER.test(url)) return null;
  if (scheme !== 'verification-key') {
    return "holds {VerificationKey}, which is only substituted when signature.scheme is 'verification-key'";
  }
  if (
    PLACEHOLDER.test(`${parsed.username}:${parsed.password}@${parsed.host}`) ||
    PLACEHOLDER.test(parsed.hash)
  ) {
    return 'may hold {VerificationKey} only in its path or query';
  }
  return null;
}

/** The header a signature scheme writes besides Herald's own, which custom headers may not set. */
export function signatureHeaderNames(signature: SignatureConfig): string[] {
  return signature.scheme === 'standard-webhooks' ? [] : [signature.header ?? 'X-Verification-Key'];
}
