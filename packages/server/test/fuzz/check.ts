/**
 * The properties every fuzz case must keep:
 *   (a) the answer is never a 5xx;
 *   (b) a 4xx is Herald's error shape, `{"error":{"code","message","details"?}}`, as JSON;
 *   (c) a 4xx stored nothing: every table's row count and latest times are as before;
 *   (d) after a 2xx, reading the resource back (and around it) is not a 5xx either;
 *   (e) no answer takes seconds (a backtracking regex, a validator doing quadratic work);
 *   (f) no refusal is megabytes long (one error per path a validator took);
 *   (g) no 2xx without a valid key, for ids of two tenants, or with a tenant token on another tenant.
 * A failure is thrown as a Violation whose message is the report printed for the shrunk case.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { describeRequest, type FuzzCase, renderRequest } from './cases.ts';
import { type Catalogue, followUps, type RouteSpec } from './routes.ts';
import { diffSnapshots, type Snapshotter } from './snapshot.ts';
import { Ref, type RefKind, shorten } from './values.ts';
import type { World } from './world.ts';

/** Far above any honest answer in-process, far below a catastrophic regex on 30 characters. */
const SLOW_MS = 3000;
/** A refusal names what is wrong; even a 1,000-event batch's list of problems is far smaller. */
const MAX_ERROR_BYTES = 1_048_576;

export interface FuzzEnv {
  kind: string;
  app: FastifyInstance;
  world: World;
  snapshots: Snapshotter;
  clock: { now: number };
  catalogue: Catalogue;
  /** Error lines the server logged during the current request (what a 5xx was caused by). */
  serverLog: string[];
  /** The case being checked, as fast-check prints it (Repeat, Long and Deep stay compact). */
  current?: FuzzCase;
  /** Statuses answered, by route key and status: how far the cases get (HERALD_FUZZ_VERBOSE prints them). */
  statuses: Map<string, Map<number, number>>;
  /** Violations whose text matches are let through (HERALD_FUZZ_IGNORE), to hunt past known bugs. */
  ignore: RegExp | null;
}

export class Violation extends Error {
  override name = 'FuzzViolation';
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function errorShapeProblem(answer: Answer): string | null {
  if (!/^application\/json\b/.test(answer.contentType)) return `content-type is '${answer.contentType}'`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'the body is not JSON';
  }
  const top = parsed as { error?: { code?: unknown; message?: unknown } } | null;
  if (typeof top !== 'object' || top === null || Array.isArray(top)) return 'the body is not an object';
  const extraTop = Object.keys(top).filter((k) => k !== 'error');
  if (extraTop.length > 0) return `the body has ${extraTop.join(', ')} beside "error"`;
  const error = top.error;
  if (typeof error !== 'object' || error === null) return 'there is no "error" object';
  if (typeof error.code !== 'string' || error.code === '') return 'error.code is not a string';
  if (typeof error.message !== 'string' || error.message === '') return 'error.message is not a string';
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length > 0) return `error has ${extra.join(', ')} beside code, message, details`;
  return null;
}

function report(env: FuzzEnv, property: string, request: string, answer: Answer, more: string[] = []): never {
  const lines = [
    `property ${property} failed on ${env.kind}`,
    request,
    `generated: ${shorten(fc.stringify(env.current), 1200)}`,
    `→ ${answer.status} ${shorten(answer.body, 500)}`,
    ...more,
  ];
  const logged = env.serverLog.slice(0, 3).map((l) => `server logged: ${shorten(l, 400)}`);
  const text = [...lines, ...logged].join('\n');
  if (env.ignore?.test(text)) throw new IgnoredViolation();
  throw new Violation(text);
}

/** A violation the run was told to let through. */
export class IgnoredViolation extends Error {}

async function inject(
  env: FuzzEnv,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: string,
) {
  env.serverLog.length = 0;
  const res = await env.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
}

/** Kinds whose rows belong to one tenant (resource ids, event types and admin keys do not). */
const TENANT_KINDS: ReadonlySet<RefKind> = new Set([
  'tenant',
  'endpoint',
  'event',
  'job',
  'token',
  'attempt',
]);

/** Why this case must not succeed, whatever its body: null when a 2xx may be right. */
function mustBeRefused(c: FuzzCase): string | null {
  if (typeof c.auth === 'object') return 'a request without a valid key is refused';
  const owners = new Set(
    Object.values(c.path)
      .filter((v): v is Ref => v instanceof Ref && TENANT_KINDS.has(v.kind))
      .map((v) => v.owner),
  );
  if (owners.size > 1) return "another tenant's ids answer 404";
  if (c.auth === 'tenant' && owners.has('other'))
    return "a tenant token does not reach another tenant's rows";
  return null;
}

export async function checkCase(env: FuzzEnv, route: RouteSpec, c: FuzzCase): Promise<void> {
  env.current = c;
  await env.world.ensure();
  env.clock.now += 1000;
  env.world.caseNumber += 1;
  const before = await env.snapshots.take();
  const req = renderRequest(route, c, env.world);
  const request = describeRequest(req, c.auth);
  const started = performance.now();
  const answer = await inject(env, req.method, req.url, req.headers, req.payload);
  const ms = performance.now() - started;
  const seen = env.statuses.get(route.key) ?? new Map<number, number>();
  seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
  env.statuses.set(route.key, seen);
  // Anything but a refusal may have changed what the next case expects to find.
  if (answer.status < 400 || answer.status >= 500) env.world.dirty = true;

  if (answer.status >= 500) report(env, '(a) never a 5xx', request, answer);
  if (answer.status >= 400) {
    if (answer.body.length > MAX_ERROR_BYTES) {
      report(env, `(f) a 4xx is at most ${MAX_ERROR_BYTES} bytes`, request, answer, [
        `the answer is ${answer.body.length} bytes`,
      ]);
    }
    const shape = errorShapeProblem(answer);
    if (shape) report(env, "(b) a 4xx has Herald's error shape", request, answer, [`problem: ${shape}`]);
    const changed = diffSnapshots(before, await env.snapshots.take());
    if (changed.length > 0) {
      report(env, '(c) a 4xx stores nothing', request, answer, [`changed: ${changed.join('; ')}`]);
    }
  } else if (answer.status >= 200 && answer.status < 300) {
    const refused = mustBeRefused(c);
    if (refused) report(env, `(g) ${refused}`, request, answer);
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      // 204 and non-JSON answers name no ids to read back.
    }
    // Read back with the admin key: the request's own may be a tenant token that cannot see everything.
    const admin = { authorization: `Bearer ${env.world.adminKey}` };
    for (const url of followUps(env.catalogue, route, req.values, parsed, c.extraGet)) {
      const back = await inject(env, 'GET', url, admin);
      if (back.status >= 500) {
        report(env, '(d) reading back after a 2xx is not a 5xx', request, answer, [
          `then GET ${shorten(url, 300)} → ${back.status} ${shorten(back.body, 500)}`,
        ]);
      }
    }
  }
  if (ms > SLOW_MS) {
    report(env, `(e) answered within ${SLOW_MS} ms`, request, answer, [`took ${Math.round(ms)} ms`]);
  }
}
