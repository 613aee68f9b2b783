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

export function ExpiredPage({ branding, message }: { branding: PortalBranding; message: string }) {
  return (
    <main>
      <div className="center-page" role="alert">
        {branding.logoUrl && <img src={branding.logoUrl} alt="" style={{ height: 32 }} />}
        <h1>This link has expired</h1>
        <p>
          Links to {branding.name} work for a limited time. Go back to the page you came from and open it
          again to get a fresh link.
        </p>
        <p className="muted">Details: {message}</p>
      </div>
    </main>
  );
}
