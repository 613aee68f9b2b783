import { getHeader, type HeadersLike } from './headers.ts';
import { verifyHmacSha256 } from './hmac.ts';
import type { Body, SignatureScheme } from './scheme.ts';
import { type StandardVerifyOptions, verifyStandardWebhook } from './standard-webhooks.ts';
import { DEFAULT_VERIFICATION_KEY_HEADER, verifyVerificationKey } from './verification-key.ts';

export interface VerifyOptions extends StandardVerifyOptions {
  /**
   * verification-key only: the key as it arrived some other way than a header,
   * e.g. read from the URL's path or query where the endpoint's URL holds
   * `{VerificationKey}`. When given, it is checked instead of the header.
   */
  receivedKey?: string;
}

/** Checks a received request against the endpoint's scheme; throws WebhookVerificationError on failure. */
export function verifyWebhook(
  scheme: SignatureScheme,
  secret: string,
  headers: HeadersLike,
  body: Body,
  opts: VerifyOptions = {},
): void {
  switch (scheme.scheme) {
    case 'standard-webhooks':
      verifyStandardWebhook(secret, headers, body, opts);
      return;
    case 'hmac-sha256':
      verifyHmacSha256(secret, getHeader(headers, scheme.header), body, {
        header: scheme.header,
        prefix: scheme.prefix,
        encoding: scheme.encoding,
      });
      return;
    case 'verification-key': {
      if (opts.receivedKey !== undefined) {
        verifyVerificationKey(secret, opts.receivedKey, 'the URL');
        return;
      }
      const header = scheme.header ?? DEFAULT_VERIFICATION_KEY_HEADER;
      verifyVerificationKey(secret, getHeader(headers, header), `the ${header} header`);
    }
  }
}
