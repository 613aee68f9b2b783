export { challengeResponse, isValidChallengeResponse } from './challenge.ts';
export * from './client/index.ts';
export { WebhookVerificationError, type WebhookVerificationErrorCode } from './errors.ts';
export { getHeader, type HeadersLike } from './headers.ts';
export { type HmacOptions, type HmacVerifyOptions, signHmacSha256, verifyHmacSha256 } from './hmac.ts';
export {
  type ExpressLikeNext,
  type ExpressLikeRequest,
  type HeraldExpressOptions,
  heraldExpress,
} from './receivers/express.ts';
export {
  type FastifyLikeInstance,
  type FastifyLikeReply,
  type FastifyLikeRequest,
  type HeraldFastify,
  heraldFastify,
} from './receivers/fastify.ts';
export { verifyNextRequest } from './receivers/next.ts';
export { DEFAULT_BODY_LIMIT, readRawBody, verifyNodeRequest } from './receivers/node-http.ts';
export {
  type JsonObject,
  type JsonValue,
  parsePayload,
  type ReceiverOptions,
  type WebhookPayload,
} from './receivers/payload.ts';
export type { Body, SignatureScheme } from './scheme.ts';
export {
  decodeStandardSecret,
  generateSecret,
  isStandardWebhookSecret,
  STANDARD_SECRET_PREFIX,
  secretKeyBytes,
} from './secrets.ts';
export { type SignedMessage, signatureHeaders } from './sign.ts';
export {
  DEFAULT_TOLERANCE_SEC,
  type StandardVerifyOptions,
  signStandardWebhook,
  verifyStandardWebhook,
} from './standard-webhooks.ts';
export { DEFAULT_VERIFICATION_KEY_HEADER, verifyVerificationKey } from './verification-key.ts';
export { type VerifyOptions, verifyWebhook } from './verify.ts';
