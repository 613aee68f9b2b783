/** What every broker test needs: a signed message, a policy, a poll, an unused port. */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { signatureHeaders } from '@herald/sdk';
import type { DestinationMessage, DestinationResult } from '../../src/delivery/destinations/port.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';

/** The brokers run on loopback: this policy allows it, the default one does not. */
export const LOOPBACK_ALLOWED = parseAllowPrivateNetworks('127.0.0.0/8');
export const DEFAULT_POLICY = parseAllowPrivateNetworks(undefined);

export const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** A name no other run uses, for exchanges, streams, subjects and topics. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

let counter = 0;

/** A message built as the HTTP path builds it: the same body bytes, Standard Webhooks signature headers. */
export function signedMessage(
  template: Partial<DestinationMessage['template']> = {},
  body = JSON.stringify({
    type: template.type ?? 'device.enrolled',
    data: { id: `dev_${++counter}`, n: 'ü→✓' },
  }),
): DestinationMessage {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const timestampSec = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Herald-Test/1',
    'x-custom': 'custom value',
    'x-request-id': `req_${randomBytes(4).toString('hex')}`,
  };
  const signed = signatureHeaders({ scheme: 'standard-webhooks' }, [SECRET], { id, timestampSec, body });
  for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  return {
    headers,
    body,
    template: { type: 'device.enrolled', tenantId: 'tn_acme', resource: null, ...template },
    timeoutMs: 5000,
  };
}

/** Polls `read` until it returns something other than undefined, or fails after `ms`. */
export async function eventually<T>(
  read: () => T | undefined | Promise<T | undefined>,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

/** Every text of a result, for checking that no credential leaks. */
export function resultText(result: DestinationResult): string {
  return JSON.stringify(result);
}

/** A loopback server that accepts connections and never says a word: a broker that hangs. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const held: Socket[] = [];
  const server = createServer((s) => held.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface DropRun {
  /** webhook-ids of the sends reported as success, before and after the drop. */
  sent: string[];
  /** Results of the sends that failed. */
  failures: DestinationResult[];
  /** Successes after the proxy accepted again. */
  recovered: number;
}

/**
 * Sends from four concurrent loops through `proxy`; after ten successes
 * drops every proxied socket (sends in flight die with it), lets at least
 * four sends fail, accepts again and runs until ten more have succeeded.
 */
export async function sendThroughDrop(
  proxy: { drop(): Promise<void>; accept(): Promise<void> },
  send: (message: DestinationMessage) => Promise<DestinationResult>,
): Promise<DropRun> {
  const run: DropRun = { sent: [], failures: [], recovered: 0 };
  let phase: 'before' | 'dropped' | 'after' | 'done' = 'before';
  let switching = Promise.resolve();
  const deadline = Date.now() + 20_000;
  const worker = async () => {
    while (phase !== 'done') {
      if (Date.now() > deadline) {
        const last = run.failures.at(-1);
        throw new Error(
          `stuck in phase ${phase} after ${run.failures.length} failures, last: ${JSON.stringify(last)}`,
        );
      }
      const message = signedMessage();
      const result = await send(message);
      if (result.verdict === 'success') {
        run.sent.push(message.headers['webhook-id']!);
        if (phase === 'after' && ++run.recovered >= 10) phase = 'done';
        if (phase === 'before' && run.sent.length >= 10) {
          phase = 'dropped';
          switching = proxy.drop();
        }
      } else {
        run.failures.push(result);
        if (phase === 'dropped' && run.failures.length >= 4) {
          phase = 'after';
          switching = switching.then(() => proxy.accept());
          await switching;
        }
      }
      await switching;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return run;
}
