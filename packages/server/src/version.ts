import { readFileSync } from 'node:fs';
import { serverPath } from './paths.ts';

/** Herald's version, from the server package's package.json. */
export const HERALD_VERSION: string = (
  JSON.parse(readFileSync(serverPath('package.json'), 'utf8')) as { version: string }
).version;
