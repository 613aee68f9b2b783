import { type FormEvent, useState } from 'react';
import type { PortalBranding } from '../../../sdk/src/client/index.ts';

export function SignInPage(props: {
  branding: PortalBranding;
  error: string | null;
  onSignIn(key: string): void;
}) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) props.onSignIn(key.trim());
  };
  return (
    <main>
      <form className="center-page" onSubmit={submit}>
        <h1>Sign in to Herald</h1>
        <p className="muted">
          Paste an admin API key (printed by <code>npm start</code> on first run, or your{' '}
          <code>HERALD_API_KEY</code>
          ). Customers open the portal link they were given instead.
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="hk_…"
        />
        {props.error && (
          <div className="error" role="alert">
            {props.error}
          </div>
        )}
        <div className="actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
    </main>
  );
}

/** Why a portal link no longer opens the portal. */
export type EndedReason = 'signed-out' | 'expired' | 'no-key' | 'unavailable';

const ENDED_TEXT: Record<EndedReason, string> = {
  'signed-out': 'You signed out, so this link no longer works.',
  expired: 'Links to this page work for a limited time, and this one has run out.',
  'no-key': 'This address holds no access: open the page from the link you were given.',
  unavailable: 'This link could not be opened right now.',
};

/**
 * Where a portal session ends (signed out, expired, unknown): in the
 * platform's words, with the way back to it. Never the admin sign-in,
 * and never the service's own name or key jargon.
 */
export function LinkEndedPage({ branding, reason }: { branding: PortalBranding; reason: EndedReason }) {
  const back = branding.returnUrl ?? null;
  return (
    <main>
      <div className="center-page ended-page">
        {branding.logoUrl && <img src={branding.logoUrl} alt="" className="ended-logo" />}
        <h1>This link has ended</h1>
        <p>{ENDED_TEXT[reason]}</p>
        {back ? (
          <p>
            <a className="button" href={back} target="_top">
              Go back to {branding.name}
            </a>
          </p>
        ) : (
          <p>Go back to {branding.name} and open this page from there again to get a fresh link.</p>
        )}
      </div>
    </main>
  );
}
