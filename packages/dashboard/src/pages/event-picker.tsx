/**
 * Events picked by category: select-all per group, a version choice, the
 * sample payload, a mock send with its result beside its button.
 */
import type { EventType, TestResult } from '../../../sdk/src/client/index.ts';
import type { FormState } from '../form-state.ts';
import { JsonBlock } from '../ui.tsx';
import { groupEventTypes } from './catalog.tsx';
import { TestResultView } from './test-result.tsx';

export function EventPicker(props: {
  catalog: EventType[];
  form: FormState;
  setForm(update: (f: FormState) => FormState): void;
  focused: string | null;
  setFocused(name: string): void;
  onMock(type: EventType): void;
  /** The last mock send's result, shown under that event's line. */
  mock: { type: string; title: string; result: TestResult } | null;
}) {
  const { catalog, form, setForm, focused } = props;
  const groups = groupEventTypes(catalog);
  const toggle = (name: string, on: boolean) =>
    setForm((f) => {
      const events = { ...f.events };
      if (on) events[name] = events[name] ?? '';
      else delete events[name];
      return { ...f, events };
    });
  const sample = catalog.find((t) => t.name === focused);
  const sampleVersion = sample?.versions.find(
    (v) => String(v.version) === (form.events[sample.name] || String(sample.latestVersion)),
  );

  return (
    <fieldset>
      <legend>Events</legend>
      <label className="inline">
        <input
          type="radio"
          name="event-scope"
          checked={form.allEvents}
          onChange={() => setForm((f) => ({ ...f, allEvents: true }))}
        />
        All events, present and future
      </label>
      <label className="inline">
        <input
          type="radio"
          name="event-scope"
          checked={!form.allEvents}
          onChange={() => setForm((f) => ({ ...f, allEvents: false }))}
        />
        Only the events selected below
      </label>
      {catalog.length === 0 && (
        <p className="empty">The event catalog is empty: the platform has declared no events yet.</p>
      )}
      {groups.map(([group, types]) => {
        const allOn = types.every((t) => t.name in form.events);
        return (
          <div className="group" key={group}>
            <div className="group-head">
              <strong>{group}</strong>
              <label className="inline">
                <input
                  type="checkbox"
                  disabled={form.allEvents}
                  checked={!form.allEvents && allOn}
                  onChange={(e) => {
                    for (const t of types) toggle(t.name, e.target.checked);
                  }}
                />
                Select all in {group}
              </label>
            </div>
            {types.map((t) => (
              <div key={t.name}>
                <div className="event-line">
                  <label className="inline">
                    <input
                      type="checkbox"
                      disabled={form.allEvents}
                      checked={form.allEvents || t.name in form.events}
                      onChange={(e) => toggle(t.name, e.target.checked)}
                      onFocus={() => props.setFocused(t.name)}
                    />
                    {t.name}
                  </label>
                  <select
                    aria-label={`Version of ${t.name}`}
                    disabled={form.allEvents || !(t.name in form.events)}
                    value={form.events[t.name] ?? ''}
                    onChange={(e) =>
                      setForm((f) => ({ ...f, events: { ...f.events, [t.name]: e.target.value } }))
                    }
                  >
                    <option value="">any version</option>
                    {t.versions.map((v) => (
                      <option key={v.version} value={String(v.version)}>
                        version {v.version} only
                      </option>
                    ))}
                  </select>
                  <button type="button" className="secondary" onClick={() => props.setFocused(t.name)}>
                    Sample payload
                  </button>
                  <button type="button" className="secondary" onClick={() => props.onMock(t)}>
                    Send mock {t.name}
                  </button>
                </div>
                {props.mock?.type === t.name && (
                  <TestResultView title={props.mock.title} result={props.mock.result} />
                )}
              </div>
            ))}
          </div>
        );
      })}
      {sample && (
        <div>
          <h3>
            Sample payload: {sample.name} v{sampleVersion?.version ?? sample.latestVersion}
          </h3>
          <p className="muted">{sample.description}</p>
          <JsonBlock
            label={`Sample payload of ${sample.name}`}
            value={sampleVersion?.example == null ? '' : JSON.stringify(sampleVersion.example, null, 2)}
          />
        </div>
      )}
    </fieldset>
  );
}
