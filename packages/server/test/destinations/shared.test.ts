/** The pieces every broker kind shares: templates, the pool, the host check, error reading, the registry list. */
import { describe, expect, it } from 'vitest';
import { createBrokerKinds } from '../../src/delivery/destinations/index.ts';
import {
  AttemptFailure,
  ConnectionLostError,
  describeError,
  failed,
  scrubResult,
  withDeadline,
} from '../../src/delivery/destinations/outcome.ts';
import { ConnectionPool } from '../../src/delivery/destinations/pool.ts';
import { resolveHost } from '../../src/delivery/destinations/resolve-host.ts';
import { renderTemplate, templateProblem } from '../../src/delivery/destinations/template.ts';
import { DEFAULT_POLICY, eventually, LOOPBACK_ALLOWED } from './support.ts';

describe('templates', () => {
  const vars = { type: 'device.enrolled', tenantId: 'tn_1', resource: null };

  it('substitutes the three placeholders, spaces allowed inside the braces, a null resource as empty', () => {
    expect(renderTemplate('{{tenantId}}/{{ type }}/{{resource}}', vars)).toBe('tn_1/device.enrolled/');
    expect(renderTemplate('{{resource}}', { ...vars, resource: 'dev_1' })).toBe('dev_1');
    expect(renderTemplate('plain', vars)).toBe('plain');
  });

  it('refuses unknown placeholders and unbalanced braces, naming the option', () => {
    expect(templateProblem('destination.topic', '{{Type}}')).toBe(
      'destination.topic uses the unknown placeholder "{{Type}}"; the placeholders are {{type}}, {{tenantId}} and {{resource}}',
    );
    expect(templateProblem('destination.topic', 'a.{{type')).toMatch(/unbalanced/);
    expect(templateProblem('destination.topic', 'a}}')).toMatch(/unbalanced/);
    expect(templateProblem('destination.topic', '{a}.{{type}}')).toBeNull();
  });
});

class FakeConnection {
  closed = 0;
  async close() {
    this.closed++;
  }
}

describe('connection pool', () => {
  it('opens one connection per key, shared by concurrent acquires', async () => {
    const pool = new ConnectionPool<FakeConnection>(60_000);
    let opened = 0;
    const open = async () => {
      opened++;
      return new FakeConnection();
    };
    const leases = await Promise.all([
      pool.acquire('a', open),
      pool.acquire('a', open),
      pool.acquire('b', open),
    ]);
    expect(opened).toBe(2);
    expect(leases[0]!.conn).toBe(leases[1]!.conn);
    for (const l of leases) l.release();
    await pool.close();
    expect(leases[0]!.conn.closed).toBe(1);
    await expect(pool.acquire('a', open)).rejects.toThrow(/closed/);
  });

  it('closes a connection idle for idleMs, not one in use', async () => {
    const pool = new ConnectionPool<FakeConnection>(30);
    const open = async () => new FakeConnection();
    const held = await pool.acquire('a', open);
    const idle = await pool.acquire('b', open);
    idle.release();
    await eventually(() => (idle.conn.closed === 1 ? true : undefined));
    expect(held.conn.closed).toBe(0);
    expect(pool.size).toBe(1);
    held.release();
    await eventually(() => (pool.size === 0 ? true : undefined));
    await pool.close();
  });

  it('drops a lost connection: its leases hear of it, the next acquire opens anew', async () => {
    const pool = new ConnectionPool<FakeConnection>(60_000);
    let report: (reason: unknown) => void = () => {};
    const open = async (lost: (reason: unknown) => void) => {
      report = lost;
      return new FakeConnection();
    };
    const first = await pool.acquire('a', open);
    const seen: unknown[] = [];
    const stop = first.onLost((reason) => seen.push(reason));
    first.onLost((reason) => seen.push(reason))();
    report(new Error('socket closed'));
    expect(seen).toEqual([new Error('socket closed')]);
    stop();
    first.onLost((reason) => seen.push(reason));
    expect(seen).toHaveLength(2);
    await eventually(() => (first.conn.closed === 1 ? true : undefined));
    const second = await pool.acquire('a', open);
    expect(second.conn).not.toBe(first.conn);
    first.release();
    second.release();
    await pool.close();
  });

  it('does not keep a connection that failed to open', async () => {
    const pool = new ConnectionPool<FakeConnection>(60_000);
    await expect(pool.acquire('a', async () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    expect(pool.size).toBe(0);
    const lease = await pool.acquire('a', async () => new FakeConnection());
    lease.release();
    await pool.close();
  });
});

describe('resolveHost', () => {
  it('checks every address of a name and connects to the checked one, keeping the name for TLS', async () => {
    expect(await resolveHost(new URL('amqp://localhost'), DEFAULT_POLICY)).toEqual({
      error: {
        kind: 'private_network',
        message: expect.stringMatching(/^localhost resolves to a refused address: /),
      },
    });
    const allowed = await resolveHost(new URL('amqp://localhost'), { allowPrivate: true, allowedCidrs: [] });
    expect(allowed).toEqual({
      host: {
        address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
        family: expect.any(Number),
        servername: 'localhost',
      },
    });
  });

  it('checks IP literals without a lookup, IPv6 brackets removed', async () => {
    expect(await resolveHost(new URL('mqtt://127.0.0.1'), LOOPBACK_ALLOWED)).toEqual({
      host: { address: '127.0.0.1', family: 4, servername: undefined },
    });
    const v6 = await resolveHost(new URL('nats://[::1]:4222'), DEFAULT_POLICY);
    expect(v6).toEqual({
      error: { kind: 'private_network', message: expect.stringMatching(/^::1 is a loopback/) },
    });
  });

  it('reports a name that does not resolve as dns', async () => {
    const result = await resolveHost(new URL('redis://no-such-host.invalid'), DEFAULT_POLICY);
    expect(result).toEqual({
      error: { kind: 'dns', message: expect.stringMatching(/could not resolve no-such-host\.invalid/) },
    });
  });
});

describe('outcomes', () => {
  it('reads socket errors through wrappers', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(describeError(refused, 'h:1')).toEqual({
      kind: 'connection_refused',
      message: 'connection refused by h:1',
    });
    expect(describeError({ code: 'CONNECTION_REFUSED', chainedError: refused }, 'h:1').kind).toBe(
      'connection_refused',
    );
    expect(describeError(new ConnectionLostError(new Error('bye')), 'h:1')).toEqual({
      kind: 'connection_reset',
      message: 'the connection to h:1 was lost before the broker acknowledged: bye',
    });
    expect(describeError(new AttemptFailure({ kind: 'dns', message: 'x' }), 'h:1')).toEqual({
      kind: 'dns',
      message: 'x',
    });
    expect(describeError(new Error('odd'), 'h:1')).toEqual({ kind: 'network', message: 'h:1: odd' });
  });

  it('scrubs secrets from every text of a result', () => {
    const result = failed({ kind: 'network', message: 'login s3cret refused' }, 'retryable', 1);
    expect(scrubResult(result, ['s3cret', '']).error?.message).toBe('login *** refused');
  });

  it('gives up on a promise that never settles', async () => {
    await expect(withDeadline(new Promise(() => {}), 10, () => new Error('late'))).rejects.toThrow('late');
  });
});

describe('createBrokerKinds', () => {
  it('lists the four broker kinds with distinct schemes', async () => {
    const kinds = createBrokerKinds({ policy: DEFAULT_POLICY });
    const schemes = kinds.flatMap((k) => k.schemes);
    expect(schemes).toEqual(['amqp', 'amqps', 'redis', 'rediss', 'nats', 'tls', 'mqtt', 'mqtts']);
    await Promise.all(kinds.map((k) => k.close()));
  });
});
