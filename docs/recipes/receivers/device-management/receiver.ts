/**
 * A device-management customer's receiver, written the way the platform's
 * docs tell its customers: the POST's body is the event's payload, shaped
 * like the sample payload the platform shows for that event type, and
 * `X-SF-Signature` is the hex HMAC-SHA256 of the raw body keyed by the
 * secret key the customer configured. Plain Node `http` and `crypto`, no
 * Herald code: the secret is all it shares with Herald.
 *
 * Run: SF_WEBHOOK_SECRET=… PORT=4300 npx tsx docs/recipes/receivers/device-management/receiver.ts
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** An event's payload, as in the platform's sample payloads: which event, then its fields. */
export interface DeviceEvent {
  event: string;
  deviceId: string;
  [field: string]: unknown;
}

export function verifySfSignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'));
  const received = Buffer.from(header ?? '');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

export function createDeviceReceiver(secret: string, onEvent: (e: DeviceEvent) => void): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (!verifySfSignature(secret, raw, req.headers['x-sf-signature'] as string | undefined)) {
        res.writeHead(401).end('invalid X-SF-Signature');
        return;
      }
      onEvent(JSON.parse(raw.toString('utf8')) as DeviceEvent);
      res.writeHead(200).end('received');
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4300);
  createDeviceReceiver(process.env.SF_WEBHOOK_SECRET ?? '', (e) => console.log(e.event, e.deviceId)).listen(
    port,
  );
}
