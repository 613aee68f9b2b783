/**
 * The log's rows and summary for one applied filter: the first page and the
 * summary together, "Load more" by cursor, and a poll every few seconds
 * that merges new attempts in, newest first by time (ties by id), as the
 * API orders them. A load answered after a newer one started is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Attempt, AttemptFilter, AttemptSummary, HeraldClient } from '../../../sdk/src/client/index.ts';

const PAGE = 100;
const POLL_MS = 3000;
/**
 * An attempt is recorded when its request ends, stamped with when it began:
 * a poll asks again for this long before the newest row, so a slow request
 * (timeouts go up to 30 s) still lands in its place in time order.
 */
const LATE_MS = 120_000;

const newestFirst = (a: Attempt, b: Attempt) =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

function merge(current: Attempt[], fresh: Attempt[]): Attempt[] {
  const seen = new Set(current.map((r) => r.id));
  const added = fresh.filter((r) => !seen.has(r.id));
  return added.length === 0 ? current : [...current, ...added].sort(newestFirst);
}

/** `applied` null: the filters cannot be applied, nothing is fetched. */
export function useAttemptLog(client: HeraldClient, tid: string, applied: AttemptFilter | null) {
  const [rows, setRows] = useState<Attempt[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [summary, setSummary] = useState<AttemptSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const rowsRef = useRef<Attempt[]>([]);
  rowsRef.current = rows;
  const generation = useRef(0);

  const load = useCallback(
    async (filter: AttemptFilter) => {
      const mine = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const [page, sum] = await Promise.all([
          client.listAttempts(tid, { ...filter, limit: PAGE }),
          client.summarizeAttempts(tid, filter),
        ]);
        if (mine !== generation.current) return;
        setRows(page.data);
        setCursor(page.nextCursor);
        setSummary(sum);
      } catch (err) {
        if (mine !== generation.current) return;
        setError(err);
        setRows([]);
        setCursor(null);
        setSummary(null);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [client, tid],
  );

  useEffect(() => {
    if (applied) {
      void load(applied);
      return;
    }
    generation.current++;
    setRows([]);
    setCursor(null);
    setSummary(null);
    setLoading(false);
  }, [load, applied]);

  useEffect(() => {
    if (!applied || applied.until) return;
    const timer = setInterval(async () => {
      const mine = generation.current;
      const newest = rowsRef.current[0];
      const from = newest ? new Date(Date.parse(newest.createdAt) - LATE_MS).toISOString() : applied.since;
      const since = applied.since && from && applied.since > from ? applied.since : from;
      try {
        const [page, sum] = await Promise.all([
          client.listAttempts(tid, { ...applied, ...(since ? { since } : {}), limit: PAGE }),
          client.summarizeAttempts(tid, applied),
        ]);
        if (mine !== generation.current) return;
        // More than a page arrived: a gap could open between them and the rows shown, so start over.
        if (page.nextCursor !== null) return void load(applied);
        setRows((current) => merge(current, page.data));
        setSummary(sum);
      } catch {
        // A missed poll is retried at the next tick; the page keeps what it has.
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [client, tid, applied, load]);

  const more = async () => {
    if (!cursor || !applied) return;
    const mine = generation.current;
    try {
      const page = await client.listAttempts(tid, { ...applied, limit: PAGE, cursor });
      if (mine !== generation.current) return;
      setRows((current) => merge(current, page.data));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    }
  };

  return { rows, cursor, summary, error, loading, more };
}

/** The attempt the address names: from the rows when shown there, else fetched on its own. */
export function useOpenAttempt(client: HeraldClient, tid: string, openId: string | null, rows: Attempt[]) {
  const [fetched, setFetched] = useState<{ id: string; attempt: Attempt | null; error: unknown } | null>(
    null,
  );
  const fromRows = openId ? (rows.find((r) => r.id === openId) ?? null) : null;
  const needed = openId !== null && fromRows === null;
  useEffect(() => {
    if (!needed || !openId) return;
    let live = true;
    setFetched({ id: openId, attempt: null, error: null });
    client.getAttempt(tid, openId).then(
      (attempt) => live && setFetched({ id: openId, attempt, error: null }),
      (error: unknown) => live && setFetched({ id: openId, attempt: null, error }),
    );
    return () => {
      live = false;
    };
  }, [client, tid, openId, needed]);
  if (fromRows) return { attempt: fromRows, error: null };
  if (fetched && fetched.id === openId) return { attempt: fetched.attempt, error: fetched.error };
  return { attempt: null, error: null };
}
