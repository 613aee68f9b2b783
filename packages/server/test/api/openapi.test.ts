/**
 * /openapi.json as outside tools see it: swagger-parser and Redocly accept
 * it, every schema is JSON Schema 2020-12, every operation is named and
 * answers what it documents, and a client generated from it by
 * openapi-typescript compiles strictly and drives a running Herald.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv2020 } from 'ajv/dist/2020.js';
import Fastify from 'fastify';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.ts';
import type { HeraldApp } from '../../src/api/context.ts';
import { registerOpenApi } from '../../src/api/openapi/document.ts';
import { OPERATIONS, type OperationDoc } from '../../src/api/openapi/operations.ts';
import { registerHealthRoutes } from '../../src/api/routes/health.ts';
import { startTestHerald, TEST_ADMIN_KEY } from '../helpers/in-process.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { type Harness, startApi } from './harness.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** Public, no input: nothing a client sends can make these answer 4xx. */
const NO_CLIENT_ERROR = new Set(['getHealth', 'getReadiness', 'getPortalBranding']);

const operationsOf = (doc: any): Record<string, any>[] =>
  Object.entries<Record<string, object>>(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ ...op, method, path })),
  );

let h: Harness;
let doc: any;
let dir: string;
const op = (id: string) => operationsOf(doc).find((o) => o.operationId === id)!;

beforeAll(async () => {
  h = await startApi();
  const res = await h.call('GET', '/openapi.json', undefined, { key: null });
  expect(res.status).toBe(200);
  doc = res.body;
  dir = mkdtempSync(join(tmpdir(), 'herald-openapi-'));
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc, null, 2));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 that @apidevtools/swagger-parser validates', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('passes `redocly lint` (recommended rules) without errors', async () => {
    const cli = join(REPO, 'node_modules/@redocly/cli/bin/cli.js');
    // Exit code 1 on errors: read the report either way, and judge by it.
    const { stdout } = await run(process.execPath, [cli, 'lint', 'openapi.json', '--format=json'], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout: string }) => err);
    const report = JSON.parse(stdout) as { totals: { errors: number }; problems: any[] };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
    // The only warnings left are the operations that cannot answer a 4xx.
    const pointers = report.problems.map((p) => `${p.ruleId} ${p.location[0].pointer}`);
    const noClientError = operationsOf(doc).filter((o) => NO_CLIENT_ERROR.has(o.operationId));
    expect(pointers.sort()).toEqual(
      noClientError
        .map((o) => `operation-4xx-response #/paths/${o.path.replaceAll('/', '~1')}/${o.method}/responses`)
        .sort(),
    );
  });

  it('has only JSON Schema 2020-12 schemas (no 3.0 `nullable`, no unknown keywords)', () => {
    const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false });
    ajv.removeKeyword('nullable'); // Ajv knows OpenAPI 3.0's keyword; 3.1 does not
    ajv.addVocabulary(['example']);
    ajv.addFormat('date-time', true);
    const schemas: unknown[] = Object.values(doc.components.schemas);
    for (const o of operationsOf(doc)) {
      for (const p of o.parameters ?? []) schemas.push(p.schema);
      for (const m of Object.values<any>(o.requestBody?.content ?? {})) schemas.push(m.schema);
      for (const r of Object.values<any>(o.responses))
        for (const m of Object.values<any>(r.content ?? {})) schemas.push(m.schema);
    }
    expect(schemas.length).toBeGreaterThan(100);
    for (const schema of schemas) expect(() => ajv.compile(schema as object)).not.toThrow();
  });

  it('names, tags and summarizes every operation once, with its success and error answers', () => {
    const ops = operationsOf(doc);
    expect(ops).toHaveLength(Object.keys(OPERATIONS).length);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
    for (const o of ops) {
      const what = `${o.method} ${o.path}`;
      expect(o.operationId, what).toMatch(/^[a-z][a-zA-Z0-9]+$/);
      expect(o.tags, what).toHaveLength(1);
      expect(tags.has(o.tags[0]), what).toBe(true);
      expect(o.summary, what).toBeTruthy();
      const statuses = Object.keys(o.responses);
      const has = (re: RegExp) => statuses.some((s) => re.test(s));
      expect(has(/^2\d\d$/), `${what} 2xx`).toBe(true);
      if (!NO_CLIENT_ERROR.has(o.operationId)) expect(has(/^4\d\d$/), `${what} 4xx`).toBe(true);
      for (const s of statuses.filter((s) => /^[45]/.test(s))) {
        const name = o.responses[s].$ref.replace('#/components/responses/', '');
        expect(doc.components.responses[name].content['application/json'].schema, what).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
    expect(op('sendEvent').responses).toHaveProperty('202');
    expect(op('listEndpoints').path).toBe('/v1/tenants/{tid}/endpoints');
    expect(op('getHealth').security).toEqual([]);
    expect(op('listTenants').security).toBeUndefined(); // the document's bearerAuth
    // Herald reads a missing body as {}: only a schema with a required field needs one.
    expect(op('rotateEndpointSecret').requestBody.required).toBe(false);
    expect(op('createEndpoint').requestBody.required).toBe(true);
  });

  it('documents the errors routes really answer, in the documented shape', async () => {
    const acme = await h.tenant('acme');
    const error = new Ajv2020({ strict: false }).compile(doc.components.schemas.Error);
    const events = '/v1/tenants/acme/events';
    const as = (type: string) => ({ headers: { 'content-type': type } });
    const cases: Array<[string, number, string, string, unknown, object?]> = [
      ['listTenants', 401, 'GET', '/v1/tenants', undefined, { key: null }],
      ['createEventType', 403, 'POST', '/v1/event-types', { name: 'a.b' }, { key: acme.token }],
      ['getTenant', 404, 'GET', '/v1/tenants/nope', undefined],
      ['createTenant', 409, 'POST', '/v1/tenants', { id: 'acme' }],
      ['listTenants', 400, 'GET', '/v1/tenants?cursor=zzz', undefined],
      ['sendEvent', 400, 'POST', events, '{"type":', as('application/json')],
      ['sendEvent', 413, 'POST', events, { type: 'a.b', data: 'x'.repeat(300_000) }],
      ['sendEvent', 415, 'POST', events, 'type=a.b', as('text/plain')],
      ['sendEvent', 422, 'POST', events, { data: {} }],
    ];
    for (const [id, status, method, url, body, opts] of cases) {
      const res = await h.call(method, url, body, opts);
      expect(res.status, `${method} ${url}`).toBe(status);
      expect(error(res.body), JSON.stringify(res.body)).toBe(true);
      expect(op(id).responses, `${id} documents ${status}`).toHaveProperty(String(status));
    }
  });

  it('serves from `/`, or from the public URL when one is configured', async () => {
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    const app = await buildApi({ store: h.store, portal: { publicUrl: 'https://hooks.example.com/herald' } });
    try {
      const other = (await app.inject({ url: '/openapi.json' })).json();
      expect(other.servers).toEqual([
        { url: 'https://hooks.example.com/herald', description: expect.any(String) },
      ]);
      expect(Object.keys(other.paths)).toContain('/v1/tenants');
    } finally {
      await app.close();
    }
  });

  it('leaves /openapi.json out of registerHealthRoutes (reused by probe-only servers)', async () => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as HeraldApp;
    registerHealthRoutes(app, { store: h.store });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/openapi.json' })).statusCode).toBe(404);
    await app.close();
  });
});

describe('registerOpenApi refuses, at build time', () => {
  const bare = async (operations: Record<string, OperationDoc>) => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as HeraldApp;
    await registerOpenApi(app, { version: '1.0.0', publicUrl: null, operations });
    return app;
  };
  const schema = { tags: ['tenants'], summary: 'A route' };

  it('a documented route missing from the table, or without summary or known tag', async () => {
    const app = await bare({ 'GET /a': { operationId: 'getA' }, 'GET /b': { operationId: 'getB' } });
    app.get('/a', { schema }, async () => ({}));
    app.get('/hidden', { schema: { hide: true } }, async () => ({}));
    expect(() => app.get('/new', { schema }, async () => ({}))).toThrow(/GET \/new has no operationId/);
    expect(() => app.get('/b', { schema: { tags: ['tenants'] } }, async () => ({}))).toThrow(/summary/);
    expect(() => app.get('/b', { schema: { ...schema, tags: ['misc'] } }, async () => ({}))).toThrow(/tags/);
    await app.close();
  });

  it('a repeated or non-camelCase operationId, and a table entry without its route', async () => {
    await expect(
      bare({ 'GET /a': { operationId: 'getA' }, 'GET /b': { operationId: 'getA' } }),
    ).rejects.toThrow(/'getA' is used by GET \/a and GET \/b/);
    await expect(bare({ 'GET /a': { operationId: 'get-a' } })).rejects.toThrow(/camelCase/);
    const app = await bare({ 'GET /a': { operationId: 'getA' }, 'GET /gone': { operationId: 'getGone' } });
    app.get('/a', { schema }, async () => ({}));
    await expect(app.ready()).rejects.toThrow(/GET \/gone/);
  });
});

/** A user's code against the generated types: it must compile strictly, and it is what runs against Herald. */
const CLIENT_SOURCE = `import createClient from 'openapi-fetch';
import type { paths } from './herald.js';

export async function sendFirstEvent(baseUrl: string, adminKey: string, hookUrl: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: 'Bearer ' + adminKey } });
  const tenant = await client.POST('/v1/tenants', { body: { id: 'acme', name: 'Acme' } });
  const tid = tenant.data?.id ?? 'acme';
  const eventType = await client.POST('/v1/event-types', {
    body: { name: 'order.created', schema: { type: 'object' }, example: { id: 1 } },
  });
  const endpoint = await client.POST('/v1/tenants/{tid}/endpoints', {
    params: { path: { tid } },
    body: { url: hookUrl, eventTypes: ['order.*'], requireVerification: false },
  });
  const eid = endpoint.data?.id ?? '';
  // No body: every field of the rotation is optional.
  const rotated = await client.POST('/v1/tenants/{tid}/endpoints/{eid}/secret/rotate', {
    params: { path: { tid, eid } },
  });
  const sent = await client.POST('/v1/tenants/{tid}/events', {
    params: { path: { tid } },
    body: { type: 'order.created', data: { id: 42 } },
  });
  const missing = await client.GET('/v1/tenants/{tid}', { params: { path: { tid: 'nope' } } });
  const answer = <T>(r: { data?: T; response: Response }) => ({ status: r.response.status, data: r.data });
  return {
    tenant: answer(tenant),
    eventType: answer(eventType),
    endpoint: answer(endpoint),
    rotated: answer(rotated),
    sent: answer(sent),
    missing: { status: missing.response.status, code: missing.error?.error.code },
  };
}
`;

const WRONG_SOURCE = `import createClient from 'openapi-fetch';
import type { paths } from './herald.js';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
void client.POST('/v1/tenants', { body: { name: 42 } }); // wrong: name is a string
void client.POST('/v1/tenants/{tid}/events', { params: { path: { tid: 'acme' } }, body: { data: {} } }); // wrong: no type
void client.GET('/v1/tenants/{tid}', {}); // wrong: no tid
`;

describe('a client generated by openapi-typescript', () => {
  beforeAll(async () => {
    writeFileSync(join(dir, 'herald.d.ts'), astToString(await openapiTS(structuredClone(doc))));
    writeFileSync(join(dir, 'client.ts'), CLIENT_SOURCE);
    writeFileSync(join(dir, 'wrong.ts'), WRONG_SOURCE);
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    // The files import openapi-fetch as a user's project would: from node_modules.
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });

  it('type-checks strictly, and refuses wrong bodies and missing path params', async () => {
    const options = {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      module: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      noEmit: true,
    };
    const files = ['herald.d.ts', 'client.ts', 'wrong.ts'];
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files }));
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const { stdout } = await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir }).catch(
      (err: { stdout: string }) => err,
    );
    const errors = [...stdout.matchAll(/^(\S+)\((\d+),\d+\): error TS\d+/gm)].map((m) => `${m[1]}:${m[2]}`);
    // Each line of wrong.ts marked `// wrong` must fail, and nothing else may.
    const wrongLines = WRONG_SOURCE.split('\n').flatMap((line, i) =>
      line.includes('// wrong') ? [`wrong.ts:${i + 1}`] : [],
    );
    expect(wrongLines).toHaveLength(3);
    expect([...new Set(errors)].sort(), stdout).toEqual(wrongLines.sort());
  });

  it('creates a tenant, an event type and an endpoint, and sends an event to a running Herald', async () => {
    const receiver = await startReceiver();
    const herald = await startTestHerald({ HERALD_HOST: '127.0.0.1' });
    try {
      expect(herald.herald.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { sendFirstEvent } = await import(pathToFileURL(join(dir, 'client.ts')).href);
      const result = await sendFirstEvent(herald.herald.url, TEST_ADMIN_KEY, `${receiver.url}/hooks`);
      expect(result.tenant).toMatchObject({ status: 201, data: { id: 'acme', name: 'Acme' } });
      expect(result.eventType).toMatchObject({
        status: 201,
        data: { name: 'order.created', latestVersion: 1 },
      });
      expect(result.endpoint).toMatchObject({ status: 201, data: { url: `${receiver.url}/hooks` } });
      expect(result.endpoint.data.secret).toMatch(/^whsec_/);
      expect(result.rotated.status).toBe(200);
      expect(result.sent.status).toBe(202);
      expect(result.sent.data.id).toMatch(/^evt_/);
      expect(result.sent.data.deliveries).toHaveLength(1);
      expect(result.missing).toEqual({ status: 404, code: 'not_found' });
      await receiver.waitFor(1);
      expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
        type: 'order.created',
        data: { id: 42 },
      });
    } finally {
      await herald.close();
      await receiver.close();
    }
  });
});
