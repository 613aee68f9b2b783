/**
 * The subscription's transform: its JavaScript source, folded away unless
 * the subscription has one, and "Try it" on an example event with the
 * result beside the button. Nothing is sent by a try.
 */
import { useRef, useState } from 'react';
import type { EventType, TryTransformResult } from '../../../sdk/src/client/index.ts';
import { type FormState, tryTransformInput } from '../form-state.ts';
import { useSession } from '../session.tsx';
import { errorText, JsonBlock } from '../ui.tsx';

/** The server's limit on the source, in characters. */
const MAX_TRANSFORM_LENGTH = 65_536;

const PLACEHOLDER = `function handler(webhook) {
  // webhook: { eventType, eventId, method, url, headers, payload }
  webhook.payload = { event: webhook.eventType, data: webhook.payload.data };
  return webhook;
}`;

type Outcome = { result: TryTransformResult } | { error: unknown };

/** The example event: the first the form subscribes to, else the catalog's first. */
function defaultExample(catalog: EventType[], form: FormState): string {
  const subscribed = form.allEvents ? undefined : catalog.find((t) => t.name in form.events);
  return (subscribed ?? catalog[0])?.name ?? '';
}

const milliseconds = (us: number) => `${(us / 1000).toFixed(1)} ms`;

export function TransformField(props: {
  tid: string;
  catalog: EventType[];
  form: FormState;
  setForm(update: (f: FormState) => FormState): void;
  /** The saved subscription has a transform: the section starts open. */
  saved: boolean;
}) {
  const { client } = useSession();
  const { tid, catalog, form, setForm } = props;
  const [toggled, setToggled] = useState<boolean | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // Bumped by every edit and try: an answer to an older one is stale and dropped.
  const generation = useRef(0);
  const open = toggled ?? props.saved;
  const example = chosen ?? defaultExample(catalog, form);
  const hasSource = form.transform.trim() !== '';

  const clear = () => {
    generation.current += 1;
    setOutcome(null);
    setBusy(false);
  };
  const tryIt = async () => {
    const mine = ++generation.current;
    setBusy(true);
    setOutcome(null);
    const pinned = form.events[example];
    const input = tryTransformInput(
      form,
      example ? { eventType: example, ...(pinned ? { version: Number(pinned) } : {}) } : null,
    );
    let next: Outcome;
    try {
      next = { result: await client.tryTransform(tid, input) };
    } catch (error) {
      next = { error };
    }
    if (generation.current !== mine) return;
    setOutcome(next);
    setBusy(false);
  };

  return (
    <fieldset>
      <legend>Transform</legend>
      <p className="muted">
        Optional JavaScript that reshapes each webhook for this receiver before it is sent (payload, URL,
        method, headers), or skips it.
      </p>
      <button
        type="button"
        className="secondary"
        aria-expanded={open}
        aria-controls="transform-editor"
        onClick={() => setToggled(!open)}
      >
        {open ? 'Hide transform' : 'Show transform'}
      </button>
      {!open && hasSource && <span className="muted"> A transform is set.</span>}
      <div id="transform-editor" hidden={!open}>
        <label htmlFor="transform">Transform (JavaScript; empty: none)</label>
        <textarea
          id="transform"
          className="transform-source"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          maxLength={MAX_TRANSFORM_LENGTH}
          aria-describedby="transform-help"
          value={form.transform}
          placeholder={PLACEHOLDER}
          onChange={(e) => {
            const transform = e.target.value;
            setForm((f) => ({ ...f, transform }));
            clear();
          }}
        />
        <p className="muted" id="transform-help">
          Define <code>function handler(webhook)</code> and return the webhook. Change <code>payload</code>,{' '}
          <code>url</code>, <code>method</code> or <code>headers</code>; set{' '}
          <code>webhook.cancel = true</code> to skip the delivery. It runs sandboxed: no network, files or
          timers, and a short time limit.
        </p>
        <div className="row transform-try">
          {catalog.length > 0 ? (
            <div>
              <label htmlFor="transform-example">Example event</label>
              <select
                id="transform-example"
                value={example}
                onChange={(e) => {
                  setChosen(e.target.value);
                  clear();
                }}
              >
                {catalog.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <p className="muted">The event catalog is empty: the example's data is {'{"test": true}'}.</p>
          )}
          <button type="button" className="secondary" disabled={busy || !hasSource} onClick={tryIt}>
            Try it
          </button>
        </div>
        <div role="status" aria-live="polite" aria-label="Transform result">
          {busy && <p className="muted">Running the transform…</p>}
          {outcome && <OutcomeView outcome={outcome} />}
        </div>
      </div>
    </fieldset>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if ('error' in outcome)
    return <div className="error">Could not try the transform: {errorText(outcome.error)}</div>;
  const { result } = outcome;
  if (!result.ok) {
    return (
      <div className="error">
        Failed after {milliseconds(result.durationUs)}: {result.message}
      </div>
    );
  }
  // A cancelled webhook comes back as it went in: nothing of it would be sent.
  const { webhook, cancel } = result;
  const what = cancel ? 'as given' : 'transformed';
  return (
    <div className="panel">
      <p>
        <span className={`badge ${cancel ? 'paused' : 'succeeded'}`}>{cancel ? 'skipped' : 'ok'}</span>{' '}
        <code>
          {webhook.method} {webhook.url}
        </code>{' '}
        <span className="muted">in {milliseconds(result.durationUs)}</span>
      </p>
      {cancel && (
        <p className="notice">
          The transform set <code>cancel</code>: this delivery would be skipped, nothing sent or retried.
          Below is the webhook as it was given.
        </p>
      )}
      <h2 className="result-title">Headers, {what}</h2>
      <p className="muted">The custom headers; the content type and signature headers are added after.</p>
      <JsonBlock label={`Headers, ${what}`} value={JSON.stringify(webhook.headers, null, 2)} />
      <h2 className="result-title">Payload, {what}</h2>
      <JsonBlock label={`Payload, ${what}`} value={JSON.stringify(webhook.payload, null, 2) ?? ''} />
    </div>
  );
}
