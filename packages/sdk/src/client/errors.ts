/** An answer from Herald that was not a success, with Herald's own code and message. */
export class HeraldApiError extends Error {
  override readonly name = 'HeraldApiError';
  constructor(
    /** The HTTP status; 0 when Herald could not be reached at all. */
    readonly status: number,
    /** Herald's stable error code (`validation_failed`, `not_found`…), or `network_error`. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
