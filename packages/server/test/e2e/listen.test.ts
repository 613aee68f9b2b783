/**
 * `herald listen` end to end: a real Herald (API and worker in one
 * process), the CLI as a child process (`node bin/herald.js listen …`) with a
 * tenant token, and a loopback server standing in for the developer's local
 * app. What the developer sees: signed deliveries, the local status in the
 * attempt log, one line per delivery, retries while no listener runs, and a
 * session endpoint that is gone after Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const BIN = fileURLToPath(new URL('../../bin/herald.js', import.meta.url));
const LINE = /^(\S+Z) {2}(\S+) {2}(\S+) {2}(.+?) {2}(\d+) ms$/;

interface Cli {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Cli {
  const proc = spawn(process.execPath, [BIN, 'listen', ...args], {
    env: { ...process.env, HERALD_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let out = '';
  let err = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    lines.push(...parts);
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, stderr: () => err, exited };
}

const running: Cli[] = [];
let env: Awaited<ReturnType<typeof startTestHerald>>;
let api: ApiClient;
let receiver: Receiver;
let token: string;
/** What the local server answers next. */
let localStatus = 200;

async function connected(cli: Cli): Promise<void> {
  running.push(cli);
  await waitUntil(
    `herald listen to connect (stderr: ${cli.stderr()})`,
    () => cli.stderr().includes('connected:'),
    20_000,
  );
}

const attemptsOf = async (endpointId: string) =>
  (await api.get(`/v1/tenants/acme/attempts?endpointId=${endpointId}&limit=50`)).body.data as any[];

beforeAll(async () => {
  // Failures while no listener runs are the point here: the circuit breaker must not open over them.
  env = await startTestHerald({ HERALD_CIRCUIT_FAILURE_THRESHOLD: '50' });
  api = env.api;
  receiver = await startReceiver(() => ({ status: localStatus, body: `local ${localStatus}` }));
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  token = (await api.post('/v1/tenants/acme/tokens', { name: 'laptop' })).body.token;
});

afterAll(async () => {
  for (const cli of running) if (cli.proc.exitCode === null) cli.proc.kill('SIGKILL');
  await receiver?.close();
  await env?.close();
});

describe('herald listen', () => {
  it('refuses bad flags with exit code 2 and says why', async () => {
    const cli = startCli([
      'http://localhost:3000/hooks',
      '--endpoint',
      'ep_1',
      '--events',
      'a.*',
      '--token',
      'x',
    ]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/--events is for the session endpoint/);
  });

  it('forwards signed deliveries of a session endpoint, logs the local status, and cleans up on Ctrl-C', async () => {
    const url = env.herald.url!;
    const cli = startCli([`${receiver.url}/hooks`, '--api', url, '--token', token, '--events', 'device.*']);
    await connected(cli);
    const endpointId = /created relay endpoint (ep_\w+)/.exec(cli.stderr())![1]!;
    const secret = /secret: (whsec_\S+)/.exec(cli.stderr())![1]!;
    const endpoint = (await api.get(`/v1/tenants/acme/endpoints/${endpointId}`)).body;
    expect(endpoint).toMatchObject({ url: 'relay://', eventTypes: ['device.*'], status: 'active' });

    localStatus = 201;
    const first = await api.post('/v1/tenants/acme/events', { type: 'device.updated', data: { id: 'd-1' } });
    expect(first.body.deliveries).toHaveLength(1);
    await receiver.waitFor(1, 10_000);
    const got = receiver.requests[0]!;
    expect(got).toMatchObject({ method: 'POST', url: '/hooks' });
    expect(got.headers['webhook-id']).toBe(first.body.id);
    expect(new Webhook(secret).verify(got.body, got.headers)).toMatchObject({ data: { id: 'd-1' } });
    await waitUntil('the 201 in the log', async () => (await attemptsOf(endpointId)).length === 1);
    expect((await attemptsOf(endpointId))[0]).toMatchObject({
      responseStatus: 201,
      responseBody: 'local 201',
      succeeded: true,
      url: 'relay://',
    });

    // An event outside --events is not delivered; a 500 is logged as a failure.
    expect(
      (await api.post('/v1/tenants/acme/events', { type: 'order.created', data: {} })).body.deliveries,
    ).toEqual([]);
    localStatus = 500;
    const second = await api.post('/v1/tenants/acme/events', { type: 'device.deleted', data: { id: 'd-2' } });
    await waitUntil('the 500 in the log', async () => (await attemptsOf(endpointId)).length === 2);
    expect((await attemptsOf(endpointId))[0]).toMatchObject({ responseStatus: 500, succeeded: false });

    await waitUntil('two delivery lines', () => cli.lines.length === 2);
    const lines = cli.lines.map((l) => LINE.exec(l));
    expect(lines.map((m) => m && [m[2], m[3], m[4]])).toEqual([
      ['device.updated', first.body.id, '201'],
      ['device.deleted', second.body.id, '500'],
    ]);
    expect(Number.isNaN(Date.parse(lines[0]![1]!))).toBe(false);

    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toContain(`deleted the session endpoint ${endpointId}`);
    expect((await api.get(`/v1/tenants/acme/endpoints/${endpointId}`)).status).toBe(404);
  });

  it('while no listener runs, deliveries fail as connection errors and are retried; a new listener gets them', async () => {
    const url = env.herald.url!;
    const created = await api.post('/v1/tenants/acme/endpoints', {
      url: 'relay://laptop',
      requireVerification: false,
      retry: { maxAttempts: 20, schedule: [2] },
    });
    expect(created.status).toBe(201);
    const endpointId = created.body.id as string;
    const args = [`${receiver.url}/hooks`, '--api', url, '--token', token, '--endpoint', endpointId];

    const crashed = startCli(args);
    await connected(crashed);
    crashed.proc.kill('SIGKILL');
    await crashed.exited;

    localStatus = 200;
    const before = receiver.requests.length;
    const event = await api.post('/v1/tenants/acme/events', { type: 'device.updated', data: { id: 'd-3' } });
    await waitUntil('a failed attempt', async () => (await attemptsOf(endpointId)).length >= 1, 10_000);
    const failed = (await attemptsOf(endpointId)).at(-1);
    expect(failed).toMatchObject({ succeeded: false, responseStatus: null });
    expect(['connection_refused', 'connection_reset']).toContain(failed.error.kind);
    expect(failed.error.message).toMatch(/herald listen/);

    const again = startCli(args);
    await connected(again);
    await waitUntil('the retried delivery to succeed', async () =>
      (await attemptsOf(endpointId)).some((a) => a.succeeded && a.responseStatus === 200),
    );
    const attempts = await attemptsOf(endpointId);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((a) => a.eventId === event.body.id)).toBe(true);
    expect(receiver.requests.slice(before).map((r) => r.headers['webhook-id'])).toEqual([event.body.id]);
    await waitUntil('its delivery line', () => again.lines.length === 1);
    expect(again.lines[0]).toMatch(LINE);

    again.proc.kill('SIGINT');
    expect(await again.exited).toBe(0);
    // An endpoint named with --endpoint is the developer's: it stays.
    expect((await api.get(`/v1/tenants/acme/endpoints/${endpointId}`)).status).toBe(200);
  });
});
