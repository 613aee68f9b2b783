/**
 * Create or edit a subscription (an endpoint), in foldable sections:
 * Destination and Events open, Delivery, Security and Advanced folded with a
 * one-line summary. In the portal, Delivery and Security sit inside Advanced,
 * showing only what the operator lets customers change (HERALD_PORTAL_FIELDS).
 * The delivery method (destination-fields.tsx) heads Destination: a broker's
 * options sit there, and what only an HTTP receiver uses is left out.
 *
 * Answers are shown where they were asked for (Test connection under its
 * button, a mock under its event, the challenge beside its button) and
 * dropped once stale: any edit clears test results and notices, a status
 * change clears the challenge's result. Saving sends only what changed.
 */
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { Endpoint, EndpointInput, EventType, TestResult } from '../../../sdk/src/client/index.ts';
import { destinationErrors, HTTP_ONLY_FIELDS, kindOfUrl } from '../destinations.ts';
import { withoutServiceName } from '../error-messages.ts';
import {
  portalAdvancedSummary,
  type SectionId,
  type Show,
  sectionSummary,
  sectionsWithErrors,
  showFor,
} from '../form-sections.ts';
import { changedInput, EMPTY_FORM, type FormState, fromEndpoint } from '../form-state.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import { loadCatalog } from './catalog.tsx';
import { DeleteSubscription } from './delete-subscription.tsx';
import { DeliveryFields } from './delivery-fields.tsx';
import { DeliveryMethod, DestinationOptions, UrlField } from './destination-fields.tsx';
import { EndpointHealthPanel } from './endpoint-health.tsx';
import { EventPicker } from './event-picker.tsx';
import { FormSection } from './form-section.tsx';
import { RecoveryPanel } from './jobs.tsx';
import { ListenLocallyPanel } from './listen-locally.tsx';
import { ResourcesPanel } from './resources.tsx';
import { CreatedSecret, SecretField, SecurityFields } from './secret-field.tsx';
import { StatusPanel } from './subscription-status.tsx';
import { TestResultView } from './test-result.tsx';
import { TransformField } from './transform-field.tsx';

/** The secret of the subscription just created, handed to its page (shown there once). */
let justCreated: { eid: string; secret: string } | null = null;

const FOLDED: Record<SectionId, boolean> = {
  destination: true,
  events: true,
  delivery: false,
  security: false,
  advanced: false,
};

export function SubscriptionFormPage({ tid, eid }: { tid: string; eid: string | null }) {
  const { client, portal, allowed } = useSession();
  const allowedShow = showFor(allowed);
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // At the event's mock button, or at Test connection (type null).
  const [test, setTest] = useState<{ type: string | null; title: string; result: TestResult } | null>(null);
  const [created, setCreated] = useState<string | null>(() =>
    justCreated && justCreated.eid === eid ? justCreated.secret : null,
  );
  const [open, setOpen] = useState(FOLDED);

  useEffect(() => {
    if (justCreated?.eid === eid) justCreated = null;
  }, [eid]);
  useEffect(() => {
    const e = loaded.data?.endpoint;
    if (!e) return;
    setEndpoint(e);
    setFormState(fromEndpoint(e));
    // A saved transform is what one comes back to look at.
    if (e.transform?.trim()) setOpen((o) => ({ ...o, advanced: true }));
  }, [loaded.data]);

  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  const catalog = loaded.data?.catalog ?? [];
  // What only an HTTP receiver uses (method, ownership challenge) is no field for a broker or the relay.
  const show: Show = (field) =>
    allowedShow(field) && (form.kind === 'http' || !HTTP_ONLY_FIELDS.includes(field));
  const targetErrors = Object.fromEntries(
    Object.entries(destinationErrors(error)).map(([k, v = '']) => [k, portal ? withoutServiceName(v) : v]),
  );
  const base = endpoint ? fromEndpoint(endpoint) : EMPTY_FORM;
  // Every edit makes earlier answers stale.
  const setForm = (update: (f: FormState) => FormState) => {
    setFormState(update);
    setSaved(null);
    setTest(null);
    setError(null);
  };
  const toggle = (id: SectionId) => setOpen((o) => ({ ...o, [id]: !o[id] }));
  const newInput = () =>
    changedInput(form, EMPTY_FORM, { includeSecret: true, allowed, always: ['url'] }) as EndpointInput;

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await what();
    } catch (err) {
      setError(err);
      const bad = sectionsWithErrors(err);
      if (bad.length > 0) setOpen((o) => ({ ...o, ...Object.fromEntries(bad.map((s) => [s, true])) }));
    } finally {
      setBusy(false);
    }
  };

  const testConnection = (type?: EventType) =>
    run(async () => {
      setTest(null);
      const version = type && form.events[type.name] ? { version: Number(form.events[type.name]) } : {};
      const send = type ? { eventType: type.name, ...version } : {};
      const result = eid
        ? await client.testEndpoint(tid, eid, send)
        : await client.testUnsavedEndpoint(tid, newInput(), send);
      setTest({ type: type?.name ?? null, title: type ? `Mock ${type.name}` : 'Test connection', result });
    });

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (eid && endpoint) {
        const patch = changedInput(form, base, { includeSecret: false, allowed });
        if (Object.keys(patch).length === 0) {
          setSaved('Nothing to save: no changes.');
          return;
        }
        const updated = await client.updateEndpoint(tid, eid, patch);
        setEndpoint(updated);
        setFormState(fromEndpoint(updated));
        setSaved('Saved.');
      } else {
        const made = await client.createEndpoint(tid, newInput());
        justCreated = { eid: made.id, secret: made.secret };
        navigate(`${list}/${encodeURIComponent(made.id)}`);
      }
    });
  };

  const section = (id: SectionId, children: ReactNode, title?: string) => (
    <FormSection
      id={id}
      title={title ?? id.charAt(0).toUpperCase() + id.slice(1)}
      open={open[id]}
      onToggle={() => toggle(id)}
      summary={
        id === 'advanced' && portal ? portalAdvancedSummary(form, show) : sectionSummary(id, form, show)
      }
    >
      {children}
    </FormSection>
  );

  const name = (
    <div>
      <label htmlFor="name">Name</label>
      <input id="name" value={form.name} onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))} />
    </div>
  );
  const delivery = <DeliveryFields form={form} setForm={setForm} show={show} />;
  const security = (
    <>
      {(eid !== null || show('secret')) && <SecretField tid={tid} eid={eid} form={form} setForm={setForm} />}
      <SecurityFields form={form} setForm={setForm} show={show} />
    </>
  );
  const more = (
    <>
      {show('filter') && (
        <div>
          <label htmlFor="filter">Payload filter (JSON; empty: every matching event)</label>
          <textarea
            id="filter"
            value={form.filter}
            placeholder='{"data.model": "article"}'
            onChange={(e) => setForm((f) => ({ ...f, filter: e.target.value }))}
          />
        </div>
      )}
      {show('transform') && (
        <TransformField
          tid={tid}
          catalog={catalog}
          form={form}
          setForm={setForm}
          saved={Boolean(endpoint?.transform?.trim())}
        />
      )}
      {eid && <ResourcesPanel tid={tid} eid={eid} />}
    </>
  );
  const anyDelivery = ['method', 'format', 'envelope', 'timeoutMs', 'retry', 'maxInFlight', 'ordered'].some(
    show,
  );

  return (
    <form onSubmit={save} noValidate className="subscription-form">
      <p>
        <Link to={list}>← Subscriptions</Link>
      </p>
      <h1>{eid ? `Subscription ${endpoint?.name || eid}` : 'New subscription'}</h1>
      {created && <CreatedSecret secret={created} onDone={() => setCreated(null)} />}
      {endpoint && eid && <StatusPanel tid={tid} eid={eid} endpoint={endpoint} onChange={setEndpoint} />}
      {endpoint && eid && !portal && kindOfUrl(endpoint.url) === 'relay' && (
        <ListenLocallyPanel tid={tid} eid={eid} />
      )}
      {endpoint && eid && <EndpointHealthPanel tid={tid} eid={eid} />}

      {section(
        'destination',
        <>
          {show('destination') && <DeliveryMethod form={form} setForm={setForm} portal={portal} />}
          {!portal && name}
          <UrlField
            form={form}
            setForm={setForm}
            errors={targetErrors}
            helpForHttp={show('destination')}
            testDisabled={busy || !form.url}
            onTest={() => testConnection()}
          />
          {test && test.type === null && <TestResultView title={test.title} result={test.result} />}
          <DestinationOptions form={form} setForm={setForm} errors={targetErrors} show={show} />
          <label htmlFor="description">Description</label>
          <input
            id="description"
            value={form.description}
            onChange={(e) => setForm((f) => ({ ...f, description: e.target.value }))}
          />
        </>,
      )}

      {section(
        'events',
        <EventPicker
          catalog={catalog}
          form={form}
          setForm={setForm}
          onMock={(t) => void testConnection(t)}
          mock={test?.type ? { type: test.type, title: test.title, result: test.result } : null}
        />,
      )}

      {portal ? (
        section(
          'advanced',
          <>
            {name}
            {anyDelivery || show('headers') ? (
              <fieldset className="subgroup">
                <legend>Delivery</legend>
                {delivery}
              </fieldset>
            ) : null}
            <fieldset className="subgroup">
              <legend>Security</legend>
              {security}
            </fieldset>
            {more}
          </>,
        )
      ) : (
        <>
          {section('delivery', delivery)}
          {section('security', security)}
          {section('advanced', more)}
        </>
      )}

      <ErrorBox error={error} />
      {saved && (
        <p className="notice" role="status">
          {saved}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {eid ? 'Save changes' : 'Save subscription'}
        </button>
        <Link to={list} className="button secondary">
          Cancel
        </Link>
      </div>
      {/* Actions on what was delivered, not settings: in view, not folded away. */}
      {eid && <RecoveryPanel tid={tid} eid={eid} />}
      {endpoint && eid && (
        <DeleteSubscription
          tid={tid}
          eid={eid}
          name={endpoint.name || 'this subscription'}
          onDeleted={() => navigate(list)}
        />
      )}
    </form>
  );
}
