/**
 * @herald/server: Herald inside a Node application (`createHerald`), or run
 * from code as the CLI does (`startHerald`).
 */
export { type HeraldInstance, type HttpMode, type StartOptions, startHerald } from './app.ts';
export { type HeraldConfig, type HeraldSettings, loadConfig } from './config.ts';
export {
  type ConfigEndpoint,
  type ConfigEventType,
  type ConfigTenant,
  defineConfig,
  type HeraldConfigFile,
} from './config-file.ts';
export { HeraldError, type HeraldErrorCode } from './domain/errors.ts';
export type * from './domain/types.ts';
export {
  type AcceptedEvent,
  type CreateHeraldOptions,
  createHerald,
  type Herald,
  type SendEventInput,
  type SendOptions,
} from './embed/create-herald.ts';
export type { Store } from './store/port.ts';
export { HERALD_VERSION } from './version.ts';
