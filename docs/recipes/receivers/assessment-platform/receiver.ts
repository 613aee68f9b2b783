/**
 * An assessment platform's customer (an LMS, a school's student system),
 * written from the platform's webhook docs (developers.smarterservices.com,
 * "Getting Started with Webhooks") and nothing else: each POST carries the
 * verification key the platform assigned, always in the
 * `X-SmarterMeasure-Verification-Key` header and, for integrations that
 * cannot read headers, in the URL when the customer appended
 * `VerificationKey={VerificationKey}` to it; the body is JSON or XML, as the
 * customer chose. The key is all it shares with Herald.
 *
 * Run: ASSESSMENT_KEY=… KEY_FROM=header|url PORT=4400 npx tsx docs/recipes/receivers/assessment-platform/receiver.ts
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { XMLParser } from 'fast-xml-parser';

export const KEY_HEADER = 'X-SmarterMeasure-Verification-Key';
export const KEY_PARAMETER = 'VerificationKey';

export interface AssessmentDelivery {
  contentType: string;
  /** The payload: parsed JSON, or the XML document's root element parsed. */
  body: unknown;
}

/** Where this integration reads the key: the header, or (when it cannot read headers) the URL. */
export type KeyFrom = 'header' | 'url';

const sameKey = (expected: string, received: string | null | undefined): boolean => {
  const a = Buffer.from(expected);
  const b = Buffer.from(received ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
};

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const xml = new XMLParser({ ignoreDeclaration: true });

function parse(contentType: string, text: string): unknown {
  if (!contentType.includes('xml')) return JSON.parse(text);
  const [root] = Object.values(xml.parse(text) as Record<string, unknown>);
  return root;
}

export function createAssessmentReceiver(
  key: string,
  keyFrom: KeyFrom,
  onDelivery: (d: AssessmentDelivery) => void,
): Server {
  return createServer(async (req, res) => {
    const received =
      keyFrom === 'header'
        ? (req.headers[KEY_HEADER.toLowerCase()] as string | undefined)
        : new URL(req.url ?? '/', 'http://receiver').searchParams.get(KEY_PARAMETER);
    if (!sameKey(key, received)) {
      res.writeHead(401).end('wrong verification key');
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    try {
      onDelivery({ contentType, body: parse(contentType, (await readRaw(req)).toString('utf8')) });
      res.writeHead(200).end('OK');
    } catch {
      res.writeHead(400).end('unreadable body');
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4400);
  const keyFrom: KeyFrom = process.env.KEY_FROM === 'url' ? 'url' : 'header';
  createAssessmentReceiver(process.env.ASSESSMENT_KEY ?? '', keyFrom, (d) =>
    console.log(d.contentType, JSON.stringify(d.body)),
  ).listen(port);
}
