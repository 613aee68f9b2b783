/**
 * What every broker kind must do, run once per kind against its real broker
 * (as the store contract runs once per store): a signed message arrives
 * byte for byte with its headers and verifies with a Standard Webhooks
 * library, names are rendered from templates, one connection serves an
 * endpoint and idles out, an unreachable or silent broker is a quick
 * retryable failure, a dropped connection is recovered without losing what
 * was reported sent, a private address is refused before connecting,
 * credentials never appear in a result, and check() refuses what every
 * kind refuses. Each <kind>.test.ts calls `describeDestinationKind` with a
 * fixture and adds what only its protocol does.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DestinationContext,
  DestinationKind,
  DestinationMessage,
  DestinationResult,
  DestinationTarget,
} from '../../src/delivery/destinations/port.ts';
import type { NetworkPolicy } from '../../src/delivery/ssrf.ts';
import {
  DEFAULT_POLICY,
  eventually,
  LOOPBACK_ALLOWED,
  resultText,
  SECRET,
  sendThroughDrop,
  signedMessage,
  silentServer,
  uniqueName,
  unusedPort,
} from './support.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** A message as the broker's own client received it. */
export interface Received<M> {
  /** The routing key, stream, subject or topic it arrived on. */
  name: string;
  body: Buffer;
  /** The message's headers as the consumer reads them, without what the protocol adds (NATS's `Nats-Msg-Id`). */
  headers: Record<string, string>;
  /** The client's own message, for the kind's own checks. */
  raw: M;
}

export interface Consumer<M> {
  /** Everything received so far on the fixture's names (see `name`). */
  received(): Promise<Received<M>[]> | Received<M>[];
  close(): Promise<void>;
}

type Options = Record<string, unknown>;
/** A check() case: URL, options, the path of the problem, what its message says. */
export type Refusal = [url: string, options: Options, path: 'url' | 'destination', message: RegExp];

export interface KindFixture<M> {
  create(ctx: DestinationContext): DestinationKind;
  /** The real broker's URL on loopback, with the credentials it needs. */
  broker: string;
  /** The option that names where a message goes: `routingKey`, `stream`, `subject`, `topic`. */
  nameOption: string;
  /** A name the consumer sees, made of `suffix` (which may hold placeholders): `<prefix>.<suffix>`. */
  name(suffix: string): string;
  /** Options every target has (AMQP's exchange). */
  options?: Options;
  /** Publish once per entry, when the kind has ways to publish to test each (MQTT's QoS 1 and 2). */
  variants?: Record<string, Options>;
  /** An event type whose message the consumer sees when the options name nothing ({{type}}, the default name); absent when the name is required. */
  defaultType?: string;
  /** Starts the broker's own client (the broker's clean-up goes in its close). */
  consume(): Promise<Consumer<M>>;
  /** What only this kind shows of a message it published (its answer, its protocol's properties). */
  published?(
    result: DestinationResult,
    got: Received<M>,
    message: DestinationMessage,
    options: Options,
  ): void;
  /** What a send with a wrong password answers, when the broker checks passwords. */
  wrongPassword?: RegExp;
  /** Whether a user without a password is a secret token (NATS), so it is tried too. */
  tokens?: boolean;
  check: { accepts: [url: string, options: Options][]; refuses: Refusal[] };
}

export interface KindSuite<M> {
  /** A kind closed after the file's tests. */
  kind(policy?: NetworkPolicy, idleMs?: number): DestinationKind;
  /** A target of a new endpoint: the fixture's options and a name the consumer sees, then `options`. */
  target(options?: Options, url?: string): DestinationTarget;
  /** The broker's URL through `host:port`. */
  url(host: string, port: number): string;
  /** The messages with these webhook-ids, once the consumer has them all. */
  consumed(ids: string[]): Promise<Received<M>[]>;
}

const PASSWORD = 'pw-Secret%2F42';

export function describeDestinationKind<M>(
  name: string,
  f: KindFixture<M>,
  specific: (suite: KindSuite<M>) => void = () => {},
): void {
  const kinds: DestinationKind[] = [];
  let consumer: Consumer<M>;
  let proxy: TcpProxy;
  const { broker } = f;
  /** The broker's URL with other parts: another host and port (a proxy, a silent server, nothing), other credentials. */
  const edit = (parts: Partial<Pick<URL, 'hostname' | 'port' | 'username' | 'password'>>) =>
    Object.assign(new URL(broker), parts).href;
  const at = (hostname: string, port: number) => edit({ hostname, port: String(port) });
  /** A target with only the fixture's options and `options`: the kind's defaults apply. */
  const bare = (options: Options, url = broker) => ({
    key: uniqueName('ep'),
    endpointId: 'ep_conformance',
    url,
    options: { ...f.options, ...options },
  });

  const suite: KindSuite<M> = {
    kind(policy = LOOPBACK_ALLOWED, idleMs) {
      const k = f.create({ policy, ...(idleMs !== undefined ? { idleMs } : {}) });
      kinds.push(k);
      return k;
    },
    target: (options = {}, url = broker) =>
      bare({ [f.nameOption]: f.name('{{tenantId}}.{{type}}'), ...options }, url),
    url: at,
    async consumed(ids) {
      let missing = ids;
      try {
        return await eventually(async () => {
          const byId = new Map((await consumer.received()).map((m) => [m.headers['webhook-id'], m]));
          missing = ids.filter((id) => !byId.has(id));
          return missing.length === 0 ? ids.map((id) => byId.get(id)!) : undefined;
        });
      } catch {
        throw new Error(`the consumer never received ${missing.length} of ${ids.length}: ${missing}`);
      }
    },
  };
  const { kind, target } = suite;

  describe(`${name} kind`, () => {
    beforeAll(async () => {
      consumer = await f.consume();
      proxy = await startTcpProxy(Number(new URL(broker).port));
    });

    afterAll(async () => {
      await Promise.all(kinds.map((k) => k.close()));
      await proxy?.close();
      await consumer?.close();
    });

    for (const [label, options] of Object.entries(f.variants ?? { '': {} })) {
      const how = label === '' ? '' : ` (${label})`;
      const title = `publishes the body unchanged with the headers${how}, verifiable by a Standard Webhooks library`;
      it(title, async () => {
        const message = signedMessage({ resource: 'dev_7' });
        const result = await kind().send(
          target({ [f.nameOption]: f.name('{{tenantId}}.{{type}}.{{resource}}'), ...options }),
          message,
        );
        expect(result).toMatchObject({ status: null, headers: null, error: null, verdict: 'success' });
        const [got] = (await suite.consumed([message.headers['webhook-id']!])) as [Received<M>];
        expect(got.name).toBe(f.name('tn_acme.device.enrolled.dev_7'));
        expect(got.body.equals(Buffer.from(message.body, 'utf8'))).toBe(true);
        expect(got.headers).toEqual(message.headers);
        expect(new Webhook(SECRET).verify(got.body.toString('utf8'), got.headers)).toEqual(
          JSON.parse(message.body),
        );
        f.published?.(result, got, message, options);
      });
    }

    it('renders the resource of a message without one as empty (spaces inside the braces allowed)', async () => {
      const message = signedMessage({ resource: null });
      const result = await kind().send(target({ [f.nameOption]: f.name('r{{ resource }}') }), message);
      expect(result.verdict).toBe('success');
      const [got] = (await suite.consumed([message.headers['webhook-id']!])) as [Received<M>];
      expect(got.name).toBe(f.name('r'));
    });

    if (f.defaultType !== undefined) {
      const type = f.defaultType;
      it('names the message by its event type ({{type}}) when the options name nothing', async () => {
        const message = signedMessage({ type });
        expect((await kind().send(bare({}), message)).verdict).toBe('success');
        const [got] = (await suite.consumed([message.headers['webhook-id']!])) as [Received<M>];
        expect(got.name).toBe(type);
      });
    }

    it('shares one connection between concurrent sends of one endpoint, and closes it when idle', async () => {
      const k = kind(LOOPBACK_ALLOWED, 200);
      const t = target({}, at('127.0.0.1', proxy.port));
      const before = proxy.accepted;
      const results = await Promise.all(Array.from({ length: 20 }, () => k.send(t, signedMessage())));
      expect(results.every((r) => r.verdict === 'success')).toBe(true);
      expect(proxy.accepted - before).toBe(1);
      await eventually(() => (proxy.open === 0 ? true : undefined));
      expect((await k.send(t, signedMessage())).verdict).toBe('success');
      expect(proxy.accepted - before).toBe(2);
    });

    it('fails retryably and quickly when no broker listens', async () => {
      const port = await unusedPort();
      const started = Date.now();
      const result = await kind().send(target({}, at('127.0.0.1', port)), signedMessage());
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result).toMatchObject({ verdict: 'retryable', status: null, body: null });
      expect(result.error).toEqual({
        kind: 'connection_refused',
        message: `connection refused by 127.0.0.1:${port}`,
      });
    });

    it('recovers from a dropped connection mid-run, and everything reported as sent arrived', async () => {
      const k = kind();
      const t = target({ [f.nameOption]: f.name('drop') }, at('127.0.0.1', proxy.port));
      const run = await sendThroughDrop(proxy, (m) => k.send(t, m));
      expect(run.failures.length).toBeGreaterThanOrEqual(4);
      for (const r of run.failures) {
        expect(r.verdict).toBe('retryable');
        expect(['connection_reset', 'connection_refused']).toContain(r.error?.kind);
      }
      expect(run.recovered).toBeGreaterThanOrEqual(10);
      await suite.consumed(run.sent);
    });

    it('gives up on a broker that accepts but never answers, within the connect budget', async () => {
      const silent = await silentServer();
      try {
        const started = Date.now();
        const result = await kind().send(target({}, at('127.0.0.1', silent.port)), signedMessage());
        expect(Date.now() - started).toBeLessThan(6500);
        expect(result.verdict).toBe('retryable');
        expect(result.error?.kind).toBe('timeout');
      } finally {
        await silent.close();
      }
    });

    it('refuses a private address when the policy forbids it, before connecting', async () => {
      const k = kind(DEFAULT_POLICY);
      const before = proxy.accepted;
      for (const host of ['127.0.0.1', 'localhost']) {
        const result = await k.send(target({}, at(host, proxy.port)), signedMessage());
        expect(result.verdict).toBe('retryable');
        expect(result.error?.kind).toBe('private_network');
        expect(result.error?.message).toMatch(/loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS/);
      }
      expect(proxy.accepted).toBe(before);
    });

    it('never shows a password or token, refused or not', async () => {
      const results = [];
      const urls = [edit({ username: new URL(broker).username || 'herald', password: PASSWORD })];
      if (f.tokens) urls.push(edit({ username: PASSWORD, password: '' }));
      for (const url of urls) results.push(await kind().send(target({}, url), signedMessage()));
      if (f.wrongPassword !== undefined) {
        expect(results[0]?.verdict).toBe('retryable');
        expect(results[0]?.error?.message).toMatch(f.wrongPassword);
      }
      const ok = await kind().send(target(), signedMessage());
      expect(ok.verdict).toBe('success');
      const userinfo = new URL(broker);
      const own = userinfo.password === '' ? [] : [`${userinfo.username}:${userinfo.password}`];
      for (const r of [...results, ok]) {
        for (const secret of ['pw-Secret', ...own]) expect(resultText(r)).not.toContain(secret);
      }
    });

    specific(suite);
  });

  describe(`${name} check`, () => {
    const k = f.create({ policy: LOOPBACK_ALLOWED });
    const check = (url: string, options: Options) => k.check(new URL(url), options);
    const scheme = new URL(broker).protocol;
    // The name option is required by some kinds: given, so that the URL is what is refused.
    const named = { [f.nameOption]: f.name('x') };

    it('accepts good URLs and options', () => {
      for (const [url, options] of f.check.accepts) expect(check(url, options)).toBeNull();
    });

    const refusals: Refusal[] = [
      ['http://host', named, 'url', /URL starts with .*, e\.g\. /],
      [`${scheme}//`, named, 'url', /URL needs a host/],
      [`${scheme}//host?x=1`, named, 'url', /no query parameters; remove "\?x=1"/],
      [`${scheme}//host#f`, named, 'url', /remove the fragment "#f"/],
      [`${scheme}//host`, { ...named, nope: 1 }, 'destination', /destinations have no option "nope"/],
      [`${scheme}//host`, { [f.nameOption]: 7 }, 'destination', /must be a string, not number 7/],
      [
        `${scheme}//host`,
        { [f.nameOption]: '{{event}}' },
        'destination',
        /unknown placeholder "\{\{event\}\}"/,
      ],
      ...f.check.refuses,
    ];
    it.each(refusals)('refuses %s %j', (url, options, path, message) => {
      const problem = check(url, options);
      expect(problem?.path).toBe(path);
      expect(problem?.message).toMatch(message);
    });
  });
}
