/**
 * The parts of `herald listen` (cli/listen.ts) that need no connection: its
 * flags and help, the Server-Sent Events parser for Herald's stream, and how
 * a local answer (or the failure to get one) is turned into what Herald
 * accepts at `POST …/listen/:id`.
 */
import { parseArgs } from 'node:util';
import type { RelayErrorKind } from '../delivery/destinations/relay/hub.ts';

export const LISTEN_HELP = `Usage: herald listen <forward-url> [options]

Receives the deliveries of a relay:// endpoint from Herald and forwards each
to <forward-url> (a server on this machine, e.g. http://localhost:3000/webhooks),
then returns its answer to Herald, which logs it as the attempt's response.

Options:
  --api URL          Herald's API (default http://127.0.0.1:8080)
  --token TOKEN      a tenant token (POST /v1/tenants/:tid/tokens) or an admin key;
                     default: $HERALD_TOKEN
  --endpoint ID      listen on this relay:// endpoint (it is kept on exit)
  --events PATTERNS  without --endpoint: the event types the session endpoint
                     subscribes to, comma-separated ('device.*,order.created'); default all
  --tenant ID        the tenant; needed with an admin key (a tenant token names its own)
  -h, --help         show this help

Without --endpoint, a relay:// endpoint is created for the session: its id and
secret are printed once, and it is deleted on exit (Ctrl-C or SIGTERM).
Each delivery prints one line to stdout: time, event type, webhook-id, the local
status (or the error) and milliseconds; notices go to stderr. A lost stream is
reconnected after 1 s, doubling to 10 s.
`;

/** A flag problem: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export interface ListenOptions {
  forward: string;
  /** Without a trailing slash. */
  api: string;
  token: string;
  endpoint: string | null;
  events: string[] | null;
  tenant: string | null;
}

const FLAGS = {
  api: { type: 'string' },
  token: { type: 'string' },
  endpoint: { type: 'string' },
  events: { type: 'string', multiple: true },
  tenant: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function httpUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what} '${text}' is not a URL; e.g. http://localhost:3000/webhooks`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} must be an http:// or https:// URL, not '${text}'`);
  }
  return url.href;
}

/** The flags as options, or 'help'; throws UsageError. */
export function parseListenArgs(argv: string[], env: NodeJS.ProcessEnv): ListenOptions | 'help' {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: FLAGS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'give the local URL to forward deliveries to: herald listen http://localhost:3000/webhooks --token …'
        : `give one local URL, not ${positionals.length} (${positionals.join(' ')})`,
    );
  }
  const token = values.token ?? env.HERALD_TOKEN;
  if (!token) throw new UsageError('--token is required (a tenant token), or set HERALD_TOKEN');
  if (values.endpoint !== undefined && values.events !== undefined) {
    throw new UsageError('--events is for the session endpoint; with --endpoint the endpoint keeps its own');
  }
  if (values.endpoint !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(values.endpoint)) {
    throw new UsageError(`--endpoint takes an endpoint id (ep_…), not '${values.endpoint}'`);
  }
  const events = values.events
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (events?.length === 0) throw new UsageError("--events needs a pattern, e.g. 'device.*'");
  return {
    forward: httpUrl(positionals[0]!, '<forward-url>'),
    api: httpUrl(values.api ?? 'http://127.0.0.1:8080', '--api').replace(/\/+$/, ''),
    token,
    endpoint: values.endpoint ?? null,
    events: events ?? null,
    tenant: values.tenant ?? null,
  };
}

/**
 * A Server-Sent Events parser: feed it the stream's text as it arrives; it
 * calls `onEvent` once per complete event (comments, such as keep-alives,
 * are skipped).
 */
export function sseParser(onEvent: (event: string, data: string) => void): (text: string) => void {
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  return (text) => {
    buffer += text;
    const lines = buffer.split(/\r\n|\r|\n/);
    // The last piece may be a line still arriving (a lone \r at the end is taken as its end too).
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onEvent(event, data.join('\n'));
        event = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  };
}

/** What Herald keeps of a response body; longer answers are cut, as for HTTP endpoints. */
export const MAX_BODY_BYTES = 65_536;

// Hop-by-hop headers describe Herald's connection to this process, not the message.
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

/** The delivery's headers as the local server gets them. */
export function forwardedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_FORWARDED.has(name)));
}

/** Text Herald can store: no NUL characters. */
export const storable = (text: string) => text.replaceAll('\0', '\uFFFD');

/** The local server's headers within the limits of `POST …/listen/:id`. */
export function answerHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).slice(0, 100)) {
    if (value === undefined || name.length > 256) continue;
    out[storable(name)] = storable(Array.isArray(value) ? value.join(', ') : value).slice(0, 8192);
  }
  return out;
}

/** The first MAX_BODY_BYTES of a response body, as text; the rest is not read. */
export async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
  // A character cut in half at the limit becomes U+FFFD: drop it.
  return storable(size > MAX_BODY_BYTES ? text.replace(/\uFFFD$/, '') : text);
}

/** How reaching the local server failed, in the attempt log's terms. */
export function errorKind(err: unknown): RelayErrorKind {
  const e = (err ?? {}) as { code?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'connection_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (/TIMEOUT/.test(code) || e.name === 'TimeoutError') return 'timeout';
  if (/TLS|CERT|SSL/.test(code)) return 'tls';
  return 'network';
}
