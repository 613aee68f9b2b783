/**
 * TypeScript code an embedding application writes against the installed
 * @herald/server, checked by the project's own strict `tsc` (no skipLibCheck)
 * in both module modes users have: `nodenext` (ESM and CommonJS files) and
 * `bundler`. The negative cases prove the checks can fail.
 */
import { readmeSnippet } from './project.ts';

export interface TsCheck {
  name: string;
  files: Record<string, string>;
  project: string;
  /** Absent: must compile cleanly. Present: must fail, mentioning each of these. */
  expectErrors?: string[];
}

const tsconfig = (module: 'nodenext' | 'bundler', files: string[]) =>
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2023'],
      types: ['node'],
      skipLibCheck: false,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      ...(module === 'nodenext'
        ? { module: 'nodenext', moduleResolution: 'nodenext' }
        : { module: 'esnext', moduleResolution: 'bundler' }),
    },
    files,
  });

const APP_ESM = `import { createHerald, defineConfig, HeraldError, type AcceptedEvent, type Herald } from '@herald/server';

const config = defineConfig({
  eventTypes: [{ name: 'content.create', schema: { type: 'object' } }],
  tenants: [{ id: 'cms', endpoints: [{ name: 'site', url: 'https://example.com/hooks', eventTypes: ['content.*'] }] }],
});
const herald: Herald = await createHerald({
  databaseUrl: 'sqlite:./app.db',
  settings: { logLevel: 'warn', workerConcurrency: 8, allowPrivateNetworks: '127.0.0.0/8' },
  config,
  listen: { host: '127.0.0.1', port: 0 },
});
const accepted: AcceptedEvent = await herald.send('cms', { type: 'content.create', data: { entry: 1 } }, { idempotencyKey: 'k' });
const batch: AcceptedEvent[] = await herald.sendBatch('cms', [{ type: 'content.create', data: {}, resource: 'r1' }]);
const where: string | null = herald.url;
try {
  await herald.send('nobody', { type: 'content.create', data: {} });
} catch (err) {
  if (err instanceof HeraldError) {
    const code: 'not_found' | string = err.code;
    console.log(code, err.message, err.details);
  }
}
console.log(accepted.id, accepted.deliveries.length, batch.length, where);
await herald.stop();
`;

const APP_CJS = `import { createHerald, type Herald } from '@herald/server';

export async function start(): Promise<Herald> {
  return createHerald({ databaseUrl: 'sqlite:./app.db', listen: false });
}
`;

const WRONG = `import { createHerald } from '@herald/server';

const herald = await createHerald({ settings: { noSuchSetting: true } });
await herald.send('cms', { type: 42, data: {} });
`;

export const TS_CHECKS: TsCheck[] = [
  {
    name: 'an ES module app and the README example, module nodenext',
    files: {
      'ts/app.mts': APP_ESM,
      'ts/readme.mts': readmeSnippet('README.md', '## Embed Herald in your Node app', 'js'),
      'ts/app.cts': APP_CJS,
      'tsconfig.nodenext.json': tsconfig('nodenext', ['ts/app.mts', 'ts/readme.mts', 'ts/app.cts']),
    },
    project: 'tsconfig.nodenext.json',
  },
  {
    name: 'the same app, moduleResolution bundler',
    files: {
      'ts/app.ts': APP_ESM,
      'tsconfig.bundler.json': tsconfig('bundler', ['ts/app.ts']),
    },
    project: 'tsconfig.bundler.json',
  },
  {
    name: 'an unknown setting and a wrongly typed event do not compile',
    files: {
      'ts/wrong.mts': WRONG,
      'tsconfig.wrong.json': tsconfig('nodenext', ['ts/wrong.mts']),
    },
    project: 'tsconfig.wrong.json',
    expectErrors: ["'noSuchSetting' does not exist", "Type 'number' is not assignable to type 'string'"],
  },
];
