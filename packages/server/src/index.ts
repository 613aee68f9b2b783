/** @herald/server: run Herald from code (tests, embedding) as the CLI does. */
export { type HeraldInstance, type StartOptions, startHerald } from './app.ts';
export { type HeraldConfig, loadConfig } from './config.ts';
export {
  type ConfigEndpoint,
  type ConfigEventType,
  type ConfigTenant,
  defineConfig,
  type HeraldConfigFile,
} from './config-file.ts';
export { HeraldError, type HeraldErrorCode } from './domain/errors.ts';
export type * from './domain/types.ts';
export type { Store } from './store/port.ts';
export { HERALD_VERSION } from './version.ts';
