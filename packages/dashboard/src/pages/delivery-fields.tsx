/** Delivery settings: batching, overflow, rate limit, timeout, retries, method, format, headers, signature, ownership challenge. */
import type { ReactNode } from 'react';
import { type FormState, MAX_CUSTOM_HEADERS } from '../form-state.ts';

type SetForm = (update: (f: FormState) => FormState) => void;

function Field(props: { id: string; label: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

export function DeliveryFields({ form, setForm }: { form: FormState; setForm: SetForm }) {
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

  return (
    <>
      <fieldset>
        <legend>Delivery</legend>
        <div className="row">
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
          {text('timeoutMs', 'timeout', 'Timeout (ms, 1000–30000)')}
          {text('maxAttempts', 'max-attempts', 'Attempts in all (retries + 1)')}
          {text('maxInFlight', 'max-in-flight', 'Max requests in flight')}
        </div>
        <label className="inline">
          <input type="checkbox" checked={form.ordered} onChange={(e) => set('ordered')(e.target.checked)} />
          Deliver in order (one at a time)
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={form.requireVerification}
            onChange={(e) => set('requireVerification')(e.target.checked)}
          />
          Require the ownership challenge before live traffic
        </label>
        <div className="row">
          <Field id="verification-request" label="Challenge request (JSON; empty: Herald's own shape)">
            <textarea
              id="verification-request"
              value={form.verificationRequest}
              placeholder='{"eventName": "verify", "payload": {"challenge": "{{challenge}}"}}'
              onChange={(e) => set('verificationRequest')(e.target.value)}
            />
          </Field>
          <Field id="verification-answer-field" label="Answer field (dot path)">
            <input
              id="verification-answer-field"
              value={form.verificationAnswerField}
              placeholder="challenge"
              disabled={!form.verificationRequest.trim()}
              onChange={(e) => set('verificationAnswerField')(e.target.value)}
            />
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Batching, overflow and rate limit</legend>
        <label className="inline">
          <input type="checkbox" checked={form.batchOn} onChange={(e) => set('batchOn')(e.target.checked)} />
          Send events in batches
        </label>
        <div className="row">
          {text('batchMaxSize', 'batch-size', 'Batch size (1–500)', { disabled: !form.batchOn })}
          {text('batchMaxWaitMs', 'batch-wait', 'Max waiting time (ms)', { disabled: !form.batchOn })}
        </div>
        <div className="row">
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
          {text('maxBacklog', 'max-backlog', 'Max backlog (empty: no limit)')}
        </div>
        <label className="inline">
          <input type="checkbox" checked={form.rateOn} onChange={(e) => set('rateOn')(e.target.checked)} />
          Limit the request rate
        </label>
        <div className="row">
          {text('ratePerSecond', 'rate', 'Requests per second', { disabled: !form.rateOn })}
          {text('rateBurst', 'burst', 'Burst (optional)', { disabled: !form.rateOn })}
        </div>
      </fieldset>

      <fieldset>
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

      <fieldset>
        <legend>Signature</legend>
        <div className="row">
          <Field id="scheme" label="Scheme">
            <select
              id="scheme"
              value={form.scheme}
              onChange={(e) => set('scheme')(e.target.value as FormState['scheme'])}
            >
              <option value="standard-webhooks">Standard Webhooks (webhook-signature)</option>
              <option value="hmac-sha256">HMAC-SHA256 in a header of your choice</option>
              <option value="verification-key">Verification key (a shared key in a header or the URL)</option>
            </select>
          </Field>
          {form.scheme !== 'standard-webhooks' && (
            <Field id="signature-header" label="Signature header">
              <input
                id="signature-header"
                value={form.signatureHeader}
                placeholder="X-Signature"
                onChange={(e) => set('signatureHeader')(e.target.value)}
              />
            </Field>
          )}
          {form.scheme === 'hmac-sha256' && (
            <>
              <Field id="signature-prefix" label="Prefix">
                <input
                  id="signature-prefix"
                  value={form.signaturePrefix}
                  placeholder="sha256="
                  onChange={(e) => set('signaturePrefix')(e.target.value)}
                />
              </Field>
              <Field id="signature-encoding" label="Encoding">
                <select
                  id="signature-encoding"
                  value={form.signatureEncoding}
                  onChange={(e) => set('signatureEncoding')(e.target.value as FormState['signatureEncoding'])}
                >
                  <option value="hex">hex</option>
                  <option value="base64">base64</option>
                </select>
              </Field>
            </>
          )}
        </div>
      </fieldset>
    </>
  );
}
