/**
 * The log's rows: a table on wider screens, whose columns share its width
 * (long values are cut short, in full in their tooltip and in the drawer)
 * and whose View column stays in sight; cards on phones, with what a person
 * scans for first (type, outcome, response, time, endpoint) and the View
 * action. Each View button says which attempt it opens, and whether it is
 * the one open.
 */
import type { Attempt } from '../../../sdk/src/client/index.ts';
import { dateTime, ms } from '../format.ts';

export interface RowsProps {
  rows: Attempt[];
  /** The attempt open in the drawer, if any. */
  openId: string | null;
  endpointName(id: string | null): string;
  onView(a: Attempt): void;
}

/** A broker's answer when it took the message: it has no HTTP status. */
const brokerAnswer = (a: Attempt) => (a.responseStatus === null && a.succeeded ? a.responseBody : null);

/** The HTTP status, else the broker's answer, else the error's kind. */
const response = (a: Attempt) => a.responseStatus ?? brokerAnswer(a) ?? (a.error ? a.error.kind : '—');

function Outcome({ a }: { a: Attempt }) {
  return (
    <>
      <span className={`badge ${a.succeeded ? 'succeeded' : 'failed'}`}>
        {a.succeeded ? 'succeeded' : 'failed'}
      </span>
      {a.trigger !== 'scheduled' && <span className="muted"> {a.trigger}</span>}
    </>
  );
}

function ViewButton({ a, open, onView }: { a: Attempt; open: boolean; onView(a: Attempt): void }) {
  return (
    <button
      type="button"
      className="secondary view"
      aria-expanded={open}
      aria-controls={open ? 'attempt-drawer' : undefined}
      onClick={() => onView(a)}
    >
      View
      <span className="sr-only">
        {' '}
        attempt {a.attemptNumber} of {a.eventType}, {dateTime(a.createdAt)}
      </span>
    </button>
  );
}

export function AttemptTable({ rows, openId, endpointName, onView }: RowsProps) {
  return (
    <div className="table-wrap attempts-wrap">
      <table aria-label="Attempts" className="attempts">
        <colgroup>
          <col className="c-type" />
          <col className="c-status" />
          <col className="c-response" />
          <col className="c-time" />
          <col className="c-duration" />
          <col className="c-attempt" />
          <col className="c-endpoint" />
          <col className="c-request" />
          <col className="c-view" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Event type</th>
            <th scope="col">Status</th>
            <th scope="col">Response</th>
            <th scope="col">Date and time</th>
            <th scope="col">Duration</th>
            <th scope="col">Attempt</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Request id</th>
            <th scope="col">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => {
            const endpoint = endpointName(a.endpointId);
            return (
              <tr key={a.id} data-attempt={a.id} className={a.id === openId ? 'selected' : undefined}>
                <td title={a.eventType}>{a.eventType}</td>
                <td>
                  <Outcome a={a} />
                </td>
                {brokerAnswer(a) ? (
                  // Cut short on one line (a confirm can be long), in full in its tooltip and the drawer.
                  <td title={brokerAnswer(a) ?? ''}>{brokerAnswer(a)}</td>
                ) : (
                  <td className="wrap-cell">{response(a)}</td>
                )}
                <td>{dateTime(a.createdAt)}</td>
                <td>{ms(a.durationMs)}</td>
                <td>{a.attemptNumber}</td>
                <td title={endpoint}>{endpoint}</td>
                <td title={a.requestId}>
                  <code>{a.requestId}</code>
                </td>
                <td className="view-cell">
                  <ViewButton a={a} open={a.id === openId} onView={onView} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function AttemptCards({ rows, openId, endpointName, onView }: RowsProps) {
  return (
    <ul className="attempt-cards" aria-label="Attempts">
      {rows.map((a) => (
        <li key={a.id} data-attempt={a.id} className={`attempt-card${a.id === openId ? ' selected' : ''}`}>
          <div className="attempt-card-head">
            <strong className="attempt-card-type">{a.eventType}</strong>
            <span>
              <Outcome a={a} />
            </span>
          </div>
          <dl>
            <div>
              <dt>Response</dt>
              <dd>{response(a)}</dd>
            </div>
            <div>
              <dt>Time</dt>
              <dd>{dateTime(a.createdAt)}</dd>
            </div>
            <div>
              <dt>Endpoint</dt>
              <dd>{endpointName(a.endpointId)}</dd>
            </div>
          </dl>
          <ViewButton a={a} open={a.id === openId} onView={onView} />
        </li>
      ))}
    </ul>
  );
}
