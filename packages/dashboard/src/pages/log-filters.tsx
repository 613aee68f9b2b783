/**
 * The delivery log's filter form. What it holds is applied through the
 * address bar (log-query.ts), so the view can be shared and reloaded. Test
 * sends and mock events are no part of the log: the trigger filter shows
 * them only when "test sends" is chosen (alone, or with every trigger), as
 * the API does. Typed-in text is checked before it is applied; a problem is
 * shown under its field, in words.
 */
import type { FormEvent } from 'react';
import type { Endpoint } from '../../../sdk/src/client/index.ts';
import { localInputToIso } from '../format.ts';
import { type FilterErrors, type Filters, isoToLocalInput, QUICK_RANGES } from './log-query.ts';

export type { Filters } from './log-query.ts';

const TRIGGERS: [Filters['trigger'], string][] = [
  ['', 'deliveries (scheduled and manual)'],
  ['scheduled', 'scheduled only'],
  ['manual', 'manual retries only'],
  ['test', 'test sends only'],
  ['all', 'all, test sends included'],
];

const ERROR_KIND_OPTIONS: [Filters['errorKind'], string][] = [
  ['', 'any'],
  ['timeout', 'timeout'],
  ['connection', 'connection broken'],
  ['refused', 'refused'],
  ['dns', 'DNS'],
  ['tls', 'TLS'],
  ['http', 'HTTP status'],
  ['transform', 'transform'],
];

type TextKey = 'statusCode' | 'requestId' | 'eventType' | 'eventId';
type SelectKey = 'range' | 'endpointId' | 'status' | 'trigger' | 'errorKind';

export function FilterForm(props: {
  draft: Filters;
  setDraft(update: (f: Filters) => Filters): void;
  errors: FilterErrors;
  endpoints: Endpoint[];
  /** The catalog's event type names, offered as suggestions. */
  eventTypes: string[];
  onApply(e: FormEvent): void;
  onClear(): void;
}) {
  const { draft, setDraft, errors } = props;
  const problem = (key: keyof FilterErrors) =>
    errors[key] ? (
      <p id={`f-${key}-error`} className="field-error" role="alert">
        {errors[key]}
      </p>
    ) : null;
  const described = (key: keyof FilterErrors) =>
    errors[key] ? { 'aria-invalid': true, 'aria-describedby': `f-${key}-error` } : {};

  const text = (key: TextKey, label: string, placeholder: string, list?: string) => (
    <div className="filter-field">
      <label htmlFor={`f-${key}`}>{label}</label>
      <input
        id={`f-${key}`}
        name={key}
        type="text"
        value={draft[key]}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        list={list}
        {...described(key)}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
      />
      {problem(key)}
    </div>
  );
  const select = <K extends SelectKey>(key: K, label: string, options: [Filters[K], string][]) => (
    <div className="filter-field">
      <label htmlFor={`f-${key}`}>{label}</label>
      <select
        id={`f-${key}`}
        name={key}
        value={draft[key]}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value as Filters[K] }))}
      >
        {options.map(([value, optionText]) => (
          <option key={value} value={value}>
            {optionText}
          </option>
        ))}
      </select>
    </div>
  );
  const time = (key: 'since' | 'until', label: string) => (
    <div className="filter-field">
      <label htmlFor={`f-${key}`}>{label}</label>
      <input
        id={`f-${key}`}
        name={key}
        type="datetime-local"
        step={1}
        value={isoToLocalInput(draft[key])}
        {...(key === 'until' ? described('until') : {})}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: localInputToIso(e.target.value) ?? '' }))}
      />
      {key === 'until' && problem('until')}
    </div>
  );

  return (
    <form className="panel log-filters" onSubmit={props.onApply} aria-label="Filters" noValidate>
      <div className="row">
        {select(
          'range',
          'Time',
          QUICK_RANGES.map(([value, label]): [Filters['range'], string] => [value, label]),
        )}
        {draft.range === 'custom' && time('since', 'From')}
        {draft.range === 'custom' && time('until', 'To')}
        {text('eventType', 'Event type', 'order.created, order.*, *.created', 'f-event-types')}
        {select('status', 'Status', [
          ['', 'any'],
          ['succeeded', 'succeeded'],
          ['failed', 'failed'],
        ])}
        {text('statusCode', 'Response code', '404 or 5xx')}
        {select('errorKind', 'Error kind', ERROR_KIND_OPTIONS)}
        {select('trigger', 'Trigger', TRIGGERS)}
        {select('endpointId', 'Endpoint', [
          ['', 'all endpoints'],
          ...props.endpoints.map((e): [string, string] => [e.id, e.name || e.url]),
        ])}
        {text('eventId', 'Event id', 'evt_…')}
        {text('requestId', 'Request id', 'req_… or its beginning')}
      </div>
      <datalist id="f-event-types">
        {props.eventTypes.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={props.onClear}>
          Clear
        </button>
      </div>
    </form>
  );
}
