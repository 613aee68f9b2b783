/**
 * The subscription form's ownership-challenge fields: a JSON request and an
 * answer field, mapped to and from the endpoint's `verification` (empty
 * request: Herald's own shape, sent as null so saving clears it).
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, fromEndpoint, toInput } from '../src/form-state.ts';
import { savedEndpoint } from './endpoint-fixture.ts';

const PLATFORM = {
  request: { eventName: 'verify', payload: { challenge: '{{challenge}}' } },
  answerField: 'challenge',
};

const form = (fields: Partial<typeof EMPTY_FORM>) => ({
  ...EMPTY_FORM,
  url: 'https://x.example.com/',
  ...fields,
});

describe('subscription form: ownership challenge shape', () => {
  it('sends null for an empty request: Herald’s own shape', () => {
    expect(toInput(form({}), { includeSecret: false }).verification).toBeNull();
    expect(toInput(form({ verificationRequest: '  \n' }), { includeSecret: false }).verification).toBeNull();
  });

  it('parses the request and defaults the answer field to "challenge"', () => {
    const text = JSON.stringify(PLATFORM.request);
    expect(toInput(form({ verificationRequest: text }), { includeSecret: false }).verification).toEqual(
      PLATFORM,
    );
    const nested = toInput(form({ verificationRequest: text, verificationAnswerField: ' data.answer ' }), {
      includeSecret: false,
    });
    expect(nested.verification).toEqual({ ...PLATFORM, answerField: 'data.answer' });
  });

  it('names the field when the request is not JSON', () => {
    expect(() =>
      toInput(form({ verificationRequest: '{eventName: verify}' }), { includeSecret: false }),
    ).toThrow(/^Challenge request: not valid JSON/);
  });

  it('shows a stored shape and round-trips it', () => {
    const endpoint = {
      ...savedEndpoint({
        tenantId: 'fleet',
        name: 'fleet',
        signature: { scheme: 'hmac-sha256', header: 'SC-Signature', encoding: 'hex' },
        envelope: 'none',
        requireVerification: true,
        createdAt: '2026-01-15T12:00:00.000Z',
        updatedAt: '2026-01-15T12:00:00.000Z',
      }),
      verification: PLATFORM,
    };
    const state = fromEndpoint(endpoint);
    expect(JSON.parse(state.verificationRequest)).toEqual(PLATFORM.request);
    expect(state.verificationAnswerField).toBe('challenge');
    expect(toInput(state, { includeSecret: false }).verification).toEqual(PLATFORM);
    expect(fromEndpoint({ ...endpoint, verification: null })).toMatchObject({
      verificationRequest: '',
      verificationAnswerField: '',
    });
  });
});
