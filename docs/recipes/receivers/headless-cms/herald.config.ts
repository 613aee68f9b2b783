/**
 * The CMS's webhooks declared in Herald's config file: synced at every start,
 * idempotently (endpoints are matched by name, never duplicated).
 * Start Herald with: HERALD_CONFIG=docs/recipes/receivers/headless-cms/herald.config.ts npm start
 */
import { defineConfig } from '@herald/server';

const contentEvents = ['create', 'update', 'delete', 'publish', 'unpublish'] as const;
const systemEvents = ['user.create', 'user.login', 'backup.complete'] as const;
const scalarSignature = {
  scheme: 'hmac-sha256',
  header: 'X-Scalar-Signature',
  prefix: 'sha256=',
  encoding: 'hex',
} as const;

export default defineConfig({
  eventTypes: [
    ...contentEvents.map((e) => ({
      name: `content.${e}`,
      group: 'Content events',
      example: {
        id: 'entry_1',
        event: e,
        model: 'blogPost',
        timestamp: '2026-01-01T00:00:00.000Z',
        data: { title: 'Hello' },
        ...(e === 'update' ? { previous: { title: 'Hi' } } : {}),
        user: { id: 'usr_1' },
      },
    })),
    ...systemEvents.map((name) => ({ name: `system.${name}`, group: 'System events' })),
  ],
  tenants: [
    {
      id: 'cms-site',
      name: 'Marketing site',
      endpoints: [
        {
          // "Express-style" receiver: verifies the raw body.
          name: 'site-raw',
          url: process.env.CMS_RAW_RECEIVER_URL ?? 'https://site.example.com/webhooks',
          eventTypes: ['content.*'],
          filter: { 'data.model': { $in: ['blogPost', 'page'] } },
          secret: process.env.SCALAR_WEBHOOK_SECRET,
          signature: scalarSignature,
          envelope: 'none',
          method: 'POST',
          timeoutMs: 5000,
          retry: { maxAttempts: 4 },
          headers: { 'X-Site': 'marketing' },
        },
        {
          // Next.js route handler: re-serializes the parsed body, still verifies.
          name: 'site-next',
          url: process.env.CMS_NEXT_RECEIVER_URL ?? 'https://site.example.com/api/webhooks',
          eventTypes: ['content.publish', 'content.unpublish', 'content.update'],
          filter: { 'data.model': { $eq: 'blogPost' } },
          secret: process.env.SCALAR_WEBHOOK_SECRET,
          signature: scalarSignature,
          envelope: 'none',
          timeoutMs: 5000,
          retry: { maxAttempts: 4 },
        },
      ],
    },
  ],
});
