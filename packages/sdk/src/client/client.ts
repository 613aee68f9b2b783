/**
 * A typed client for Herald's HTTP API: fetch-based, no dependencies, so it
 * runs in browsers (the dashboard) as well as in Node 20+.
 */
import { HeraldApiError } from './errors.ts';
import type { CircuitReset, EndpointHealth, JobPreview, Retried, RetryNowResult } from './health-types.ts';
import type {
  BulkRetryFilter,
  Job,
  JobAccepted,
  QueueStats,
  RecoveryWindow,
  Stats,
  StatsQuery,
} from './ops-types.ts';
import type { TryTransformInput, TryTransformResult } from './transform-types.ts';
import type {
  Accepted,
  Attempt,
  AttemptFilter,
  AttemptSummary,
  CreatedEndpoint,
  Endpoint,
  EndpointInput,
  EndpointPatch,
  EventType,
  HeraldEventRecord,
  IncomingEvent,
  Page,
  PageQuery,
  PortalBranding,
  PortalSession,
  Resource,
  RotatedSecret,
  SessionInfo,
  Tenant,
  TestResult,
  TestSendInput,
  VerifyResult,
} from './types.ts';

export interface HeraldClientOptions {
  /** Where Herald listens, e.g. `http://127.0.0.1:8080`; `''` means the page's own origin. */
  baseUrl: string;
  /** An admin key, a tenant token or a portal session key. */
  apiKey?: string | null;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const seg = (value: string) => encodeURIComponent(value);

/** The log's filters as query values: a list (`trigger: ['scheduled', 'test']`) is sent comma-separated. */
function filterQuery(filter: AttemptFilter & PageQuery): Query {
  const query: Query = {};
  for (const [name, value] of Object.entries(filter) as [string, Query[string] | readonly string[]][]) {
    query[name] = Array.isArray(value) ? value.join(',') : (value as Query[string]);
  }
  return query;
}

export class HeraldClient {
  readonly baseUrl: string;
  readonly apiKey: string | null;
  readonly #fetch: typeof fetch;

  constructor(options: HeraldClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey ?? null;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Any call: JSON in, JSON out; a non-2xx answer throws a `HeraldApiError`. */
  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}${queryString(options.query)}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (err) {
      throw new HeraldApiError(0, 'network_error', `Herald could not be reached: ${(err as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
        ?.error;
      throw new HeraldApiError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? `Herald answered ${response.status} ${response.statusText}`.trim(),
        error?.details,
      );
    }
    return parsed as T;
  }

  // Tenants
  listTenants(page: PageQuery = {}) {
    return this.request<Page<Tenant>>('GET', '/v1/tenants', { query: { ...page } });
  }
  getTenant(tid: string) {
    return this.request<Tenant>('GET', `/v1/tenants/${seg(tid)}`);
  }
  createTenant(input: { id?: string; name?: string; metadata?: Record<string, unknown> }) {
    return this.request<Tenant>('POST', '/v1/tenants', { body: input });
  }
  createPortalSession(tid: string, input: { ttlSeconds?: number } = {}) {
    return this.request<PortalSession>('POST', `/v1/tenants/${seg(tid)}/portal-sessions`, { body: input });
  }
  /** Whom the key belongs to: an admin, or one tenant (a portal key also says until when). */
  getSessionInfo() {
    return this.request<SessionInfo>('GET', '/v1/portal/session');
  }
  /** Ends the presented portal session (its link stops working); portal sessions only. */
  endPortalSession() {
    return this.request<void>('DELETE', '/v1/portal/session');
  }
  getPortalBranding() {
    return this.request<PortalBranding>('GET', '/v1/portal/branding');
  }

  // Event type catalog
  listEventTypes(query: PageQuery & { group?: string } = {}) {
    return this.request<Page<EventType>>('GET', '/v1/event-types', { query: { ...query } });
  }

  // Endpoints (the dashboard calls them subscriptions)
  listEndpoints(tid: string, page: PageQuery = {}) {
    return this.request<Page<Endpoint>>('GET', `/v1/tenants/${seg(tid)}/endpoints`, { query: { ...page } });
  }
  getEndpoint(tid: string, eid: string) {
    return this.request<Endpoint>('GET', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}`);
  }
  createEndpoint(tid: string, input: EndpointInput) {
    return this.request<CreatedEndpoint>('POST', `/v1/tenants/${seg(tid)}/endpoints`, { body: input });
  }
  updateEndpoint(tid: string, eid: string, patch: EndpointPatch) {
    return this.request<Endpoint>('PATCH', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}`, { body: patch });
  }
  deleteEndpoint(tid: string, eid: string) {
    return this.request<void>('DELETE', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}`);
  }
  getEndpointSecret(tid: string, eid: string) {
    return this.request<{ secret: string }>('GET', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/secret`);
  }
  rotateEndpointSecret(tid: string, eid: string, input: { secret?: string; graceMs?: number } = {}) {
    return this.request<RotatedSecret>(
      'POST',
      `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/secret/rotate`,
      {
        body: input,
      },
    );
  }
  /** Test Connection for a configuration not saved yet. */
  testUnsavedEndpoint(tid: string, config: EndpointInput, send: TestSendInput = {}) {
    return this.request<TestResult>('POST', `/v1/tenants/${seg(tid)}/endpoints/test`, {
      body: { ...config, ...send },
    });
  }
  /** Test Connection or a mock event for a saved endpoint. */
  testEndpoint(tid: string, eid: string, send: TestSendInput = {}) {
    return this.request<TestResult>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/test`, {
      body: send,
    });
  }
  /** The health of a page of endpoints: circuit, last error, backlog, next attempt, 24 h success rate. */
  listEndpointHealth(tid: string, page: PageQuery = {}) {
    return this.request<Page<EndpointHealth>>('GET', `/v1/tenants/${seg(tid)}/endpoints/health`, {
      query: { ...page },
    });
  }
  getEndpointHealth(tid: string, eid: string) {
    return this.request<EndpointHealth>('GET', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/health`);
  }
  /** Closes the endpoint's circuit now: the deliveries it held back are due at once. */
  resetCircuit(tid: string, eid: string) {
    return this.request<CircuitReset>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/circuit/reset`);
  }
  /** Makes the endpoint's pending deliveries that wait for a retry due now. */
  retryEndpointNow(tid: string, eid: string) {
    return this.request<RetryNowResult>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/retry-now`);
  }
  verifyEndpoint(tid: string, eid: string) {
    return this.request<VerifyResult>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/verify`, {
      body: {},
    });
  }
  listResources(tid: string, eid: string, page: PageQuery = {}) {
    return this.request<Page<Resource>>('GET', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/resources`, {
      query: { ...page },
    });
  }
  subscribeResource(tid: string, eid: string, rid: string) {
    return this.request<void>('PUT', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/resources/${seg(rid)}`);
  }
  unsubscribeResource(tid: string, eid: string, rid: string) {
    return this.request<void>(
      'DELETE',
      `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/resources/${seg(rid)}`,
    );
  }

  // Transformations
  /** Runs a transform on an example webhook; nothing is sent. A failing transform answers `ok: false`. */
  tryTransform(tid: string, body: TryTransformInput) {
    return this.request<TryTransformResult>('POST', `/v1/tenants/${seg(tid)}/transforms/try`, { body });
  }

  // Events
  sendEvent(tid: string, event: IncomingEvent) {
    return this.request<Accepted>('POST', `/v1/tenants/${seg(tid)}/events`, { body: event });
  }
  getEvent(tid: string, id: string) {
    return this.request<HeraldEventRecord>('GET', `/v1/tenants/${seg(tid)}/events/${seg(id)}`);
  }
  /** Retries now; the answer says how many were queued and why the others wait (an open circuit, a pause…). */
  retryEvent(tid: string, id: string, input: { endpointId?: string } = {}) {
    return this.request<Retried>('POST', `/v1/tenants/${seg(tid)}/events/${seg(id)}/retry`, {
      body: input,
    });
  }

  // The delivery log
  listAttempts(tid: string, filter: AttemptFilter & PageQuery = {}) {
    return this.request<Page<Attempt>>('GET', `/v1/tenants/${seg(tid)}/attempts`, {
      query: filterQuery(filter),
    });
  }
  summarizeAttempts(tid: string, filter: AttemptFilter = {}) {
    return this.request<AttemptSummary>('GET', `/v1/tenants/${seg(tid)}/attempts/summary`, {
      query: filterQuery(filter),
    });
  }
  getAttempt(tid: string, id: string) {
    return this.request<Attempt>('GET', `/v1/tenants/${seg(tid)}/attempts/${seg(id)}`);
  }

  // Operations: stats, recovery jobs, the queue
  getEndpointStats(tid: string, eid: string, query: StatsQuery = {}) {
    return this.request<Stats>('GET', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/stats`, {
      query: { ...query },
    });
  }
  getTenantStats(tid: string, query: StatsQuery = {}) {
    return this.request<Stats>('GET', `/v1/tenants/${seg(tid)}/stats`, { query: { ...query } });
  }
  /** Sends the endpoint's failed deliveries of the window again, as a background job. */
  recoverEndpoint(tid: string, eid: string, window: RecoveryWindow) {
    return this.request<JobAccepted>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/recover`, {
      body: window,
    });
  }
  /** Sends every event of the window the endpoint subscribes to again, as new deliveries. */
  replayEndpoint(tid: string, eid: string, window: RecoveryWindow) {
    return this.request<JobAccepted>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/replay`, {
      body: window,
    });
  }
  /** Retries the failed deliveries behind the log entries matching `filter`, as a background job. */
  retryAttempts(tid: string, filter: BulkRetryFilter = {}) {
    // Left out like in a query string: an empty value or list means "no such filter".
    const given = (v: unknown) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
    const body = Object.fromEntries(Object.entries(filter).filter(([, v]) => given(v)));
    return this.request<JobAccepted>('POST', `/v1/tenants/${seg(tid)}/attempts/retry`, { body });
  }
  /** What `retryAttempts(tid, filter)` would do (counts and reasons); nothing is started. */
  previewRetryAttempts(tid: string, filter: BulkRetryFilter = {}) {
    const given = (v: unknown) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
    const body = Object.fromEntries(Object.entries(filter).filter(([, v]) => given(v)));
    return this.request<JobPreview>('POST', `/v1/tenants/${seg(tid)}/attempts/retry`, {
      body: { ...body, dryRun: true },
    });
  }
  /** What `recoverEndpoint` or `replayEndpoint` would do; nothing is started. */
  previewEndpointJob(tid: string, eid: string, kind: 'recover' | 'replay', window: RecoveryWindow) {
    return this.request<JobPreview>('POST', `/v1/tenants/${seg(tid)}/endpoints/${seg(eid)}/${kind}`, {
      body: { ...window, dryRun: true },
    });
  }
  getJob(tid: string, id: string) {
    return this.request<Job>('GET', `/v1/tenants/${seg(tid)}/jobs/${seg(id)}`);
  }
  listJobs(tid: string, page: PageQuery = {}) {
    return this.request<Page<Job>>('GET', `/v1/tenants/${seg(tid)}/jobs`, { query: { ...page } });
  }
  /** All tenants' backlog (admin keys only). */
  getQueue() {
    return this.request<QueueStats>('GET', '/v1/queue');
  }
}
