/**
 * What both adapters answer when the database refuses a write: each adapter
 * recognises its own constraint errors (db.ts) and throws these, so the API
 * says the same on SQLite and PostgreSQL.
 */
import { HeraldError } from '../domain/errors.ts';

export const apiKeyExists = (): HeraldError =>
  new HeraldError('conflict', 'an API key with this id or hash exists already');

export const tenantExists = (id: string): HeraldError =>
  new HeraldError('conflict', `tenant '${id}' exists already; choose another id or update it`);

export const endpointExists = (id: string): HeraldError =>
  new HeraldError('conflict', `endpoint '${id}' exists already`);

/** An endpoint for a tenant that does not exist. */
export const endpointTenantMissing = (tenantId: string): HeraldError =>
  new HeraldError('not_found', `tenant '${tenantId}' was not found; create the tenant first`);

/** Events for tenants that do not exist: the whole call is refused. */
export const eventTenantsMissing = (ids: readonly string[]): HeraldError =>
  new HeraldError(
    'not_found',
    `tenant '${ids.join("', '")}' was not found; create the tenant first (nothing was stored)`,
  );

export const eventTypeVersionExists = (input: { name: string; version: number }): HeraldError =>
  new HeraldError(
    'conflict',
    `event type '${input.name}' already has version ${input.version}; use a new version number or update the type`,
  );
