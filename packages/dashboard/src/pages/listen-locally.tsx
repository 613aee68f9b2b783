/**
 * A relay:// endpoint's "Listen locally" panel (DESIGN.md, "`herald listen`
 * (local development)"): the command that connects a developer's machine
 * to this endpoint, with the API origin the dashboard talks to and the
 * endpoint's id filled in, and a copy button. The token: a tenant token's
 * session uses its own; an operator makes one here (shown once, like every
 * token), else the command says where it goes.
 */
import { useState } from 'react';
import { storedKey, useSession } from '../session.tsx';
import { CopyButton, ErrorBox } from '../ui.tsx';

export const DEFAULT_FORWARD_URL = 'http://localhost:3000/webhooks';

/** Lifetime of a token made for the command: a development session's, not forever. */
const TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Quoted for a POSIX shell when it holds anything but the plain URL characters. */
const shellWord = (text: string) =>
  /^[\w@%+=:,./<>-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

export function listenCommand(parts: {
  forward: string;
  api: string;
  token: string;
  endpoint: string;
}): string {
  const forward = shellWord(parts.forward.trim() || DEFAULT_FORWARD_URL);
  return `npx herald listen ${forward} --api ${parts.api} --token ${parts.token} --endpoint ${parts.endpoint}`;
}

export function ListenLocallyPanel(props: { tid: string; eid: string }) {
  const { client, info } = useSession();
  // Signed in with a tenant token: that token is what the command needs.
  const ownToken = info.role === 'tenant' ? storedKey() : null;
  const [forward, setForward] = useState(DEFAULT_FORWARD_URL);
  const [made, setMade] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const token = made ?? ownToken;
  const command = listenCommand({
    forward,
    api: window.location.origin,
    token: token ?? '<tenant token>',
    endpoint: props.eid,
  });

  const makeToken = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await client.request<{ token: string }>(
        'POST',
        `/v1/tenants/${encodeURIComponent(props.tid)}/tokens`,
        { body: { name: `herald listen ${props.eid}`, expiresInSeconds: TOKEN_TTL_SECONDS } },
      );
      setMade(created.token);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel listen-locally" aria-labelledby="listen-locally-title">
      <h2 id="listen-locally-title">Listen locally</h2>
      <p>
        Run this on your machine: it receives this subscription's deliveries, forwards each to your local
        server and reports its answers back to the log; while no listener is connected, deliveries fail and
        are retried.
      </p>
      <label htmlFor="listen-forward">Your local server</label>
      <input
        id="listen-forward"
        type="url"
        value={forward}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setForward(e.target.value)}
      />
      <pre className="code listen-command">
        <code>{command}</code>
      </pre>
      <div className="actions">
        <CopyButton text={command} label="Copy command" />
        {token === null && info.role === 'admin' && (
          <button type="button" className="secondary" disabled={busy} onClick={makeToken}>
            Create a tenant token for it
          </button>
        )}
      </div>
      {made !== null && (
        <p className="notice" role="status">
          Token created (valid 30 days) and put in the command. Copy it now: it is not shown again.
        </p>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
