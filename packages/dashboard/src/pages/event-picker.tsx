/**
 * Events picked by category. Each group's box is tri-state (every type in
 * it, some, none; with "All events" every box is ticked). Each type is one
 * line and one Tab stop: its checkbox, version, sample payload and mock send
 * form a roving group, ← and → moving between them (a catalog of 40 types is
 * 40 stops, not 160). The sample and the mock's result open right under
 * their line.
 */
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { EventType, TestResult } from '../../../sdk/src/client/index.ts';
import { type FormState, groupState, setEvents } from '../form-state.ts';
import { JsonBlock } from '../ui.tsx';
import { groupEventTypes } from './catalog.tsx';
import { TestResultView } from './test-result.tsx';

type SetForm = (update: (f: FormState) => FormState) => void;

export function EventPicker(props: {
  catalog: EventType[];
  form: FormState;
  setForm: SetForm;
  onMock(type: EventType): void;
  /** The last mock send's result, shown under that event's line. */
  mock: { type: string; title: string; result: TestResult } | null;
}) {
  const { catalog, form, setForm } = props;
  const [sample, setSample] = useState<string | null>(null);
  const groups = groupEventTypes(catalog);

  return (
    <>
      <div role="radiogroup" aria-label="Which events" className="event-scope">
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
      </div>
      {catalog.length === 0 ? (
        <p className="empty">The event catalog is empty: the platform has declared no events yet.</p>
      ) : (
        <p className="muted" id="event-keys">
          Tab moves between events; ← and → reach each one's version, sample and mock send.
        </p>
      )}
      {groups.map(([group, types]) => (
        <div className="group" key={group}>
          <GroupBox group={group} names={types.map((t) => t.name)} form={form} setForm={setForm} />
          {types.map((t) => (
            <EventLine
              key={t.name}
              type={t}
              form={form}
              setForm={setForm}
              sampleOpen={sample === t.name}
              onSample={() => setSample(sample === t.name ? null : t.name)}
              onMock={() => props.onMock(t)}
              mock={props.mock?.type === t.name ? props.mock : null}
            />
          ))}
        </div>
      ))}
    </>
  );
}

/** The group's tri-state box: native, with `indeterminate` (exposed as aria-checked="mixed"). */
function GroupBox(props: { group: string; names: string[]; form: FormState; setForm: SetForm }) {
  const { group, names, form, setForm } = props;
  const state = groupState(form, names);
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = state === 'mixed';
  }, [state]);
  return (
    <div className="group-head">
      <label className="inline">
        <input
          ref={box}
          type="checkbox"
          disabled={form.allEvents}
          checked={state === 'checked'}
          aria-checked={state === 'mixed' ? 'mixed' : undefined}
          onChange={() => setForm((f) => setEvents(f, names, groupState(f, names) !== 'checked'))}
        />
        <strong>{group}</strong>
        <span className="muted">
          {' '}
          (
          {state === 'mixed'
            ? `${names.filter((n) => n in form.events).length} of ${names.length}`
            : names.length}
          )
        </span>
      </label>
    </div>
  );
}

function EventLine(props: {
  type: EventType;
  form: FormState;
  setForm: SetForm;
  sampleOpen: boolean;
  onSample(): void;
  onMock(): void;
  mock: { title: string; result: TestResult } | null;
}) {
  const { type: t, form, setForm } = props;
  const on = form.allEvents || t.name in form.events;
  // The line's controls in order; the one last focused keeps the line's Tab stop.
  const refs = useRef<(HTMLElement | null)[]>([]);
  const [current, setCurrent] = useState(0);
  const enabled = [!form.allEvents, !form.allEvents && t.name in form.events, true, true];
  const stop = enabled[current] ? current : enabled.findIndex(Boolean);
  const tab = (i: number) => (i === stop ? 0 : -1);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1 };
    const step = moves[e.key];
    const from = refs.current.indexOf(e.target as HTMLElement);
    if (from < 0) return;
    let to: number | null = null;
    if (step !== undefined) {
      for (let i = from + step; i >= 0 && i < enabled.length; i += step) {
        if (enabled[i]) {
          to = i;
          break;
        }
      }
    } else if (e.key === 'Home') to = enabled.findIndex(Boolean);
    else if (e.key === 'End') to = enabled.lastIndexOf(true);
    if (to === null || to < 0) return;
    e.preventDefault();
    setCurrent(to);
    refs.current[to]?.focus();
  };
  const sampleId = `sample-${t.name}`;
  const version = t.versions.find(
    (v) => String(v.version) === (form.events[t.name] || String(t.latestVersion)),
  );

  return (
    <div className="event-item">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move between the line's own controls */}
      <div className="event-line" onKeyDown={onKeyDown}>
        <label className="inline event-name">
          <input
            ref={(el) => {
              refs.current[0] = el;
            }}
            type="checkbox"
            tabIndex={tab(0)}
            disabled={form.allEvents}
            checked={on}
            aria-describedby="event-keys"
            onFocus={() => setCurrent(0)}
            onChange={(e) => {
              const checked = e.target.checked;
              setForm((f) => setEvents(f, [t.name], checked));
            }}
          />
          {t.name}
          {t.deprecated && <span className="badge">deprecated</span>}
        </label>
        {/* Shown once it can be chosen: a ticked type, events picked one by one. */}
        {enabled[1] && (
          <select
            ref={(el) => {
              refs.current[1] = el;
            }}
            tabIndex={tab(1)}
            aria-label={`Version of ${t.name}`}
            value={form.events[t.name] ?? ''}
            onFocus={() => setCurrent(1)}
            onChange={(e) => {
              const pinned = e.target.value;
              setForm((f) => ({ ...f, events: { ...f.events, [t.name]: pinned } }));
            }}
          >
            <option value="">any version</option>
            {t.versions.map((v) => (
              <option key={v.version} value={String(v.version)}>
                version {v.version} only
              </option>
            ))}
          </select>
        )}
        <button
          ref={(el) => {
            refs.current[2] = el;
          }}
          type="button"
          className="secondary small"
          tabIndex={tab(2)}
          aria-expanded={props.sampleOpen}
          aria-controls={sampleId}
          onFocus={() => setCurrent(2)}
          onClick={props.onSample}
        >
          Sample<span className="sr-only"> payload of {t.name}</span>
        </button>
        <button
          ref={(el) => {
            refs.current[3] = el;
          }}
          type="button"
          className="secondary small"
          tabIndex={tab(3)}
          onFocus={() => setCurrent(3)}
          onClick={props.onMock}
        >
          Send mock<span className="sr-only"> {t.name}</span>
        </button>
      </div>
      <div id={sampleId} hidden={!props.sampleOpen} className="event-sample">
        {props.sampleOpen && (
          <>
            <p className="muted">
              Sample payload of {t.name} v{version?.version ?? t.latestVersion}
              {t.description ? `: ${t.description}` : ''}
            </p>
            <JsonBlock
              label={`Sample payload of ${t.name}`}
              value={version?.example == null ? '' : JSON.stringify(version.example, null, 2)}
            />
          </>
        )}
      </div>
      {props.mock && <TestResultView title={props.mock.title} result={props.mock.result} />}
    </div>
  );
}
