/**
 * The delivery log: summary cards and rows for the filters in the address
 * bar (log-query.ts), newest first, paged by cursor ("Load more"), with new
 * attempts polled in every few seconds so the page stays live without a
 * reload (log-data.ts). The cards count what the filters select, as the
 * rows do. An attempt opens in a drawer (attempt-view.tsx), also named in
 * the address (`attempt=`), so a link can point at one attempt. Test sends
 * are shown only when the trigger filter asks for them (log-filters.tsx).
 */
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { Attempt, AttemptFilter } from '../../../sdk/src/client/index.ts';
import { navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Card, Empty, ErrorBox, errorText, useLoad } from '../ui.tsx';
import { AttemptDrawer, type RetryOutcome } from './attempt-view.tsx';
import { JobAction, RecoveryPanel } from './jobs.tsx';
import { useAttemptLog, useOpenAttempt } from './log-data.ts';
import { FilterForm } from './log-filters.tsx';
import {
  checkFilters,
  type FilterErrors,
  type Filters,
  fromSearch,
  NO_FILTERS,
  testSendsOnly,
  toApi,
  toSearch,
} from './log-query.ts';
import { AttemptCards, AttemptTable } from './log-rows.tsx';

/** Below this width the log shows cards and the attempt drawer is a full-screen sheet. */
const PHONE = '(max-width: 600px)';
/** From this width the drawer sits beside the log, which makes room for it; below, it covers the page. */
const WIDE = '(min-width: 1100px)';

/** Whether a CSS media query matches, kept up to date as the window changes. */
function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}

export function LogPage({ tid }: { tid: string }) {
  const { client } = useSession();
  const { path, search } = useLocation();
  const phone = useMediaQuery(PHONE);
  const wide = useMediaQuery(WIDE);
  const endpoints = useLoad(() => client.listEndpoints(tid, { limit: 250 }), [tid]);
  const catalog = useLoad(() => client.listEventTypes({ limit: 250 }), []);

  // The address is the truth: the filters it names (normalized), and the attempt open.
  const openId = search.get('attempt');
  const filterSearch = toSearch(fromSearch(search));
  const urlFilters = useMemo(() => fromSearch(new URLSearchParams(filterSearch)), [filterSearch]);
  const urlErrors = useMemo(() => checkFilters(urlFilters, null), [urlFilters]);
  const [draft, setDraft] = useState<Filters>(urlFilters);
  const [errors, setErrors] = useState<FilterErrors>(urlErrors);
  // The address changed (applied, cleared, back or forward): the form shows what it now says.
  useEffect(() => {
    setDraft(urlFilters);
    setErrors(urlErrors);
  }, [urlFilters, urlErrors]);

  /** Bumped by "Apply filters": a quick range is counted back from now again, even if unchanged. */
  const [applyCount, setApplyCount] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: applyCount recounts a quick range from now
  const applied = useMemo<AttemptFilter | null>(
    () => (Object.keys(urlErrors).length > 0 ? null : toApi(urlFilters, Date.now())),
    [urlFilters, urlErrors, applyCount],
  );
  const { rows, cursor, summary, error, loading, more } = useAttemptLog(client, tid, applied);

  const knownTypes = catalog.data?.data.map((t) => t.name) ?? null;
  const suggestions = useMemo(() => {
    const names = knownTypes ?? [];
    const groups = names.filter((n) => n.includes('.')).map((n) => `${n.slice(0, n.indexOf('.'))}.*`);
    return [...new Set([...names, ...groups])].sort();
  }, [knownTypes]);

  const go = (filterQuery: string, attempt: string | null, replace: boolean) => {
    const q = new URLSearchParams(filterQuery);
    if (attempt) q.set('attempt', attempt);
    const text = q.toString();
    navigate(`${path}${text ? `?${text}` : ''}`, replace);
  };

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const problems = checkFilters(draft, knownTypes ?? []);
    setErrors(problems);
    const first = Object.keys(problems)[0];
    if (first) {
      document.getElementById(`f-${first}`)?.focus();
      return;
    }
    setApplyCount((n) => n + 1);
    go(toSearch(draft), null, false);
  };

  const clear = () => {
    setDraft(NO_FILTERS);
    setErrors({});
    go('', null, false);
  };

  // The drawer. Opening or closing it replaces the address rather than adding to history.
  const opened = useOpenAttempt(client, tid, openId, rows);
  const [retried, setRetried] = useState<RetryOutcome | null>(null);
  const view = (a: Attempt) => {
    setRetried(null);
    go(filterSearch, a.id, true);
  };
  const closeDrawer = () => {
    if (openId) go(filterSearch, null, true);
  };
  // Closed (Close, Escape, or the address changed): focus goes back to the button that opened it,
  // or to the page heading when that row is not shown. This runs after the drawer's own cleanup
  // has closed the dialog, so a modal one no longer makes the page inert.
  const lastOpen = useRef<string | null>(null);
  useEffect(() => {
    const previous = lastOpen.current;
    lastOpen.current = openId;
    if (openId) {
      // The opened row, beside the drawer: in sight once the page has made room for it.
      document.querySelector(`[data-attempt="${CSS.escape(openId)}"]`)?.scrollIntoView({ block: 'nearest' });
      return;
    }
    if (!previous) return;
    const button = document.querySelector<HTMLElement>(
      `[data-attempt="${CSS.escape(previous)}"] button.view`,
    );
    (button ?? document.getElementById('log-title'))?.focus();
  }, [openId]);

  const retry = async (a: Attempt) => {
    if (!a.eventId || !a.endpointId) return;
    setRetried(null);
    try {
      const result = await client.retryEvent(tid, a.eventId, { endpointId: a.endpointId });
      setRetried({ attemptId: a.id, result, refused: null });
    } catch (err) {
      setRetried({ attemptId: a.id, result: null, refused: `Retry refused: ${errorText(err)}` });
    }
  };

  const endpointName = (id: string | null) =>
    endpoints.data?.data.find((e) => e.id === id)?.name || id || '—';
  const rowsProps = { rows, openId, endpointName, onView: view };

  return (
    <div className={`log-page${openId !== null && wide ? ' with-drawer' : ''}`}>
      <h1 id="log-title" tabIndex={-1}>
        Delivery log
      </h1>
      <FilterForm
        draft={draft}
        setDraft={setDraft}
        errors={errors}
        endpoints={endpoints.data?.data ?? []}
        eventTypes={suggestions}
        onApply={apply}
        onClear={clear}
      />
      {!applied && (
        <p className="error" role="alert">
          The filters in this address cannot be applied: fix the fields marked above, then apply them.
        </p>
      )}

      {summary && applied && testSendsOnly(applied) && (
        <p className="muted" role="note">
          Test sends and mock events are listed here only because the trigger filter asks for them; no summary
          or chart ever counts them.
        </p>
      )}
      {summary && applied && !testSendsOnly(applied) && (
        <section className="cards" aria-label="Summary">
          <Card label="Total" value={summary.total} />
          <Card label="Succeeded" value={summary.succeeded} tone="ok" />
          <Card label="Failed" value={summary.failed} tone={summary.failed ? 'bad' : ''} />
          <Card label="Pending deliveries" value={summary.pending} />
        </section>
      )}
      {applied && (
        <div className="actions">
          <JobAction
            key={JSON.stringify(applied)}
            tid={tid}
            label="Retry failed deliveries matching these filters"
            question={`Retry the failed deliveries behind the ${summary?.failed ?? ''} failed attempts matching these filters? Deliveries that succeeded since are left alone.`}
            disabled={!summary || summary.failed === 0}
            run={() => client.retryAttempts(tid, applied)}
            preview={() => client.previewRetryAttempts(tid, applied)}
          />
        </div>
      )}
      {applied?.endpointId && <RecoveryPanel key={applied.endpointId} tid={tid} eid={applied.endpointId} />}
      <ErrorBox error={error} />

      {!loading && applied && rows.length === 0 && !error && (
        <Empty>No attempts match these filters. Send an event, or widen the filters.</Empty>
      )}
      {rows.length > 0 && (phone ? <AttemptCards {...rowsProps} /> : <AttemptTable {...rowsProps} />)}
      {cursor && (
        <div className="actions">
          <button type="button" className="secondary" onClick={more}>
            Load more
          </button>
        </div>
      )}

      {openId && (
        <AttemptDrawer
          key={wide ? 'beside' : 'over'}
          tid={tid}
          attempt={opened.attempt}
          error={opened.error}
          modal={!wide}
          onClose={closeDrawer}
          onRetry={retry}
          retried={retried}
        />
      )}
    </div>
  );
}
