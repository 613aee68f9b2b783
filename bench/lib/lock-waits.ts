/**
 * How often Herald's PostgreSQL sessions wait on each other's locks during a
 * run: every 50 ms, the number of backends of the run's database waiting on
 * a lock (`pg_stat_activity.wait_event_type = 'Lock'`, which counts row and
 * transaction locks alike). Reported as the share of samples with any wait,
 * the mean and the most waiting at once.
 */
import pg from 'pg';

export interface LockWaits {
  samples: number;
  /** Samples in which at least one backend waited on a lock, as a share of all (0–1). */
  waitingShare: number;
  meanWaiting: number;
  maxWaiting: number;
  /** The statements seen waiting (whitespace folded, first 80 characters), most often first: what holds things up. */
  waitingOn: { statement: string; lock: string; samples: number }[];
}

export function sampleLockWaits(databaseUrl: string): { stop(): Promise<LockWaits> } {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  const counts: number[] = [];
  const statements = new Map<string, number>();
  let stopped = false;
  const connected = client.connect();
  const loop = (async () => {
    await connected;
    while (!stopped) {
      const { rows } = await client.query<{ query: string; wait_event: string }>(
        `SELECT query, wait_event FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      counts.push(rows.length);
      for (const r of rows) {
        const key = `${r.wait_event}\t${r.query.replace(/\s+/g, ' ').trim().slice(0, 80)}`;
        statements.set(key, (statements.get(key) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch(() => undefined);
      await client.end().catch(() => undefined);
      const samples = counts.length;
      const sum = counts.reduce((a, b) => a + b, 0);
      return {
        samples,
        waitingShare:
          samples === 0 ? 0 : Math.round((counts.filter((n) => n > 0).length / samples) * 1000) / 1000,
        meanWaiting: samples === 0 ? 0 : Math.round((sum / samples) * 100) / 100,
        maxWaiting: Math.max(0, ...counts),
        waitingOn: [...statements]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([key, n]) => {
            const [lock = '', statement = ''] = key.split('\t');
            return { statement, lock, samples: n };
          }),
      };
    },
  };
}
