/**
 * The subscription form's defaults are the server's (ENDPOINT_DEFAULTS) and
 * the docs' (docs/configuration.md's endpoint table); what the form sends is
 * only what was changed, and only what the signed-in key may set; the event
 * groups' boxes are tri-state; and folded sections summarise what the reader
 * may see.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_DEFAULTS } from '../../server/src/domain/defaults.ts';
import {
  DEFAULT_PORTAL_FIELDS,
  PORTAL_BASIC_FIELDS as SERVER_BASIC,
} from '../../server/src/domain/portal-fields.ts';
import {
  allowedFields,
  PORTAL_BASIC_FIELDS,
  sectionOfPath,
  sectionSummary,
  showAll,
  showFor,
} from '../src/form-sections.ts';
import { changedInput, EMPTY_FORM, fromEndpoint, groupState, setEvents, toInput } from '../src/form-state.ts';
import { savedEndpoint } from './endpoint-fixture.ts';

const DOC = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

/** The default column of docs/configuration.md's endpoint table, by field. */
function documentedDefault(field: string): string {
  const row = DOC.split('\n').find((line) => line.startsWith(`| \`${field}\` |`));
  if (!row) throw new Error(`docs/configuration.md has no row for ${field}`);
  const cells = row.split(' | ');
  return /`([^`]+)`/.exec(cells[cells.length - 1] ?? '')?.[1] ?? '';
}

const url = 'https://x.example.com/hooks';
const none = { includeSecret: true, allowed: null, always: ['url'] } as const;

describe('subscription form: defaults', () => {
  it("are the server's and the docs'", () => {
    const sent = toInput({ ...EMPTY_FORM, url }, { includeSecret: false });
    for (const key of [
      'envelope',
      'format',
      'method',
      'headers',
      'timeoutMs',
      'retry',
      'batch',
      'rateLimit',
      'overflow',
      'maxBacklog',
      'ordered',
      'requireVerification',
      'maxInFlight',
      'signature',
    ] as const) {
      expect(sent[key], key).toEqual(ENDPOINT_DEFAULTS[key]);
    }
    expect(EMPTY_FORM.maxAttempts).toBe(documentedDefault('retry.maxAttempts'));
    expect(EMPTY_FORM.maxAttempts).toBe('8');
    expect(EMPTY_FORM.timeoutMs).toBe(documentedDefault('timeoutMs'));
    expect(EMPTY_FORM.maxInFlight).toBe(documentedDefault('maxInFlight'));
    expect(sent.headers).toEqual(JSON.parse(documentedDefault('headers')));
    expect(String(sent.requireVerification)).toBe(documentedDefault('requireVerification'));
    expect(String(sent.transform)).toBe(documentedDefault('transform'));
    expect(EMPTY_FORM.allEvents).toBe(true);
  });

  it('a new subscription sends the URL and what was changed, and leaves the rest to the server', () => {
    expect(changedInput({ ...EMPTY_FORM, url }, EMPTY_FORM, none)).toEqual({ url });
    const changed = changedInput(
      { ...EMPTY_FORM, url, maxAttempts: '3', allEvents: false, events: { 'a.b': '', 'c.d': '2' } },
      EMPTY_FORM,
      none,
    );
    expect(changed).toEqual({ url, retry: { maxAttempts: 3 }, eventTypes: ['a.b', 'c.d@2'] });
  });

  it('sends only the fields the portal session may set', () => {
    const allowed = allowedFields({ role: 'portal', endpointFields: [...DEFAULT_PORTAL_FIELDS] });
    const form = { ...EMPTY_FORM, url, maxInFlight: '5', method: 'PUT' as const, description: 'mine' };
    expect(changedInput(form, EMPTY_FORM, { ...none, allowed })).toEqual({
      url,
      method: 'PUT',
      description: 'mine',
    });
    expect([...PORTAL_BASIC_FIELDS]).toEqual([...SERVER_BASIC]);
    expect(allowedFields({ role: 'admin', endpointFields: null })).toBeNull();
    expect(allowedFields({ role: 'tenant' })).toBeNull();
    // A portal session from an older server that lists no fields: the basic ones only.
    expect([...(allowedFields({ role: 'portal' }) ?? [])]).toEqual([...PORTAL_BASIC_FIELDS]);
  });

  it('an update sends only what changed, keeping a retry schedule it does not edit', () => {
    const saved = { ...savedEndpoint({ url }), retry: { maxAttempts: 5, schedule: [1, 2] } };
    const base = fromEndpoint(saved);
    const opts = { includeSecret: false, allowed: null };
    expect(changedInput(base, base, opts)).toEqual({});
    expect(changedInput({ ...base, name: 'renamed' }, base, opts)).toEqual({ name: 'renamed' });
    expect(changedInput({ ...base, maxAttempts: '6' }, base, opts)).toEqual({
      retry: { maxAttempts: 6, schedule: [1, 2] },
    });
  });

  it('names the field when a number cannot be read', () => {
    expect(() => changedInput({ ...EMPTY_FORM, url, timeoutMs: 'soon' }, EMPTY_FORM, none)).toThrow(
      /^Timeout: enter a number$/,
    );
  });
});

describe('subscription form: event groups', () => {
  const names = ['device.enrolled', 'device.retired', 'device.moved'];
  const only = { ...EMPTY_FORM, allEvents: false };

  it('are checked, mixed or unchecked; "All events" checks every group', () => {
    expect(groupState(EMPTY_FORM, names)).toBe('checked');
    expect(groupState(only, names)).toBe('unchecked');
    expect(groupState(setEvents(only, ['device.moved'], true), names)).toBe('mixed');
    expect(groupState(setEvents(only, names, true), names)).toBe('checked');
  });

  it('tick and untick together, keeping a pinned version', () => {
    const pinned = { ...only, events: { 'device.enrolled': '2' } };
    const all = setEvents(pinned, names, true);
    expect(all.events).toEqual({ 'device.enrolled': '2', 'device.retired': '', 'device.moved': '' });
    expect(setEvents(all, names, false).events).toEqual({});
  });
});

describe('subscription form: sections', () => {
  it('know where an error path is edited', () => {
    expect(sectionOfPath('body.retry.maxAttempts')).toBe('delivery');
    expect(sectionOfPath('secret')).toBe('security');
    expect(sectionOfPath('body.url')).toBe('destination');
    expect(sectionOfPath('body.transform')).toBe('advanced');
    expect(sectionOfPath('body.headers.X-A')).toBe('delivery');
    expect(sectionOfPath('query.since')).toBeNull();
  });

  it('summarise what is set, never a field the reader cannot see', () => {
    const form = { ...EMPTY_FORM, batchOn: true, ordered: true };
    expect(sectionSummary('delivery', form, showAll)).toBe(
      'POST · JSON · timeout 5000 ms · 8 attempts · batches of up to 100 · in order',
    );
    const portal = showFor(allowedFields({ role: 'portal', endpointFields: [...DEFAULT_PORTAL_FIELDS] }));
    expect(sectionSummary('delivery', form, portal)).toBe('POST · JSON · timeout 5000 ms');
    expect(sectionSummary('security', { ...form, requireVerification: true }, portal)).toBe(
      'Standard Webhooks signature · ownership challenge required',
    );
    expect(sectionSummary('advanced', { ...form, transform: 'x' }, showAll)).toBe('transform');
  });
});
