/**
 * A CMS customer's receiver, written the usual way: read the raw body,
 * compute HMAC-SHA256 over it with the shared secret, compare with
 * `X-Scalar-Signature: sha256=<hex>`. Plain Node (what Express's
 * `express.raw()` hands you is the same Buffer). No Herald code involved.
 *
 * Run: SCALAR_WEBHOOK_SECRET=… PORT=4000 npx tsx docs/recipes/receivers/headless-cms/raw-body.ts
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ContentEvent {
  id: string;
  event: 'create' | 'update' | 'delete' | 'publish' | 'unpublish';
  model: string;
  timestamp: string;
  data: Record<string, unknown>;
  previous?: Record<string, unknown>;
  user: { id: string; email?: string } | null;
}

export function isValidScalarSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
  const received = Buffer.from(header.slice('sha256='.length));
  return received.length === expected.length && timingSafeEqual(received, expected);
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createCmsReceiver(secret: string, onEvent: (event: ContentEvent) => void): Server {
  return createServer(async (req, res) => {
    const raw = await readRaw(req);
    if (!isValidScalarSignature(secret, raw, req.headers['x-scalar-signature'] as string | undefined)) {
      res.writeHead(401).end('invalid signature');
      return;
    }
    onEvent(JSON.parse(raw.toString('utf8')) as ContentEvent);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.SCALAR_WEBHOOK_SECRET ?? '';
  const port = Number(process.env.PORT ?? 4000);
  createCmsReceiver(secret, (e) => console.log(e.event, e.model, e.id)).listen(port, () =>
    console.log(`CMS receiver on http://127.0.0.1:${port}`),
  );
}
