/**
 * Deleting a subscription, asked first in a small dialog right under the
 * button: what goes (the subscription, its waiting deliveries) and that it
 * cannot be undone. Focus moves to "Keep it", the harmless answer; Escape
 * also keeps it.
 */
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useSession } from '../session.tsx';
import { ErrorBox } from '../ui.tsx';

export function DeleteSubscription(props: { tid: string; eid: string; name: string; onDeleted(): void }) {
  const { client } = useSession();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);

  const close = () => {
    setAsking(false);
    opener.current?.focus();
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.deleteEndpoint(props.tid, props.eid);
      props.onDeleted();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  };

  return (
    <div className="danger-zone">
      <button
        ref={opener}
        type="button"
        className="danger"
        aria-expanded={asking}
        onClick={() => setAsking(true)}
      >
        Delete subscription
      </button>
      {asking && (
        <div
          className="panel confirm"
          role="alertdialog"
          aria-modal="false"
          aria-labelledby="delete-title"
          aria-describedby="delete-what"
          onKeyDown={onKeyDown}
        >
          <h2 id="delete-title">Delete {props.name}?</h2>
          <p id="delete-what">
            It stops receiving webhooks at once, and deliveries still waiting for it are cancelled. This
            cannot be undone.
          </p>
          <div className="actions">
            <button type="button" className="danger-solid" disabled={busy} onClick={remove}>
              Delete
            </button>
            <button ref={keep} type="button" className="secondary" onClick={close}>
              Keep it
            </button>
          </div>
          <ErrorBox error={error} />
        </div>
      )}
    </div>
  );
}
