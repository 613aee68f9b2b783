/**
 * The Delivery section: method, format, envelope, timeout, attempts,
 * concurrency and order, batching, overflow, rate limit, custom headers.
 * `show` hides what a portal's customers may not change (HERALD_PORTAL_FIELDS).
 */
import type { ReactNode } from 'react';
import type { Show } from '../form-sections.ts';
import { type FormState, MAX_CUSTOM_HEADERS } from '../form-state.ts';

export type SetForm = (update: (f: FormState) => FormState) => void;

export function Field(props: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <p className="muted field-hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function DeliveryFields({ form, setForm, show }: { form: FormState; setForm: SetForm; show: Show }) {
  const set =
    <K extends keyof FormState>(key: K) =>
    (value: FormState[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  const text = (key: keyof FormState, id: string, label: string, props: { disabled?: boolean } = {}) => (
    <Field id={id} label={label}>
      <input
        id={id}
        inputMode="numeric"
        value={form[key] as string}
        disabled={props.disabled}
        onChange={(e) => set(key)(e.target.value as never)}
      />
    </Field>
  );
  const setHeader = (i: number, row: { name?: string; value?: string }) =>
    setForm((f) => ({ ...f, headers: f.headers.map((h, j) => (i === j ? { ...h, ...row } : h)) }));
  const throughput = show('batch') || show('rateLimit') || show('overflow') || show('maxBacklog');

  return (
    <>
      <div className="row">
        {show('method') && (
          <Field id="method" label="HTTP method">
            <select
              id="method"
              value={form.method}
              onChange={(e) => set('method')(e.target.value as FormState['method'])}
            >
              <option>POST</option>
              <option>PUT</option>
              <option>PATCH</option>
            </select>
          </Field>
        )}
        {show('format') && (
          <Field id="format" label="Format">
            <select
              id="format"
              value={form.format}
              onChange={(e) => set('format')(e.target.value as FormState['format'])}
            >
              <option value="json">JSON</option>
              <option value="xml">XML</option>
            </select>
          </Field>
        )}
        {show('envelope') && (
          <Field id="envelope" label="Envelope">
            <select
              id="envelope"
              value={form.envelope}
              onChange={(e) => set('envelope')(e.target.value as FormState['envelope'])}
            >
              <option value="standard">standard (type, timestamp, data)</option>
              <option value="none">none (the data alone)</option>
            </select>
          </Field>
        )}
        {show('timeoutMs') && text('timeoutMs', 'timeout', 'Timeout (ms, 1000–30000)')}
        {show('retry') && text('maxAttempts', 'max-attempts', 'Attempts in all (retries + 1)')}
        {show('maxInFlight') && text('maxInFlight', 'max-in-flight', 'Max requests in flight')}
      </div>
      {show('ordered') && (
        <label className="inline">
          <input type="checkbox" checked={form.ordered} onChange={(e) => set('ordered')(e.target.checked)} />
          Deliver in order (one at a time)
        </label>
      )}

      {throughput && (
        <fieldset className="subgroup">
          <legend>Batching, overflow and rate limit</legend>
          {show('batch') && (
            <>
              <label className="inline">
                <input
                  type="checkbox"
                  checked={form.batchOn}
                  onChange={(e) => set('batchOn')(e.target.checked)}
                />
                Send events in batches
              </label>
              {form.batchOn && (
                <div className="row">
                  {text('batchMaxSize', 'batch-size', 'Batch size (1–500)')}
                  {text('batchMaxWaitMs', 'batch-wait', 'Max waiting time (ms)')}
                </div>
              )}
            </>
          )}
          {(show('overflow') || show('maxBacklog')) && (
            <div className="row">
              {show('overflow') && (
                <Field id="overflow" label="When the backlog is full">
                  <select
                    id="overflow"
                    value={form.overflow}
                    onChange={(e) => set('overflow')(e.target.value as FormState['overflow'])}
                  >
                    <option value="buffer">keep everything (buffer)</option>
                    <option value="drop-oldest">drop the oldest</option>
                  </select>
                </Field>
              )}
              {show('maxBacklog') && text('maxBacklog', 'max-backlog', 'Max backlog (empty: no limit)')}
            </div>
          )}
          {show('rateLimit') && (
            <>
              <label className="inline">
                <input
                  type="checkbox"
                  checked={form.rateOn}
                  onChange={(e) => set('rateOn')(e.target.checked)}
                />
                Limit the request rate
              </label>
              {form.rateOn && (
                <div className="row">
                  {text('ratePerSecond', 'rate', 'Requests per second')}
                  {text('rateBurst', 'burst', 'Burst (optional)')}
                </div>
              )}
            </>
          )}
        </fieldset>
      )}

      {show('headers') && (
        <fieldset className="subgroup">
          <legend>Custom headers (up to {MAX_CUSTOM_HEADERS})</legend>
          {form.headers.length === 0 && <p className="muted">No custom headers.</p>}
          {form.headers.map((h, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
            <div className="row" key={i}>
              <div>
                <label htmlFor={`header-name-${i}`}>Header name</label>
                <input
                  id={`header-name-${i}`}
                  value={h.name}
                  onChange={(e) => setHeader(i, { name: e.target.value })}
                />
              </div>
              <div>
                <label htmlFor={`header-value-${i}`}>Value</label>
                <input
                  id={`header-value-${i}`}
                  value={h.value}
                  onChange={(e) => setHeader(i, { value: e.target.value })}
                />
              </div>
              <button
                type="button"
                className="danger"
                onClick={() => setForm((f) => ({ ...f, headers: f.headers.filter((_, j) => j !== i) }))}
              >
                Remove header
              </button>
            </div>
          ))}
          <div className="actions">
            <button
              type="button"
              className="secondary"
              disabled={form.headers.length >= MAX_CUSTOM_HEADERS}
              onClick={() => setForm((f) => ({ ...f, headers: [...f.headers, { name: '', value: '' }] }))}
            >
              Add header
            </button>
          </div>
        </fieldset>
      )}
    </>
  );
}
