/** Create or edit a subscription (an endpoint): every field the API takes, tested before saving. */
import { type FormEvent, useEffect, useState } from 'react';
import type { Endpoint, EventType, TestResult, VerifyResult } from '../../../sdk/src/client/index.ts';
import { EMPTY_FORM, type FormState, fromEndpoint, toInput } from '../form-state.ts';
import { dateTime } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import { loadCatalog } from './catalog.tsx';
import { DeliveryFields } from './delivery-fields.tsx';
import { EventPicker } from './event-picker.tsx';
import { RecoveryPanel } from './jobs.tsx';
import { ResourcesPanel } from './resources.tsx';
import { SecretField } from './secret-field.tsx';
import { TestResultView, VerifyResultView } from './test-result.tsx';
import { TransformField } from './transform-field.tsx';

export function SubscriptionFormPage({ tid, eid }: { tid: string; eid: string | null }) {
  const { client } = useSession();
  const list = `/tenants/${encodeURIComponent(tid)}/subscriptions`;
  const loaded = useLoad(
    async () => ({
      catalog: await loadCatalog(client),
      endpoint: eid ? await client.getEndpoint(tid, eid) : null,
    }),
    [tid, eid],
  );
  const [endpoint, setEndpoint] = useState<Endpoint | null>(null);
  const [form, setFormState] = useState<FormState>(EMPTY_FORM);
  const [focused, setFocused] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // Shown where it was asked for: at the event's mock button, or at Test Connection (type null).
  const [test, setTest] = useState<{ type: string | null; title: string; result: TestResult } | null>(null);
  const [verify, setVerify] = useState<VerifyResult | null>(null);

  useEffect(() => {
    if (loaded.data?.endpoint) {
      setEndpoint(loaded.data.endpoint);
      setFormState(fromEndpoint(loaded.data.endpoint));
    }
  }, [loaded.data]);

  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  const catalog = loaded.data?.catalog ?? [];
  const setForm = (update: (f: FormState) => FormState) => setFormState(update);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await what();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const testConnection = (type?: EventType) =>
    run(async () => {
      const send = type ? { eventType: type.name, ...versionOf(type) } : {};
      const result = eid
        ? await client.testEndpoint(tid, eid, send)
        : await client.testUnsavedEndpoint(tid, toInput(form, { includeSecret: true }), send);
      setTest({ type: type?.name ?? null, title: type ? `Mock ${type.name}` : 'Test Connection', result });
    });
  const versionOf = (type: EventType) =>
    form.events[type.name] ? { version: Number(form.events[type.name]) } : {};

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (eid && endpoint) {
        const updated = await client.updateEndpoint(tid, eid, toInput(form, { includeSecret: false }));
        setEndpoint(updated);
        setSaved('Saved.');
      } else {
        const created = await client.createEndpoint(tid, toInput(form, { includeSecret: true }));
        navigate(`${list}/${encodeURIComponent(created.id)}`);
      }
    });
  };
  const setStatus = (status: 'active' | 'paused') =>
    run(async () => {
      if (!eid) return;
      setEndpoint(await client.updateEndpoint(tid, eid, { status }));
      setSaved(status === 'active' ? 'Activated.' : 'Paused.');
    });
  const runChallenge = () =>
    run(async () => {
      if (!eid) return;
      setVerify(await client.verifyEndpoint(tid, eid));
      setEndpoint(await client.getEndpoint(tid, eid));
    });

  return (
    <form onSubmit={save}>
      <p>
        <Link to={list}>← Subscriptions</Link>
      </p>
      <h1>{eid ? `Subscription ${endpoint?.name || eid}` : 'New subscription'}</h1>
      {endpoint && (
        <div className="panel">
          <p>
            Status: <span className={`badge ${endpoint.status}`}>{endpoint.status.replace('_', ' ')}</span>
            {endpoint.disabledReason && <span className="muted"> — {endpoint.disabledReason}</span>}
          </p>
          <div className="actions">
            {endpoint.status === 'active' ? (
              <button type="button" className="secondary" disabled={busy} onClick={() => setStatus('paused')}>
                Pause
              </button>
            ) : (
              <button type="button" className="secondary" disabled={busy} onClick={() => setStatus('active')}>
                Activate
              </button>
            )}
          </div>
          <p>
            Ownership: {endpoint.verifiedAt ? `verified ${dateTime(endpoint.verifiedAt)}` : 'not verified'}{' '}
            <button type="button" className="secondary" disabled={busy} onClick={runChallenge}>
              Run ownership challenge
            </button>
          </p>
          {verify && <VerifyResultView result={verify} />}
        </div>
      )}

      <fieldset>
        <legend>Endpoint</legend>
        <label htmlFor="name">Name</label>
        <input
          id="name"
          value={form.name}
          onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
        />
        <label htmlFor="url">URL</label>
        <input
          id="url"
          type="url"
          required
          value={form.url}
          placeholder="https://example.com/webhooks"
          onChange={(e) => setForm((f) => ({ ...f, url: e.target.value }))}
        />
        <label htmlFor="description">Description</label>
        <input
          id="description"
          value={form.description}
          onChange={(e) => setForm((f) => ({ ...f, description: e.target.value }))}
        />
        <SecretField tid={tid} eid={eid} form={form} setForm={setForm} />
      </fieldset>

      <EventPicker
        catalog={catalog}
        form={form}
        setForm={setForm}
        focused={focused}
        setFocused={setFocused}
        onMock={(t) => void testConnection(t)}
        mock={test?.type ? { type: test.type, title: test.title, result: test.result } : null}
      />

      {eid && <ResourcesPanel tid={tid} eid={eid} />}
      {eid && <RecoveryPanel tid={tid} eid={eid} />}

      <fieldset>
        <legend>Payload filter</legend>
        <label htmlFor="filter">Filter (JSON; empty: every matching event)</label>
        <textarea
          id="filter"
          value={form.filter}
          placeholder='{"data.model": "article"}'
          onChange={(e) => setForm((f) => ({ ...f, filter: e.target.value }))}
        />
      </fieldset>

      <DeliveryFields form={form} setForm={setForm} />

      <TransformField
        tid={tid}
        catalog={catalog}
        form={form}
        setForm={setForm}
        saved={Boolean(endpoint?.transform?.trim())}
      />

      <ErrorBox error={error} />
      {saved && (
        <p className="notice" role="status">
          {saved}
        </p>
      )}
      {test && test.type === null && <TestResultView title={test.title} result={test.result} />}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={busy || !form.url}
          onClick={() => testConnection()}
        >
          Test Connection
        </button>
        <button type="submit" disabled={busy}>
          {eid ? 'Save changes' : 'Save subscription'}
        </button>
      </div>
    </form>
  );
}
