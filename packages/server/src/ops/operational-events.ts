/**
 * Operational events: what delivery does to endpoints (circuits opening,
 * endpoints disabled or recovered, deliveries failing or exhausted) is sent
 * through Herald itself, as ordinary events of an operator tenant, so
 * operators subscribe to them like any customer would and find them in
 * `GET /v1/tenants/<operator>/events` and the attempt log.
 */
import type { Logger } from 'pino';
import { createIngest, type IncomingEvent, type Ingest } from '../delivery/ingest.ts';
import { createPayloadSchemas } from '../delivery/payload-schemas.ts';
import type { FlowTransition, OperationalEventType } from '../domain/circuit.ts';
import { HeraldError } from '../domain/errors.ts';
import { redactUrl } from '../domain/redact.ts';
import type { Store } from '../store/port.ts';

export const DEFAULT_OPERATOR_TENANT = 'herald-operator';
export const OPERATIONS_GROUP = 'Herald operations';

const DESCRIPTIONS: Record<OperationalEventType, string> = {
  'endpoint.disabled': 'An endpoint was disabled (410 Gone, or failing continuously for disableAfter).',
  'endpoint.circuit_opened': "An endpoint's circuit opened after consecutive failures: its deliveries wait.",
  'endpoint.recovered': "An endpoint's circuit closed again after an attempt succeeded.",
  'delivery.exhausted': 'A delivery failed its last attempt and will not be retried automatically.',
  'delivery.failing': 'A delivery has failed several attempts and is still being retried.',
};

export const OPERATIONAL_EVENT_TYPES = Object.keys(DESCRIPTIONS) as OperationalEventType[];

export interface OperationalEventsDeps {
  store: Store;
  clock: () => number;
  logger: Logger;
  /** The operator tenant's id (HERALD_OPERATOR_TENANT). */
  tenantId: string;
}

export class OperationalEvents {
  private readonly ingest: Ingest;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: OperationalEventsDeps) {
    this.ingest = createIngest(deps.store, { clock: deps.clock, schemas: createPayloadSchemas() });
  }

  /** Creates the operator tenant and registers the event types, when missing. Safe in every process at once. */
  async setup(): Promise<void> {
    const { store, tenantId } = this.deps;
    const now = this.deps.clock();
    if (!(await store.getTenant(tenantId))) {
      await ignoreConflict(
        store.createTenant({
          id: tenantId,
          name: 'Herald operator',
          metadata: {},
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
    for (const name of OPERATIONAL_EVENT_TYPES) {
      if (await store.getEventType(name)) continue;
      await ignoreConflict(
        store.createEventType({
          name,
          group: OPERATIONS_GROUP,
          description: DESCRIPTIONS[name],
          version: 1,
          schema: null,
          example: { tenantId: 'acme', endpointId: 'ep_…', url: 'https://example.com/hooks', reason: '…' },
          now,
        }),
      );
    }
  }

  /**
   * Queues the transitions a completion caused; they are stored in order,
   * after the completion committed. Transitions of the operator tenant's own
   * endpoints are only logged: reporting them to itself could loop.
   */
  report(transitions: readonly FlowTransition[]): void {
    if (transitions.length === 0) return;
    for (const t of transitions) {
      this.deps.logger.info(
        { tenantId: t.tenantId, endpointId: t.endpointId, deliveryId: t.deliveryId, reason: t.reason },
        `operational event ${t.type}`,
      );
    }
    const outward = transitions.filter((t) => t.tenantId !== this.deps.tenantId);
    if (outward.length === 0) return;
    this.chain = this.chain.then(() => this.send(outward));
  }

  /** Resolves once everything reported so far is stored (tests, shutdown). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async send(transitions: FlowTransition[]): Promise<void> {
    try {
      const ids = [...new Set(transitions.map((t) => t.endpointId))];
      const urls = new Map(
        (await this.deps.store.getEndpointsByIds(ids)).map((e) => [e.id, redactUrl(e.url)]),
      );
      const events: IncomingEvent[] = transitions.map((t) => ({
        type: t.type,
        data: {
          tenantId: t.tenantId,
          endpointId: t.endpointId,
          url: urls.get(t.endpointId) ?? null,
          reason: t.reason,
          at: new Date(t.at).toISOString(),
          ...(t.deliveryId === undefined
            ? {}
            : { deliveryId: t.deliveryId, eventId: t.eventId, eventType: t.eventType, attempts: t.attempts }),
        },
      }));
      await this.ingest.accept(this.deps.tenantId, events, { batch: true });
    } catch (err) {
      // Losing a notice must never hold up delivery; the log above still has it.
      this.deps.logger.error({ err, count: transitions.length }, 'could not store operational events');
    }
  }
}

async function ignoreConflict(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    // Another process created it at the same moment.
    if (!(err instanceof HeraldError && err.code === 'conflict')) throw err;
  }
}
