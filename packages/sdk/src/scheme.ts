/** How an endpoint's requests are signed; the same shape as the endpoint's `signature` field. */
export type SignatureScheme =
  | { scheme: 'standard-webhooks' }
  | { scheme: 'hmac-sha256'; header: string; prefix?: string; encoding?: 'hex' | 'base64' }
  | { scheme: 'verification-key'; header?: string };

export type Body = string | Uint8Array;
