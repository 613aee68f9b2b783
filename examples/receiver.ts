/**
 * A webhook receiver that verifies Herald's signatures: run it with
 *   WEBHOOK_SECRET=whsec_… npx tsx examples/receiver.ts
 * and point an endpoint at http://127.0.0.1:4000/webhooks.
 */
import { createServer } from 'node:http';
import { readRawBody, verifyStandardWebhook, WebhookVerificationError } from '@herald/sdk';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('Set WEBHOOK_SECRET to the endpoint secret (whsec_…) that Herald returned.');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 4000);

createServer(async (req, res) => {
  // Verify the raw bytes exactly as they arrived: never a re-serialized body.
  const body = await readRawBody(req);
  try {
    verifyStandardWebhook(secret, req.headers, body);
  } catch (err) {
    const reason = err instanceof WebhookVerificationError ? err.message : String(err);
    console.log(`rejected ${req.headers['webhook-id'] ?? '(no id)'}: ${reason}`);
    res.writeHead(401).end();
    return;
  }
  const event = JSON.parse(body.toString('utf8'));
  console.log(`verified ${event.id} ${event.type}`, JSON.stringify(event.data));
  res.writeHead(204).end();
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/webhooks`));
