/**
 * Why a webhook failed verification. `code` is stable, so a receiver can
 * branch on it (e.g. log `timestamp_too_old` as a possible replay); `message`
 * says in words what was wrong.
 */
export type WebhookVerificationErrorCode =
  | 'missing_header'
  | 'invalid_signature'
  | 'no_matching_signature'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_secret'
  | 'missing_key'
  | 'invalid_key'
  | 'invalid_body'
  | 'body_too_large';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
