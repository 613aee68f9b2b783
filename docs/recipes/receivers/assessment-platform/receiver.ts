/**
 * An assessment platform's customer (an LMS, a school's integration): it
 * checks the verification key, from the `X-SmarterMeasure-Verification-Key`
 * header or, for setups that cannot read headers, from the URL's `key`
 * query parameter (the endpoint URL holds `?key={VerificationKey}`), and
 * accepts JSON or XML bodies.
 *
 * Run: ASSESSMENT_KEY=… PORT=4400 npx tsx docs/recipes/receivers/assessment-platform/receiver.ts
 */
import { createServer, type Server } from 'node:http';
import { readRawBody, verifyNodeRequest, WebhookVerificationError } from '@herald/sdk';

export const KEY_HEADER = 'X-SmarterMeasure-Verification-Key';

export interface AssessmentDelivery {
  contentType: string;
  /** Parsed JSON, or the XML text as received. */
  body: unknown;
}

export function createAssessmentReceiver(key: string, onDelivery: (d: AssessmentDelivery) => void): Server {
  return createServer(async (req, res) => {
    const fromUrl = new URL(req.url ?? '/', 'http://receiver').searchParams.get('key');
    try {
      const raw = await readRawBody(req);
      const body = verifyNodeRequest(req, raw, {
        secret: key,
        scheme: { scheme: 'verification-key', header: KEY_HEADER },
        ...(fromUrl !== null ? { receivedKey: fromUrl } : {}),
      });
      onDelivery({ contentType: String(req.headers['content-type']), body });
      res.writeHead(200).end('OK');
    } catch (err) {
      res.writeHead(err instanceof WebhookVerificationError ? 401 : 400).end();
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4400);
  createAssessmentReceiver(process.env.ASSESSMENT_KEY ?? '', (d) =>
    console.log(d.contentType, d.body),
  ).listen(port);
}
