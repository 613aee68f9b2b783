/**
 * The delivery log's filter form. Test sends and mock events are no part of
 * the log: the trigger filter shows them only when "test sends" is chosen
 * (alone, or with every trigger), as the API does.
 */
import type { FormEvent } from 'react';
import type { AttemptFilter, Endpoint, ErrorKindFilter } from '../../../sdk/src/client/index.ts';
import { localInputToIso } from '../format.ts';

export interface Filters {
  since: string;
  until: string;
  statusCode: string;
  requestId: string;
  eventType: string;
  endpointId: string;
  status: '' | 'succeeded' | 'failed';
  trigger: '' | 'scheduled' | 'manual' | 'test' | 'all';
  errorKind: '' | ErrorKindFilter;
}

export const NO_FILTERS: Filters = {
  since: '',
  until: '',
  statusCode: '',
  requestId: '',
  eventType: '',
  endpointId: '',
  status: '',
  trigger: '',
  errorKind: '',
};

const TRIGGERS: [Filters['trigger'], string][] = [
  ['', 'deliveries (scheduled and manual)'],
  ['scheduled', 'scheduled only'],
  ['manual', 'manual retries only'],
  ['test', 'test sends only'],
  ['all', 'all, test sends included'],
];

const ERROR_KINDS: [Filters['errorKind'], string][] = [
  ['', 'any'],
  ['timeout', 'timeout'],
  ['connection', 'connection broken'],
  ['refused', 'refused'],
  ['dns', 'DNS'],
  ['tls', 'TLS'],
  ['http', 'HTTP status'],
  ['transform', 'transform'],
];

export function toApi(f: Filters): AttemptFilter {
  const out: AttemptFilter = {};
  const since = localInputToIso(f.since);
  const until = localInputToIso(f.until);
  if (since) out.since = since;
  if (until) out.until = until;
  if (f.statusCode.trim()) out.statusCode = f.statusCode.trim();
  if (f.requestId.trim()) out.requestId = f.requestId.trim();
  if (f.eventType.trim()) out.eventType = f.eventType.trim();
  if (f.endpointId) out.endpointId = f.endpointId;
  if (f.status) out.status = f.status;
  if (f.trigger === 'all') out.trigger = ['scheduled', 'manual', 'test'];
  else if (f.trigger) out.trigger = f.trigger;
  if (f.errorKind) out.errorKind = f.errorKind;
  return out;
}

/** Whether a filter asks for test sends only, which no summary ever counts. */
export const testSendsOnly = (f: AttemptFilter) => f.trigger === 'test';

export function FilterForm(props: {
  draft: Filters;
  setDraft(update: (f: Filters) => Filters): void;
  endpoints: Endpoint[];
  onApply(e: FormEvent): void;
  onClear(): void;
}) {
  const { draft, setDraft } = props;
  const input = (
    key: 'since' | 'until' | 'statusCode' | 'requestId' | 'eventType',
    label: string,
    type = 'text',
    placeholder = '',
  ) => (
    <div>
      <label htmlFor={`f-${key}`}>{label}</label>
      <input
        id={`f-${key}`}
        type={type}
        value={draft[key]}
        placeholder={placeholder}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
      />
    </div>
  );
  const select = <K extends 'endpointId' | 'status' | 'trigger' | 'errorKind'>(
    key: K,
    id: string,
    label: string,
    options: [Filters[K], string][],
  ) => (
    <div>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={draft[key]}
        onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value as Filters[K] }))}
      >
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form className="panel" onSubmit={props.onApply} aria-label="Filters">
      <div className="row">
        {input('since', 'From', 'datetime-local')}
        {input('until', 'To', 'datetime-local')}
        {input('statusCode', 'Response code', 'text', '200, 404 or 5xx')}
        {input('requestId', 'Request id', 'text', 'req_…')}
        {input('eventType', 'Event type', 'text', 'device.enrolled')}
        {select('endpointId', 'f-endpoint', 'Endpoint', [
          ['', 'all endpoints'],
          ...props.endpoints.map((e): [string, string] => [e.id, e.name || e.url]),
        ])}
        {select('status', 'f-status', 'Status', [
          ['', 'any'],
          ['succeeded', 'succeeded'],
          ['failed', 'failed'],
        ])}
        {select('trigger', 'f-trigger', 'Trigger', TRIGGERS)}
        {select('errorKind', 'f-error-kind', 'Error kind', ERROR_KINDS)}
      </div>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={props.onClear}>
          Clear
        </button>
      </div>
    </form>
  );
}
