/**
 * The subscription form's sections (Destination, Events, Delivery, Security,
 * Advanced): which API field lives in which, what a portal session may see,
 * and the one-line summary a folded section shows (pure: no DOM, no React).
 */
import { HeraldApiError } from '../../sdk/src/client/errors.ts';
import type { SessionInfo } from '../../sdk/src/client/types.ts';
import type { FormState } from './form-state.ts';

export type SectionId = 'destination' | 'events' | 'delivery' | 'security' | 'advanced';

export const SECTION_TITLES: Record<SectionId, string> = {
  destination: 'Destination',
  events: 'Events',
  delivery: 'Delivery',
  security: 'Security',
  advanced: 'Advanced',
};

/** Where each endpoint field is edited. */
export const SECTION_OF_FIELD: Record<string, SectionId> = {
  url: 'destination',
  destination: 'destination',
  name: 'destination',
  description: 'destination',
  status: 'destination',
  eventTypes: 'events',
  method: 'delivery',
  format: 'delivery',
  envelope: 'delivery',
  timeoutMs: 'delivery',
  retry: 'delivery',
  maxInFlight: 'delivery',
  ordered: 'delivery',
  batch: 'delivery',
  rateLimit: 'delivery',
  overflow: 'delivery',
  maxBacklog: 'delivery',
  headers: 'delivery',
  secret: 'security',
  signature: 'security',
  requireVerification: 'security',
  verification: 'security',
  filter: 'advanced',
  transform: 'advanced',
};

/** The section holding the field an error path names (`body.retry.maxAttempts` → delivery). */
export function sectionOfPath(path: string): SectionId | null {
  const field = path.replace(/^(body|query|params)\./, '').split(/[.[]/)[0] ?? '';
  return SECTION_OF_FIELD[field] ?? null;
}

/** The sections holding the fields an API error's details name (to unfold them). */
export function sectionsWithErrors(err: unknown): SectionId[] {
  if (!(err instanceof HeraldApiError) || !Array.isArray(err.details)) return [];
  return (err.details as { path?: unknown }[])
    .map((d) => (typeof d.path === 'string' ? sectionOfPath(d.path) : null))
    .filter((s): s is SectionId => s !== null);
}

/** What a portal session may always set (the server's PORTAL_BASIC_FIELDS). */
export const PORTAL_BASIC_FIELDS = ['url', 'name', 'description', 'eventTypes', 'status'] as const;

/** The fields the signed-in key may set: null for every field (admin keys, tenant tokens). */
export function allowedFields(
  info: Pick<SessionInfo, 'role' | 'endpointFields'>,
): ReadonlySet<string> | null {
  if (info.role !== 'portal') return null;
  return new Set<string>([...PORTAL_BASIC_FIELDS, ...(info.endpointFields ?? [])]);
}

export type Show = (field: string) => boolean;

export const showAll: Show = () => true;

export function showFor(allowed: ReadonlySet<string> | null): Show {
  return allowed ? (field) => allowed.has(field) : showAll;
}

const SCHEMES: Record<FormState['scheme'], string> = {
  'standard-webhooks': 'Standard Webhooks signature',
  'hmac-sha256': 'HMAC-SHA256 signature',
  'verification-key': 'verification key',
};

/** A folded section's one line: what is set in it, among the fields its reader may see. */
export function sectionSummary(id: SectionId, f: FormState, show: Show): string {
  const parts: string[] = [];
  const add = (field: string, text: string | false) => {
    if (text && show(field)) parts.push(text);
  };
  if (id === 'delivery') {
    add('method', f.method);
    add('format', f.format.toUpperCase());
    add('timeoutMs', `timeout ${f.timeoutMs} ms`);
    add('retry', `${f.maxAttempts} attempts`);
    add('batch', f.batchOn && `batches of up to ${f.batchMaxSize}`);
    add('rateLimit', f.rateOn && `at most ${f.ratePerSecond}/s`);
    add('ordered', f.ordered && 'in order');
    add(
      'headers',
      f.headers.length > 0 && `${f.headers.length} custom header${f.headers.length > 1 ? 's' : ''}`,
    );
  } else if (id === 'security') {
    add('signature', SCHEMES[f.scheme]);
    add('secret', f.secret !== '' && 'own secret');
    add('requireVerification', f.requireVerification && 'ownership challenge required');
  } else if (id === 'advanced') {
    add('filter', f.filter.trim() !== '' && 'payload filter');
    add('transform', f.transform.trim() !== '' && 'transform');
  }
  return parts.join(' · ');
}

/** The portal's Advanced section holds the others: its summary says what is set in any of them. */
export function portalAdvancedSummary(form: FormState, show: Show): string {
  return (['delivery', 'security', 'advanced'] as const)
    .map((id) => sectionSummary(id, form, show))
    .filter(Boolean)
    .join(' · ');
}
