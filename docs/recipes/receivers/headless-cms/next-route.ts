/**
 * A Next.js route handler (`app/api/webhooks/route.ts`) as CMS customers
 * often write it: parse the body with `request.json()`, then sign
 * `JSON.stringify(body)`. That only works because Herald sends compact
 * `JSON.stringify` output, so re-serializing gives back the exact bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export async function POST(request: Request): Promise<Response> {
  const secret = process.env.SCALAR_WEBHOOK_SECRET ?? '';
  const body = (await request.json()) as { id: string; event: string; model: string };
  const expected = `sha256=${createHmac('sha256', secret).update(JSON.stringify(body)).digest('hex')}`;
  const received = request.headers.get('x-scalar-signature') ?? '';
  const ok =
    received.length === expected.length && timingSafeEqual(Buffer.from(received), Buffer.from(expected));
  if (!ok) return Response.json({ error: 'invalid signature' }, { status: 401 });
  // …update the cache / rebuild the page for body.model here…
  return Response.json({ ok: true, received: `${body.model}:${body.event}:${body.id}` });
}
