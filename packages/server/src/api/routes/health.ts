/** Liveness and readiness: no key needed. */
import { Type } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { ErrorResponse } from '../schemas/common.ts';

const Status = Type.Object({ status: Type.String() });

export function registerHealthRoutes(app: HeraldApp, { store }: Pick<RouteDeps, 'store'>): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: { tags: ['operations'], summary: 'The process is up', security: [], response: { 200: Status } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'The database answers',
        security: [],
        response: { 200: Status, 503: ErrorResponse },
      },
    },
    async () => {
      try {
        await store.ping();
      } catch {
        throw new HeraldError('unavailable', 'the database is not reachable');
      }
      return { status: 'ok' };
    },
  );
}
