/**
 * An IoT data hub subscriber: checks the authorization token it asked the
 * hub to send as a custom header, verifies `X-SCALAR-SIGNATURE` (hex
 * HMAC-SHA256 of the raw body) with @herald/sdk, and answers fast (the hub
 * expects an answer within 3–5 s: queue the work, don't do it here).
 *
 * Run: IOT_WEBHOOK_SECRET=… IOT_TOKEN=… PORT=4100 npx tsx docs/recipes/receivers/iot-data-hub/receiver.ts
 */
import { createServer, type Server } from 'node:http';
import { readRawBody, verifyNodeRequest, WebhookVerificationError } from '@herald/sdk';

export const IOT_SIGNATURE = {
  scheme: 'hmac-sha256',
  header: 'X-SCALAR-SIGNATURE',
  encoding: 'hex',
} as const;

export interface IotEnvelope {
  id: string;
  type: string;
  version: number;
  timestamp: string;
  resource: string | null;
  data: Record<string, unknown>;
}

export function createIotReceiver(opts: {
  secret: string;
  token: string;
  onEvent: (e: IotEnvelope) => void;
}): Server {
  return createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(403).end('bad token');
      return;
    }
    try {
      const raw = await readRawBody(req);
      const body = verifyNodeRequest(req, raw, {
        secret: opts.secret,
        scheme: IOT_SIGNATURE,
      }) as IotEnvelope | IotEnvelope[];
      // A subscription with batching on receives a JSON array of events in one request.
      for (const event of Array.isArray(body) ? body : [body]) opts.onEvent(event);
      res.writeHead(202).end();
    } catch (err) {
      res.writeHead(err instanceof WebhookVerificationError ? 401 : 500).end(String((err as Error).message));
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4100);
  createIotReceiver({
    secret: process.env.IOT_WEBHOOK_SECRET ?? '',
    token: process.env.IOT_TOKEN ?? '',
    onEvent: (e) => console.log(e.type, e.version, e.resource),
  }).listen(port, () => console.log(`IoT receiver on http://127.0.0.1:${port}`));
}
