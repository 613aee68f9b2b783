/**
 * The subscription form's transform: mapped to and from the endpoint's
 * `transform` (blank text: none, sent as null so saving clears it), and the
 * "Try it" body built from the form's current values.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, fromEndpoint, toInput, tryTransformInput } from '../src/form-state.ts';
import { savedEndpoint } from './endpoint-fixture.ts';

const SOURCE = 'function handler(webhook) {\n  return webhook;\n}\n';

const form = (fields: Partial<typeof EMPTY_FORM>) => ({
  ...EMPTY_FORM,
  url: 'https://x.example.com/',
  ...fields,
});

describe('subscription form: transform', () => {
  it('sends the source as written, and null for empty or blank text', () => {
    expect(toInput(form({ transform: SOURCE }), { includeSecret: false }).transform).toBe(SOURCE);
    expect(toInput(form({}), { includeSecret: false }).transform).toBeNull();
    expect(toInput(form({ transform: ' \n\t ' }), { includeSecret: false }).transform).toBeNull();
  });

  it('reads the saved transform back, absent or null as empty', () => {
    const saved = { ...savedEndpoint({ retry: { maxAttempts: 9 } }), transform: SOURCE };
    expect(fromEndpoint(saved).transform).toBe(SOURCE);
    expect(fromEndpoint({ ...saved, transform: null }).transform).toBe('');
    const { transform: _, ...older } = saved;
    expect(fromEndpoint(older).transform).toBe('');
  });

  it('tries with the example event, the envelope and the webhook fields the form has', () => {
    const f = form({
      transform: SOURCE,
      method: 'PUT',
      envelope: 'none',
      headers: [
        { name: ' X-Team ', value: 'devices' },
        { name: '', value: 'ignored' },
      ],
    });
    expect(tryTransformInput(f, { eventType: 'device.enrolled', version: 2 })).toEqual({
      transform: SOURCE,
      eventType: 'device.enrolled',
      version: 2,
      envelope: 'none',
      webhook: { method: 'PUT', url: 'https://x.example.com/', headers: { 'X-Team': 'devices' } },
    });
  });

  it('leaves out what is not set or not valid yet', () => {
    for (const url of [
      '',
      'not a url',
      'ftp://x.example.com/',
      `https://x.example.com/${'a'.repeat(2048)}`,
    ]) {
      expect(tryTransformInput(form({ transform: SOURCE, url }), null)).toEqual({
        transform: SOURCE,
        envelope: 'standard',
        webhook: { method: 'POST' },
      });
    }
  });
});
