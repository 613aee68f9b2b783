/**
 * The route catalogue, read from the app itself: Fastify's route tree
 * (`printRoutes`, which lists every route, documented or hidden) says which
 * write routes exist; `/openapi.json` (built from the same TypeBox schemas
 * that validate requests) gives each one's body, path, query and header
 * schemas. A write route missing from the document, or with a path param
 * nobody knows how to fill, is a problem the suite fails on, so a new route
 * cannot go unfuzzed.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { JsonSchema } from './arbitraries.ts';
import { ref } from './hints.ts';
import { HOSTILE_STRINGS } from './hostile.ts';
import { Ref, type RefKind } from './values.ts';

export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface ParamSpec {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface RouteSpec {
  /** `POST /v1/tenants/:tid/endpoints`, as Fastify spells it. */
  key: string;
  method: string;
  pattern: string;
  pathParams: string[];
  query: ParamSpec[];
  headers: ParamSpec[];
  body: { schema: JsonSchema; required: boolean } | null;
}

export interface Catalogue {
  writes: RouteSpec[];
  /** Every GET route's pattern: where a 2xx is read back from. */
  gets: string[];
  /** Why a write route cannot be fuzzed; the suite fails while this is not empty. */
  problems: string[];
  resolveRef(ref: string): JsonSchema | undefined;
}

/** A path segment as it goes into the URL: a seeded row, text to percent-encode, or bytes sent verbatim. */
export type ParamValue = Ref | { text: string } | { raw: string };

const hostileSegment: fc.Arbitrary<ParamValue> = fc.oneof(
  fc
    .constantFrom(...HOSTILE_STRINGS, 'x'.repeat(101), 'x'.repeat(5000), 'a/b', '?x=1', '#frag', 'fuzz-other')
    .map((text) => ({ text })),
  fc
    .constantFrom(
      '%00',
      '..',
      '.',
      '%2e%2e',
      '%zz',
      '%',
      '%2F',
      '%ED%A0%80',
      '%C0%AE',
      'a%00b',
      '%F0%9F%98%80',
    )
    .map((raw) => ({ raw })),
);

export interface ParamGenerator {
  /** A live row of the main tenant. */
  valid: fc.Arbitrary<ParamValue>;
  /** That, the other tenant's row, a missing id, or a hostile segment. */
  any: fc.Arbitrary<ParamValue>;
}

const param = (kinds: RefKind[], ghost: string, extra?: fc.Arbitrary<ParamValue>): ParamGenerator => {
  const main = fc.oneof(
    ...kinds.map((kind) => fc.nat({ max: 5 }).map((i) => new Ref(kind, 'main', i))),
    ...(extra ? [extra] : []),
  );
  return {
    valid: main,
    any: fc.oneof(
      { weight: 4, arbitrary: main },
      { weight: 2, arbitrary: fc.oneof(...kinds.map(ref)) },
      { weight: 1, arbitrary: fc.constant({ text: ghost }) },
      { weight: 3, arbitrary: hostileSegment },
    ),
  };
};

/** How to fill each path param, by name. A route with a param not listed here is a catalogue problem. */
export const PATH_PARAMS: Readonly<Record<string, ParamGenerator>> = {
  tid: param(['tenant'], 'ghost-tenant'),
  eid: param(['endpoint'], 'ep_01GHOST0000000000000000000'),
  // `:id` names events, jobs, tokens, attempts or API keys depending on the route: see ID_KINDS.
  id: param(['event', 'job', 'token', 'attempt', 'adminKey'], 'id_01GHOST0000000000000000000'),
  rid: param(
    ['resource'],
    'r',
    fc.stringMatching(/^[a-z0-9-]{1,20}$/).map((text) => ({ text })),
  ),
  name: param(['eventType'], 'no.such.type'),
};

/** What `:id` after a collection names; a collection not listed gets every kind. */
const ID_KINDS: Readonly<Record<string, RefKind[]>> = {
  events: ['event'],
  jobs: ['job'],
  tokens: ['token'],
  attempts: ['attempt'],
  'api-keys': ['token', 'adminKey'],
};

/** The generator for path param `name` of `pattern`. */
export function pathParam(pattern: string, name: string): ParamGenerator {
  if (name !== 'id') return PATH_PARAMS[name]!;
  const segs = pattern.split('/');
  const collection = segs[segs.indexOf(':id') - 1] ?? '';
  const kinds = ID_KINDS[collection];
  return kinds ? param(kinds, 'id_01GHOST0000000000000000000') : PATH_PARAMS.id!;
}

interface TreeRoute {
  path: string;
  methods: string[];
}

/** Fastify's route tree as text → every route's path and methods. */
export function parseRouteTree(text: string): TreeRoute[] {
  const out: TreeRoute[] = [];
  const stack: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.*?)[├└]── (.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = Math.round(Array.from(m[1]!).length / 4);
    const path = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + m[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    const methods = (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (methods.length > 0) out.push({ path, methods });
  }
  return out;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const toOpenApiPath = (pattern: string) => pattern.replace(/:(\w+)/g, '{$1}');

export async function readCatalogue(app: FastifyInstance): Promise<Catalogue> {
  await app.ready();
  const tree = parseRouteTree(app.printRoutes({ commonPrefix: false }));
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
  const doc = JSON.parse(res.body) as OpenApiDocument;
  const components = doc.components?.schemas ?? {};
  const resolveRef = (r: string) => components[r.replace(/^#\/components\/schemas\//, '')];

  const writes: RouteSpec[] = [];
  const problems: string[] = [];
  const gets: string[] = [];
  for (const { path, methods } of tree) {
    if (methods.includes('GET')) gets.push(path);
    for (const method of methods.filter((m) => (WRITE_METHODS as readonly string[]).includes(m))) {
      const key = `${method} ${path}`;
      const op = doc.paths?.[toOpenApiPath(path)]?.[method.toLowerCase()];
      if (!op) {
        problems.push(
          `${key} is not in /openapi.json, so the fuzzer has no schema to generate its requests from`,
        );
        continue;
      }
      const pathParams = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const unknown = pathParams.filter((p) => !(p in PATH_PARAMS));
      if (unknown.length > 0) {
        problems.push(`${key}: no generator for path param ${unknown.map((p) => `:${p}`).join(', ')}`);
        continue;
      }
      const params = (where: string) =>
        (op.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} }));
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      writes.push({
        key,
        method,
        pattern: path,
        pathParams,
        query: params('query'),
        headers: params('header'),
        body: bodySchema ? { schema: bodySchema, required: op.requestBody?.required === true } : null,
      });
    }
  }
  if (writes.length === 0) problems.push('no write routes found: is the route tree parsed right?');
  return { writes, gets, problems, resolveRef };
}

const segments = (pattern: string) => pattern.split('/').filter(Boolean);
const paramsOf = (pattern: string) => segments(pattern).filter((s) => s.startsWith(':'));

/** Ids an answer names: what was created, the job started, the attempt recorded. */
function idsIn(answer: unknown): string[] {
  const a = (answer ?? {}) as Record<string, any>;
  const found = [a.id, a.name, a.job?.id, a.attemptId, Array.isArray(a.data) ? a.data[0]?.id : undefined];
  return found.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200);
}

/**
 * GET URLs to read back after a 2xx: the route's own path and its ancestors,
 * routes whose one missing (last) param an id in the answer fills (the
 * created endpoint, the started job), and one more GET route chosen by the
 * case among those this request's params fill (the tenant's log, its events…).
 */
export function followUps(
  cat: Catalogue,
  route: RouteSpec,
  values: Record<string, string>,
  answer: unknown,
  extra: number,
): string[] {
  const fill = (pattern: string, id = '') =>
    pattern.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? encodeURIComponent(id));
  const own = segments(route.pattern);
  const ids = idsIn(answer);
  const urls = new Set<string>();
  const filled: string[] = [];
  for (const get of cat.gets) {
    const seg = segments(get);
    const unfilled = paramsOf(get).filter((p) => !(p.slice(1) in values));
    if (unfilled.length === 0) {
      filled.push(get);
      const isAncestor = seg.length > 0 && seg.length <= own.length && seg.every((s, i) => s === own[i]);
      if (isAncestor) urls.add(fill(get));
    } else if (unfilled.length === 1 && seg[seg.length - 1] === unfilled[0]) {
      for (const id of ids) urls.add(fill(get, id));
    }
  }
  const pick = filled[extra % Math.max(1, filled.length)];
  if (pick) urls.add(fill(pick));
  return [...urls];
}
