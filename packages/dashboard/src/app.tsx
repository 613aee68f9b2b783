/** The shell: signs in (admin key or portal link), applies branding, routes to the pages. */
import { useEffect, useState } from 'react';
import type { PortalBranding } from '../../sdk/src/client/index.ts';
import { HeraldApiError } from '../../sdk/src/client/index.ts';
import { allowedFields } from './form-sections.ts';
import { CatalogPage } from './pages/catalog.tsx';
import { JobsPage } from './pages/job-history.tsx';
import { LogPage } from './pages/log.tsx';
import { MetricsPage } from './pages/metrics.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { type EndedReason, LinkEndedPage, SignInPage } from './pages/sign-in.tsx';
import { SubscriptionFormPage } from './pages/subscription-form.tsx';
import { SubscriptionsPage } from './pages/subscriptions.tsx';
import { TenantsPage } from './pages/tenants.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import {
  anonymousClient,
  clientFor,
  type Session,
  SessionContext,
  storedKey,
  storeKey,
  takeFragmentToken,
} from './session.tsx';
import { errorText, setErrorAudience } from './ui.tsx';

const DEFAULT_BRANDING: PortalBranding = { name: 'Webhooks', logoUrl: null, accent: '#4f46e5' };

type Boot =
  | { state: 'loading' }
  | { state: 'signed-out'; error: string | null }
  | { state: 'ended'; reason: EndedReason }
  | { state: 'signed-in'; session: Session };

export function App() {
  const [branding, setBranding] = useState<PortalBranding>(DEFAULT_BRANDING);
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });

  useEffect(() => {
    anonymousClient()
      .getPortalBranding()
      .then(setBranding, () => undefined);
  }, []);
  useEffect(() => {
    document.documentElement.style.setProperty('--accent', branding.accent);
  }, [branding]);

  /**
   * A portal session ends on the "link has ended" page, never on the admin
   * sign-in: at /portal, so a reload shows the same page.
   */
  const endLink = (reason: EndedReason) => {
    storeKey(null);
    navigate('/portal', true);
    setBoot({ state: 'ended', reason });
  };

  const signIn = async (key: string, fromPortalLink: boolean) => {
    let live: 'admin' | 'portal' | null = null;
    const client = clientFor(key, () => {
      // The key expired or was revoked while the page was open.
      if (live === 'portal') endLink('expired');
      else if (live === 'admin') {
        storeKey(null);
        setBoot({ state: 'signed-out', error: 'The key is no longer valid: sign in again.' });
      }
    });
    try {
      const info = await client.getSessionInfo();
      storeKey(key);
      const portal = info.role === 'portal';
      live = portal ? 'portal' : 'admin';
      setErrorAudience(portal ? 'portal' : 'operator');
      const signOut = () => {
        if (portal) {
          live = null;
          // Revoked, so the link stops working for whoever else holds it; ended here either way.
          void client.endPortalSession().catch(() => undefined);
          endLink('signed-out');
          return;
        }
        storeKey(null);
        setBoot({ state: 'signed-out', error: null });
        navigate('/', true);
      };
      const allowed = allowedFields(info);
      setBoot({ state: 'signed-in', session: { client, info, branding, portal, allowed, signOut } });
      const path = location.pathname;
      if (info.kind === 'tenant' && (path === '/' || path === '/portal' || !path.startsWith('/tenants/'))) {
        navigate(`/tenants/${encodeURIComponent(info.tenantId ?? '')}/subscriptions`, true);
      } else if (info.kind === 'admin' && path === '/portal') {
        navigate('/', true);
      }
    } catch (err) {
      storeKey(null);
      const expired = err instanceof HeraldApiError && err.status === 401;
      if (fromPortalLink || (expired && key.startsWith('hk_portal'))) {
        endLink(expired ? 'expired' : 'unavailable');
      } else {
        setBoot({ state: 'signed-out', error: errorText(err) });
      }
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, at load
  useEffect(() => {
    const fragment = takeFragmentToken();
    const key = fragment ?? storedKey();
    if (key) void signIn(key, fragment !== null);
    else if (location.pathname === '/portal') setBoot({ state: 'ended', reason: 'no-key' });
    else setBoot({ state: 'signed-out', error: null });
  }, []);

  // A portal session ends on time even when the page makes no request.
  const expiresAt = boot.state === 'signed-in' && boot.session.portal ? boot.session.info.expiresAt : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: endLink only sets state
  useEffect(() => {
    if (!expiresAt) return;
    const wait = Math.min(Date.parse(expiresAt) - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(() => endLink('expired'), Math.max(wait, 0));
    return () => clearTimeout(timer);
  }, [expiresAt]);
  useEffect(() => {
    if (boot.state === 'ended' || (boot.state === 'signed-in' && boot.session.portal)) {
      document.title = branding.name;
    }
  }, [boot, branding]);

  if (boot.state === 'loading')
    return (
      <main>
        <p className="muted">Loading…</p>
      </main>
    );
  if (boot.state === 'ended') return <LinkEndedPage branding={branding} reason={boot.reason} />;
  if (boot.state === 'signed-out')
    return <SignInPage branding={branding} error={boot.error} onSignIn={(key) => signIn(key, false)} />;
  const session = { ...boot.session, branding };
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const { path } = useLocation();
  return (
    <SessionContext.Consumer>
      {(session) =>
        session && (
          <>
            <TopBar path={path} />
            <main>
              <Routes path={path} admin={session.info.kind === 'admin'} />
            </main>
          </>
        )
      }
    </SessionContext.Consumer>
  );
}

function TopBar({ path }: { path: string }) {
  return (
    <SessionContext.Consumer>
      {(session) => {
        if (!session) return null;
        const { info, branding } = session;
        const tenantInPath = /^\/tenants\/([^/]+)/.exec(path)?.[1];
        const tid =
          info.kind === 'tenant' ? info.tenantId : tenantInPath ? decodeURIComponent(tenantInPath) : null;
        const t = tid ? `/tenants/${encodeURIComponent(tid)}` : null;
        return (
          <header className="top">
            <div className="brand">
              {branding.logoUrl && <img src={branding.logoUrl} alt="" />}
              <span>{info.kind === 'admin' ? 'Herald' : branding.name}</span>
            </div>
            <nav aria-label="Main">
              {info.kind === 'admin' && (
                <>
                  <Link to="/" current={path === '/'}>
                    Overview
                  </Link>
                  <Link to="/tenants" current={path === '/tenants'}>
                    Tenants
                  </Link>
                  <Link to="/catalog" current={path === '/catalog'}>
                    Event catalog
                  </Link>
                </>
              )}
              {t && (
                <>
                  {info.kind === 'admin' && <span className="muted">Tenant {tid}:</span>}
                  <Link to={`${t}/subscriptions`} current={path.startsWith(`${t}/subscriptions`)}>
                    Subscriptions
                  </Link>
                  <Link to={`${t}/log`} current={path === `${t}/log`}>
                    Delivery log
                  </Link>
                  <Link to={`${t}/metrics`} current={path === `${t}/metrics`}>
                    Metrics
                  </Link>
                  <Link to={`${t}/jobs`} current={path === `${t}/jobs`}>
                    Jobs
                  </Link>
                </>
              )}
            </nav>
            <button type="button" className="secondary" onClick={session.signOut}>
              Sign out
            </button>
          </header>
        );
      }}
    </SessionContext.Consumer>
  );
}

function Routes({ path, admin }: { path: string; admin: boolean }) {
  const sub = match('/tenants/:tid/subscriptions/:eid', path);
  const list = match('/tenants/:tid/subscriptions', path);
  const log = match('/tenants/:tid/log', path);
  const metrics = match('/tenants/:tid/metrics', path);
  const jobs = match('/tenants/:tid/jobs', path);
  if (list?.tid) return <SubscriptionsPage tid={list.tid} />;
  if (sub?.tid && sub.eid === 'new') return <SubscriptionFormPage tid={sub.tid} eid={null} />;
  if (sub?.tid && sub.eid) return <SubscriptionFormPage key={sub.eid} tid={sub.tid} eid={sub.eid} />;
  if (log?.tid) return <LogPage key={log.tid} tid={log.tid} />;
  if (metrics?.tid) return <MetricsPage key={metrics.tid} tid={metrics.tid} />;
  if (jobs?.tid) return <JobsPage key={jobs.tid} tid={jobs.tid} />;
  if (admin && path === '/') return <OverviewPage />;
  if (admin && path === '/tenants') return <TenantsPage />;
  if (path === '/catalog') return <CatalogPage />;
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <Link to="/">Go to the start page</Link>.
      </p>
    </div>
  );
}
