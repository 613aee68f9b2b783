/**
 * The overview's notices: what needs a person, each with the place to act.
 * Pure (no DOM, no requests), so the rules are easy to read and to test.
 */
import type { EndpointHealth, Stats, Tenant } from '../../../sdk/src/client/index.ts';
import { dateTime, duration } from '../format.ts';

export interface TenantHealth {
  tenant: Tenant;
  health: EndpointHealth[];
  /** The tenant's last hour, by minute. */
  stats: Stats;
}

export type NoticeKind = 'circuit' | 'disabled' | 'failing' | 'backlog' | 'exhausted' | 'tenant';

export interface Notice {
  key: string;
  kind: NoticeKind;
  text: string;
  /** Where to act, and the link's words. */
  to: string;
  action: string;
}

/** A backlog whose oldest delivery has waited longer than this is a notice. */
export const OLD_BACKLOG_MS = 5 * 60_000;
/** Below this 24 h success rate (over enough attempts), a closed circuit's endpoint is still a notice. */
const LOW_RATE = 0.9;
const LOW_RATE_MIN_ATTEMPTS = 10;

const ORDER: NoticeKind[] = ['circuit', 'disabled', 'failing', 'backlog', 'exhausted', 'tenant'];
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function noticesOf(rows: readonly TenantHealth[], now: number): Notice[] {
  const out: Notice[] = [];
  for (const { tenant, health, stats } of rows) {
    const t = `/tenants/${encodeURIComponent(tenant.id)}`;
    for (const h of health) {
      const name = `${h.name || h.url} (${tenant.name})`;
      const page = `${t}/subscriptions/${encodeURIComponent(h.endpointId)}`;
      const add = (kind: NoticeKind, text: string, action: string, to = page) =>
        out.push({ key: `${kind} ${h.endpointId}`, kind, text, to, action });
      const c = h.circuit;
      if (c.state !== 'closed') {
        const probe =
          c.state === 'half_open'
            ? 'a probe is deciding'
            : c.nextProbeAt && Date.parse(c.nextProbeAt) > now
              ? `next probe ${dateTime(c.nextProbeAt)}`
              : 'probe due now';
        add(
          'circuit',
          `Circuit open for ${name}${c.since ? ` since ${dateTime(c.since)}` : ''}: ${plural(c.failures, 'attempt')} in a row failed${h.lastError ? ` (${h.lastError.message})` : ''}; ${probe}${h.pending > 0 ? `; ${plural(h.pending, 'delivery', 'deliveries')} ${h.pending === 1 ? 'waits' : 'wait'}` : ''}.`,
          'Reset circuit or retry now',
        );
      } else if (c.failures > 0) {
        add(
          'failing',
          `${name} is failing: the last ${plural(c.failures, 'attempt')} failed${h.lastError ? ` (${h.lastError.message})` : ''}.`,
          'See its health',
        );
      } else if (
        h.successRate24h !== null &&
        h.successRate24h < LOW_RATE &&
        h.last24h.attempts >= LOW_RATE_MIN_ATTEMPTS
      ) {
        add(
          'failing',
          `${name} succeeded on only ${Math.round(h.successRate24h * 100)} % of ${h.last24h.attempts} attempts in 24 h.`,
          'See its health',
        );
      }
      if (h.status === 'disabled') add('disabled', `Endpoint ${name} is disabled.`, 'Fix and activate it');
      if (h.oldestPendingAt && now - Date.parse(h.oldestPendingAt) > OLD_BACKLOG_MS) {
        const waited = duration((now - Date.parse(h.oldestPendingAt)) / 1000);
        add(
          'backlog',
          `${plural(h.pending, 'delivery', 'deliveries')} to ${name} pending, the oldest for ${waited}${h.blocked ? '' : `; next attempt ${h.nextAttemptAt ? dateTime(h.nextAttemptAt) : 'not scheduled'}`}.`,
          h.blocked ? 'Unblock it' : 'Retry now',
        );
      }
      if (h.exhausted > 0) {
        add(
          'exhausted',
          `${plural(h.exhausted, 'delivery', 'deliveries')} to ${name} used up ${h.exhausted === 1 ? 'its' : 'their'} retries.`,
          'Recover them',
        );
      }
    }
    const hour = stats.totals;
    if (hour.failed > 0 && hour.succeeded === 0) {
      out.push({
        key: `tenant ${tenant.id}`,
        kind: 'tenant',
        text: `Every attempt of tenant ${tenant.name} failed in the last hour (${hour.failed}).`,
        to: `${t}/log`,
        action: 'Open its delivery log',
      });
    }
  }
  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}
