/**
 * An IoT data hub subscriber, written from the hub's own webhook docs
 * (developers.zf-scalar.com: "API reference", "Security considerations",
 * "Quick reference") and nothing else: a POST of `application/json` whose
 * body is always a batch of events, `X-SCALAR-Signature: sha256=<hex
 * HMAC-SHA256 of the raw body, keyed by the webhook secret>`, the
 * `Authorization` value the subscriber asked the hub to send as a custom
 * header, and an answer within 3–5 s of `{"statusCode": 200, "message": …}`
 * (queue the work, don't do it here). The secret and the token are all it
 * shares with the hub.
 *
 * Run: IOT_WEBHOOK_SECRET=… IOT_TOKEN=… PORT=4100 npx tsx docs/recipes/receivers/iot-data-hub/receiver.ts
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One event of a batch, as the hub documents it. */
export interface ScalarEvent {
  eventType: string;
  eventVersion: number;
  eventData: Record<string, unknown>;
}

/** The request body, as the hub documents it. */
export interface ScalarEventBatch {
  eventBatchId: string;
  eventSubscriptionId: string;
  eventBatchTime: string;
  eventsData: ScalarEvent[];
}

const PREFIX = 'sha256=';

/** Extract the signature, HMAC the raw body with the secret, compare in constant time. */
export function isValidScalarSignature(secret: string, raw: Buffer, header: unknown): boolean {
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'));
  const received = Buffer.from(header.slice(PREFIX.length));
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

function answer(res: ServerResponse, statusCode: number, message: string): void {
  res
    .writeHead(statusCode, { 'content-type': 'application/json' })
    .end(JSON.stringify({ statusCode, message }));
}

export function createScalarReceiver(opts: {
  secret: string;
  token: string;
  onBatch: (batch: ScalarEventBatch) => void;
}): Server {
  return createServer(async (req, res) => {
    // 4xx tells the hub "configuration issue, do not retry".
    if (req.headers.authorization !== `Bearer ${opts.token}`) return answer(res, 401, 'bad token');
    const raw = await readRaw(req);
    if (!isValidScalarSignature(opts.secret, raw, req.headers['x-scalar-signature'])) {
      return answer(res, 401, 'X-SCALAR-Signature does not match');
    }
    const batch = JSON.parse(raw.toString('utf8')) as ScalarEventBatch;
    opts.onBatch(batch);
    answer(res, 200, `received ${batch.eventsData.length} events`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4100);
  createScalarReceiver({
    secret: process.env.IOT_WEBHOOK_SECRET ?? '',
    token: process.env.IOT_TOKEN ?? '',
    onBatch: (b) => {
      for (const e of b.eventsData) console.log(b.eventBatchId, e.eventType, e.eventVersion);
    },
  }).listen(port, () => console.log(`IoT subscriber on http://127.0.0.1:${port}`));
}
