/**
 * What a customer-portal session may set on its endpoints: the basic fields
 * always, the advanced ones the operator hands out (HERALD_PORTAL_FIELDS).
 * The dashboard hides the rest, and this guard refuses them, so a customer
 * with the portal's key and curl gets no more than the form offers.
 *
 * One hook for the three routes that take an endpoint configuration, run
 * after validation (the body is known to be an object of known fields) and
 * only for portal sessions: admin keys and tenant tokens are never slowed.
 */
import { isDestinationUrl } from '../../delivery/destinations/registry.ts';
import { HeraldError } from '../../domain/errors.ts';
import { PORTAL_BASIC_FIELDS, type PortalAdvancedField } from '../../domain/portal-fields.ts';
import type { HeraldApp } from '../context.ts';

/** The routes whose body is an endpoint configuration, as Fastify spells them. */
const GUARDED_ROUTES = new Set([
  'POST /v1/tenants/:tid/endpoints',
  'PATCH /v1/tenants/:tid/endpoints/:eid',
  'POST /v1/tenants/:tid/endpoints/test',
]);

/** What a test send adds to the configuration: which example to send. */
const TEST_SEND_FIELDS = ['eventType', 'version', 'payload'];

export function registerPortalFieldGuard(app: HeraldApp, fields: readonly PortalAdvancedField[]): void {
  const allowed = new Set<string>([...PORTAL_BASIC_FIELDS, ...fields, ...TEST_SEND_FIELDS]);
  app.addHook('preHandler', async (request) => {
    if (request.principal?.role !== 'portal') return;
    if (!GUARDED_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
    const body = request.body;
    if (typeof body !== 'object' || body === null) return;
    // Without `destination`, customers deliver over HTTP only: a broker or relay URL is the operator's to give.
    const url = (body as { url?: unknown }).url;
    if (!allowed.has('destination') && typeof url === 'string' && isDestinationUrl(url.trim())) {
      throw new HeraldError(
        'forbidden',
        'customer-portal sessions can only set http(s) URLs: brokers and relays are set up by the operator (HERALD_PORTAL_FIELDS "destination" allows them)',
        [{ path: 'body.url', message: 'must be an http(s) URL in the portal' }],
      );
    }
    const refused = Object.keys(body).filter((name) => !allowed.has(name));
    if (refused.length === 0) return;
    throw new HeraldError(
      'forbidden',
      `customer-portal sessions cannot set ${refused.join(', ')}: the operator keeps ${refused.length > 1 ? 'these settings' : 'this setting'} (HERALD_PORTAL_FIELDS lists what customers may change)`,
      refused.map((name) => ({ path: `body.${name}`, message: 'is set by the operator, not in the portal' })),
    );
  });
}
