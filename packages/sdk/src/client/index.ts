export { HeraldClient, type HeraldClientOptions } from './client.ts';
export { HeraldApiError } from './errors.ts';
export type * from './health-types.ts';
export type * from './ops-types.ts';
export type * from './transform-types.ts';
export type * from './types.ts';
