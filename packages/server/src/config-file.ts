/**
 * `herald.config.{ts,js,json}`: event types, tenants and endpoints declared
 * in a file, checked with the API's own schemas and endpoint rules, so the
 * file accepts exactly what the API would. Any problem stops the start with
 * a message naming the key: `herald.config.ts: tenants[0].endpoints[1].timeoutMs: must be >= 1000`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Static, Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { buildEndpoint, type CreateEndpointInput } from './api/endpoint-config.ts';
import { describeAjvErrors, pointerToPath } from './api/errors.ts';
import { findUnstorableText } from './api/input-limits.ts';
import { CreateEndpointBody } from './api/schemas/endpoints.ts';
import { CreateEventTypeBody } from './api/schemas/event-types.ts';
import { createPayloadSchemas } from './delivery/payload-schemas.ts';
import { HeraldError } from './domain/errors.ts';
import { validateEventTypeName } from './domain/names.ts';

/** An event type as `POST /v1/event-types` takes it. */
export type ConfigEventType = Static<typeof CreateEventTypeBody>;
/** An endpoint as `POST /v1/tenants/:tid/endpoints` takes it; give it a `name` so edits update it in place. */
export type ConfigEndpoint = CreateEndpointInput;

export interface ConfigTenant {
  /** `[A-Za-z0-9_-]{1,64}`: the id the API and events use. */
  id: string;
  /** Default: the id. */
  name?: string;
  metadata?: Record<string, unknown>;
  endpoints?: ConfigEndpoint[];
}

export interface HeraldConfigFile {
  eventTypes?: ConfigEventType[];
  tenants?: ConfigTenant[];
}

/** Types the config file's object; returns it unchanged. */
export function defineConfig(config: HeraldConfigFile): HeraldConfigFile {
  return config;
}

const ConfigTenantSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
    endpoints: Type.Optional(Type.Array(CreateEndpointBody)),
  },
  { additionalProperties: false },
);

export const ConfigFileSchema = Type.Object(
  {
    eventTypes: Type.Optional(Type.Array(CreateEventTypeBody)),
    tenants: Type.Optional(Type.Array(ConfigTenantSchema)),
  },
  { additionalProperties: false },
);

export const CONFIG_FILE_NAMES = ['herald.config.ts', 'herald.config.js', 'herald.config.json'] as const;

export interface LoadedConfigFile {
  path: string;
  config: HeraldConfigFile;
}

export interface ConfigFileRules {
  maxCustomHeaders: number;
  /** HERALD_WORKER_CONCURRENCY: bounds each endpoint's `maxInFlight` (api/endpoint-config.ts). */
  workerConcurrency?: number;
  /** Compiles endpoints' transforms, so a broken one stops the start with its message. */
  checkTransform?: (source: string) => string | null;
}

function invalidFile(file: string, message: string, details?: unknown): HeraldError {
  return new HeraldError('config_invalid', `${file}: ${message}`, details);
}

/** HERALD_CONFIG when set (it must exist), else the first herald.config.{ts,js,json} in `cwd`, else none. */
export function findConfigFile(configPath: string | null, cwd: string): string | null {
  if (configPath !== null) {
    const path = isAbsolute(configPath) ? configPath : resolve(cwd, configPath);
    if (!existsSync(path)) {
      throw new HeraldError(
        'config_invalid',
        `HERALD_CONFIG=${configPath}: no such file (looked at ${path})`,
      );
    }
    return path;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** tsx is an optional peer dependency of the published package: only a .ts config needs it. */
function isMissingTsx(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /'tsx|"tsx|tsx\//.test(message ?? '')
  );
}

async function readConfigObject(path: string): Promise<unknown> {
  const file = basename(path);
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw invalidFile(file, `is not valid JSON: ${(err as Error).message}`);
    }
  }
  let mod: { default?: unknown };
  try {
    // A TypeScript config is compiled by tsx whether Herald runs from its sources or its compiled
    // bundle; tsx is loaded only then, as it costs about 40 MB of memory.
    const url = pathToFileURL(path).href;
    mod = (
      path.endsWith('.ts')
        ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url)
        : await import(url)
    ) as { default?: unknown };
  } catch (err) {
    if (path.endsWith('.ts') && isMissingTsx(err)) {
      throw invalidFile(
        file,
        'is TypeScript, which needs the tsx package to load: run `npm install tsx`, or write herald.config.js or .json instead',
      );
    }
    throw invalidFile(file, `could not be loaded: ${(err as Error).message}`);
  }
  if (mod.default === undefined) {
    throw invalidFile(file, 'has no default export; write `export default defineConfig({ … })`');
  }
  return mod.default;
}

/**
 * Checks a config object as the API would check each request, plus what only
 * a whole file can get wrong (the same tenant, endpoint or version twice).
 * Throws HeraldError('config_invalid') naming the first bad key.
 */
export function validateConfigFile(raw: unknown, file: string, rules: ConfigFileRules): HeraldConfigFile {
  // Round-trip through JSON: `secret: process.env.X` left unset is simply absent, as in a JSON file.
  let data: unknown;
  try {
    data = JSON.parse(JSON.stringify(raw ?? null));
  } catch (err) {
    throw invalidFile(file, `cannot be read as JSON data: ${(err as Error).message}`);
  }
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
  const check = ajv.compile(ConfigFileSchema);
  if (!check(data)) {
    const fields = describeAjvErrors('', check.errors ?? []);
    const first = fields[0];
    const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
    throw invalidFile(file, `${first?.path || '(root)'}: ${first?.message ?? 'is not valid'}${more}`, fields);
  }
  // What the API refuses to store (NUL, lone surrogates), a file may not slip in either.
  const unstorable = findUnstorableText(data);
  if (unstorable)
    throw invalidFile(file, `${pointerToPath('', unstorable.pointer) || '(root)'}: ${unstorable.message}`);
  const config = data as HeraldConfigFile;
  const payloadSchemas = createPayloadSchemas();

  const versions = new Set<string>();
  for (const [i, et] of (config.eventTypes ?? []).entries()) {
    const at = `eventTypes[${i}]`;
    const nameError = validateEventTypeName(et.name);
    if (nameError !== null) throw invalidFile(file, `${at}.name: ${nameError}`);
    const key = `${et.name}@${et.version ?? 1}`;
    if (versions.has(key)) {
      throw invalidFile(file, `${at}: '${et.name}' version ${et.version ?? 1} is declared twice`);
    }
    versions.add(key);
    if (et.schema) {
      const schemaError = payloadSchemas.checkSchema(et.schema);
      if (schemaError !== null)
        throw invalidFile(file, `${at}.schema: is not a valid JSON Schema: ${schemaError}`);
      if (et.example !== undefined) {
        const problem = payloadSchemas.validateWith(et.schema, et.example)[0];
        if (problem) {
          const path = problem.path.replace(/^data/, `${at}.example`);
          throw invalidFile(file, `${path}: ${problem.message} (the example does not match the schema)`);
        }
      }
    }
  }

  const tenantIds = new Set<string>();
  for (const [i, tenant] of (config.tenants ?? []).entries()) {
    if (tenantIds.has(tenant.id))
      throw invalidFile(file, `tenants[${i}].id: '${tenant.id}' is declared twice`);
    tenantIds.add(tenant.id);
    const names = new Set<string>();
    const unnamedUrls = new Set<string>();
    for (const [j, endpoint] of (tenant.endpoints ?? []).entries()) {
      const at = `tenants[${i}].endpoints[${j}]`;
      try {
        buildEndpoint(tenant.id, endpoint, 0, rules);
      } catch (err) {
        if (!(err instanceof HeraldError)) throw err;
        const detail = (err.details as { path: string; message: string }[] | undefined)?.[0];
        throw invalidFile(file, detail ? `${at}.${detail.path}: ${detail.message}` : `${at}: ${err.message}`);
      }
      // Entries are matched to stored endpoints by name, else by URL: each must be unique.
      if (endpoint.name) {
        if (names.has(endpoint.name)) {
          throw invalidFile(
            file,
            `${at}.name: '${endpoint.name}' is used by another endpoint of this tenant`,
          );
        }
        names.add(endpoint.name);
      } else {
        const url = endpoint.url.trim();
        if (unnamedUrls.has(url)) {
          throw invalidFile(file, `${at}.url: two unnamed endpoints share this URL; give each a "name"`);
        }
        unnamedUrls.add(url);
      }
    }
  }
  return config;
}

/** Finds, loads and checks the config file; null when there is none. */
export async function loadConfigFile(
  configPath: string | null,
  rules: ConfigFileRules,
  cwd: string = process.cwd(),
): Promise<LoadedConfigFile | null> {
  const path = findConfigFile(configPath, cwd);
  if (path === null) return null;
  const raw = await readConfigObject(path);
  return { path, config: validateConfigFile(raw, basename(path), rules) };
}
