/** Small shared pieces: loading and error states, cards, copy buttons, JSON blocks. */
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { HeraldApiError } from '../../sdk/src/client/index.ts';
import { readableApiError, withoutServiceName } from './error-messages.ts';

/** Who reads the errors: a portal's customers never see the service's own name. */
let audience: 'operator' | 'portal' = 'operator';
export function setErrorAudience(reader: 'operator' | 'portal'): void {
  audience = reader;
}

/** An error as readable lines: validation details mapped to plain sentences (error-messages.ts). */
export function errorLines(err: unknown): string[] {
  const lines =
    err instanceof HeraldApiError
      ? readableApiError(err)
      : [err instanceof Error ? err.message : String(err)];
  return audience === 'portal' ? lines.map(withoutServiceName) : lines;
}

export function errorText(err: unknown): string {
  return errorLines(err).join(' ');
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const lines = errorLines(error);
  return (
    <div className="error" role="alert">
      {lines.length === 1 ? (
        lines[0]
      ) : (
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Card({ label, value, tone }: { label: string; value: ReactNode; tone?: string }) {
  return (
    <div className={`card ${tone ?? ''}`}>
      <div className="card-label">{label}</div>
      <div className="card-value">{value}</div>
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (no permission, plain http): select-and-copy fallback.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" className="secondary" onClick={copy}>
      {done ? 'Copied' : label}
    </button>
  );
}

export function JsonBlock({ value, label }: { value: string; label: string }) {
  return (
    <pre className="code" data-label={label}>
      {value || '(empty)'}
    </pre>
  );
}

/** Loads data on mount and when `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const run = useCallback(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function Loading() {
  return <p className="muted">Loading…</p>;
}
