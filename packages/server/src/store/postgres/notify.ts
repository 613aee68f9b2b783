/**
 * Wake-ups across processes with LISTEN/NOTIFY. A NOTIFY is only a hint:
 * workers poll as well, so a lost notification costs latency, never a
 * delivery. The payload is the schema name, so Herald installations sharing
 * one database in different schemas do not wake each other.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { clientConfig, type PgLogger, type PgOptions, type Pool } from './db.ts';

export const WORK_CHANNEL = 'herald_work';

/** A burst of ingests sends one NOTIFY per this many milliseconds, per process. */
const NOTIFY_DEBOUNCE_MS = 5;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;

export class WorkNotifier {
  private readonly local = new EventEmitter();
  private readonly scope: string;
  private listener: pg.Client | null = null;
  private connecting = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = RECONNECT_MIN_MS;
  private notifyTimer: NodeJS.Timeout | null = null;
  private lastNotifyAt = 0;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly opts: PgOptions,
    private readonly logger?: PgLogger,
  ) {
    this.scope = opts.schema ?? '';
    this.local.setMaxListeners(0);
  }

  /** Wakes this process's workers at once and the others' through the database. */
  notify(): void {
    if (this.closed) return;
    this.local.emit('work');
    if (this.notifyTimer) return;
    const wait = Math.max(0, this.lastNotifyAt + NOTIFY_DEBOUNCE_MS - Date.now());
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      this.lastNotifyAt = Date.now();
      this.pool.query('SELECT pg_notify($1, $2)', [WORK_CHANNEL, this.scope]).catch((err: Error) => {
        // Workers poll too; a lost wake-up only delays the first attempt.
        this.logger?.warn({ err: { message: err.message } }, 'could not notify workers of new work');
      });
    }, wait);
    this.notifyTimer.unref();
  }

  subscribe(listener: () => void): () => void {
    this.local.on('work', listener);
    // Only processes with workers hold a LISTEN connection.
    if (!this.listener && !this.connecting) void this.connect();
    return () => {
      this.local.off('work', listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.local.removeAllListeners();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.connecting = true;
    const client = new pg.Client(clientConfig(this.opts));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (msg) => {
      if (msg.channel === WORK_CHANNEL && (msg.payload ?? '') === this.scope) this.local.emit('work');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WORK_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => {});
        return;
      }
      this.listener = client;
      this.reconnectDelay = RECONNECT_MIN_MS;
      // Notifications sent while we were not listening are gone: look for work now.
      this.local.emit('work');
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      this.lost(client, err as Error);
    } finally {
      this.connecting = false;
    }
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.listener === client) this.listener = null;
    if (this.closed || this.reconnectTimer || this.listener) return;
    if (err) {
      this.logger?.warn(
        { err: { message: err.message }, retryInMs: this.reconnectDelay },
        'lost the LISTEN connection for work notifications; reconnecting (workers keep polling meanwhile)',
      );
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(RECONNECT_MAX_MS, this.reconnectDelay * 2);
  }
}
