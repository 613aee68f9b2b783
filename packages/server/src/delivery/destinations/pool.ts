/**
 * One broker connection per pool key (an endpoint and its version), shared
 * by every send to that endpoint. Opened on first use; closed when nobody
 * used it for `idleMs`; dropped as soon as the client says it is gone, so
 * the next send opens a fresh one (re-resolving and re-checking the host)
 * instead of waiting on a library's own reconnect loop.
 */

/** A connection nobody used for this long is closed, unless the context says otherwise. */
export const DEFAULT_IDLE_MS = 30_000;

export interface PooledConnection {
  /** Closes the connection. Must not throw or reject. */
  close(): Promise<void>;
}

/**
 * Opens a connection. `lost` is to be called when the client reports the
 * connection (or, for AMQP, its channel) closed or broken; it may be called
 * more than once.
 */
export type Opener<C> = (lost: (reason: unknown) => void) => Promise<C>;

export interface Lease<C> {
  conn: C;
  /**
   * Calls `listener` once if the connection is lost (at once if it already
   * is): a send races that against the broker's answer. Returns the way to
   * stop listening, which a send must call when it ends, so that a
   * long-lived connection does not collect one listener per message.
   */
  onLost(listener: (reason: unknown) => void): () => void;
  /** Drops the connection (the next acquire opens a new one): for when a send shows it is broken. */
  discard(reason: unknown): void;
  release(): void;
}

interface Entry<C> {
  opening: Promise<C> | undefined;
  listeners: Set<(reason: unknown) => void>;
  /** Why the connection was dropped, once it is. */
  lostReason: { reason: unknown } | undefined;
  users: number;
  idle: NodeJS.Timeout | undefined;
  dead: boolean;
  /** Marks the entry dead, takes it out of the pool and closes its connection. */
  drop(reason: unknown): Promise<void>;
}

export class ConnectionPool<C extends PooledConnection> {
  private readonly entries = new Map<string, Entry<C>>();
  private closed = false;

  constructor(private readonly idleMs: number) {}

  /** How many connections are open or opening (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  async acquire(key: string, open: Opener<C>): Promise<Lease<C>> {
    if (this.closed) throw new Error('this destination kind is closed');
    let entry = this.entries.get(key);
    if (entry === undefined || entry.dead) {
      entry = this.openEntry(key, open);
      this.entries.set(key, entry);
    }
    entry.users++;
    clearTimeout(entry.idle);
    let conn: C;
    try {
      conn = await entry.opening!;
    } catch (err) {
      this.release(entry);
      throw err;
    }
    const held = entry;
    let released = false;
    return {
      conn,
      onLost: (listener) => {
        if (held.lostReason !== undefined) {
          listener(held.lostReason.reason);
          return () => {};
        }
        held.listeners.add(listener);
        return () => held.listeners.delete(listener);
      },
      discard: (reason) => void held.drop(reason),
      release: () => {
        if (released) return;
        released = true;
        this.release(held);
      },
    };
  }

  /** Closes every connection; later acquires fail. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.drop(new Error('the destination kind was closed'))));
  }

  private openEntry(key: string, open: Opener<C>): Entry<C> {
    const entry: Entry<C> = {
      opening: undefined,
      listeners: new Set(),
      lostReason: undefined,
      users: 0,
      idle: undefined,
      dead: false,
      drop: async (reason) => {
        if (entry.dead) return;
        entry.dead = true;
        clearTimeout(entry.idle);
        if (this.entries.get(key) === entry) this.entries.delete(key);
        entry.lostReason = { reason };
        for (const listener of entry.listeners) listener(reason);
        entry.listeners.clear();
        // Unset only if `open` reported a loss before returning; the `then` below closes that one.
        if (entry.opening !== undefined) {
          await entry.opening.then(
            (conn) => conn.close(),
            () => undefined,
          );
        }
      },
    };
    entry.opening = open((reason) => void entry.drop(reason));
    entry.opening.then(
      (conn) => {
        if (entry.dead) void conn.close();
      },
      // A connection that failed to open is not kept: the next send tries again.
      (err) => entry.drop(err),
    );
    return entry;
  }

  private release(entry: Entry<C>): void {
    entry.users--;
    if (entry.users > 0 || entry.dead) return;
    clearTimeout(entry.idle);
    entry.idle = setTimeout(() => {
      if (entry.users === 0) void entry.drop(new Error('idle'));
    }, this.idleMs);
    entry.idle.unref();
  }
}
