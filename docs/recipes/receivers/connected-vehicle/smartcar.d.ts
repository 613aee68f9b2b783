/**
 * The `smartcar` npm package ships no type declarations; these are the two
 * webhook helpers the receiver uses, as the package documents them.
 */
declare module 'smartcar' {
  /** Hex HMAC-SHA256 of `challenge`, keyed by the application management token. */
  export function hashChallenge(amt: string, challenge: string): string;
  /** Whether `signature` (the SC-Signature header) is the hex HMAC-SHA256 of `JSON.stringify(body)`. */
  export function verifyPayload(amt: string, signature: string, body: unknown): boolean;
  const smartcar: { hashChallenge: typeof hashChallenge; verifyPayload: typeof verifyPayload };
  export default smartcar;
}
