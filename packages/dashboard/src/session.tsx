/**
 * Who is signed in: an admin key typed on the sign-in page, or a portal key
 * taken from the link's fragment (`/portal#token=…`). Kept in sessionStorage,
 * so it ends with the tab and is never sent anywhere but Herald's API.
 */
import { createContext, useContext } from 'react';
import type { PortalBranding, SessionInfo } from '../../sdk/src/client/index.ts';
import { HeraldClient } from '../../sdk/src/client/index.ts';

const STORAGE_KEY = 'herald.apiKey';

export interface Session {
  client: HeraldClient;
  info: SessionInfo;
  branding: PortalBranding;
  /** A customer-portal session: white-labelled, short form, sign-out ends the link. */
  portal: boolean;
  /** The endpoint fields this key may set; null: every field. */
  allowed: ReadonlySet<string> | null;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage refused (a sandboxed iframe): the key lives as long as the page.
  }
}

/** The portal key in the URL fragment, removed from the address bar once read. */
export function takeFragmentToken(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

export const anonymousClient = () => new HeraldClient({ baseUrl: '' });
/**
 * A client for the key. `onUnauthorized` hears every 401 (the key expired
 * or was revoked while the page was open), so the app can say so at once
 * instead of showing the error on whatever page the reader is on.
 */
export const clientFor = (key: string, onUnauthorized?: () => void) =>
  new HeraldClient({
    baseUrl: '',
    apiKey: key,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onUnauthorized?.();
      return response;
    },
  });
