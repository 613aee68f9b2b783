/** The delivery queue across all tenants: how much waits and for how long. */
import { opsOf } from '../../store/ops-port.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { isoOrNull } from '../render.ts';
import { errorResponses } from '../schemas/common.ts';
import { QueueSchema } from '../schemas/ops.ts';

export function registerQueueRoutes(app: HeraldApp, { store, clock }: RouteDeps): void {
  app.get(
    '/v1/queue',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Backlog, deliveries in flight and the age of the oldest due delivery',
        response: { 200: QueueSchema, ...errorResponses },
      },
    },
    async () => {
      const q = await opsOf(store).queueStats();
      const now = clock();
      // A delivery scheduled for later is not late yet: only overdue work has an age.
      const age = q.oldestDueAt !== null && q.oldestDueAt < now ? (now - q.oldestDueAt) / 1000 : 0;
      return {
        pending: q.pending,
        inFlight: q.inFlight,
        oldestPendingAt: isoOrNull(q.oldestDueAt),
        oldestPendingAgeSeconds: age,
      };
    },
  );
}
