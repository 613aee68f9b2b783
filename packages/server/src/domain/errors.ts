/**
 * One error type for everything a caller can get wrong. Each has a stable
 * `code`; the API maps codes to HTTP statuses in one place (api/errors.ts).
 */
export type HeraldErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  /** The idempotency key was used before for a different event. */
  | 'idempotency_conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'rate_limited'
  | 'unavailable'
  | 'config_invalid'
  | 'internal';

export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  readonly code: HeraldErrorCode;
  readonly details: unknown;

  constructor(code: HeraldErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string, id: string): HeraldError =>
  new HeraldError('not_found', `${what} '${id}' was not found`);

export const invalid = (message: string, details?: unknown): HeraldError =>
  new HeraldError('validation_failed', message, details);
