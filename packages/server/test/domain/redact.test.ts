import { describe, expect, it } from 'vitest';
import { redactUrl, substituteUrl, VERIFICATION_KEY_PLACEHOLDER } from '../../src/domain/redact.ts';

describe('substituteUrl', () => {
  it('puts the URL-encoded key where the placeholder is', () => {
    expect(VERIFICATION_KEY_PLACEHOLDER).toBe('{VerificationKey}');
    expect(substituteUrl('https://x.test/hook?key={VerificationKey}', 'a b&c/d=é')).toBe(
      'https://x.test/hook?key=a%20b%26c%2Fd%3D%C3%A9',
    );
    expect(substituteUrl('https://x.test/{VerificationKey}/h?k={VerificationKey}', 'k1')).toBe(
      'https://x.test/k1/h?k=k1',
    );
  });

  it('also replaces the percent-encoded placeholder that URL normalization produces', () => {
    expect(substituteUrl('https://x.test/%7BVerificationKey%7D?a=%7bVerificationKey%7d', 'k')).toBe(
      'https://x.test/k?a=k',
    );
  });

  it('does not expand $ patterns in the key', () => {
    expect(substituteUrl('https://x.test/?k={VerificationKey}', '$&$1')).toBe('https://x.test/?k=%24%26%241');
  });

  it('leaves the URL alone without a key or placeholder', () => {
    expect(substituteUrl('https://x.test/?k={VerificationKey}', undefined)).toBe(
      'https://x.test/?k={VerificationKey}',
    );
    expect(substituteUrl('https://x.test/a', 'k')).toBe('https://x.test/a');
  });
});

describe('redactUrl', () => {
  it('shows the placeholder, not a key', () => {
    expect(redactUrl('https://x.test/hook?key={VerificationKey}')).toBe(
      'https://x.test/hook?key={VerificationKey}',
    );
    expect(redactUrl('https://x.test/%7BVerificationKey%7D/h')).toBe('https://x.test/{VerificationKey}/h');
  });

  it('masks credential-like query parameters and keeps the rest as written', () => {
    expect(redactUrl('https://x.test/h?id=7&token=abc&api_key=k&Signature=s&password=p&x=1')).toBe(
      'https://x.test/h?id=7&token=***&api_key=***&Signature=***&password=***&x=1',
    );
    expect(redactUrl('https://x.test/h?apiKey=1&access-token=2&client_secret=3&sig=4&page=2')).toBe(
      'https://x.test/h?apiKey=***&access-token=***&client_secret=***&sig=***&page=2',
    );
    expect(redactUrl('https://x.test/h?token=&flag&x=a%20b')).toBe('https://x.test/h?token=&flag&x=a%20b');
  });

  it('masks the userinfo password but keeps the user', () => {
    expect(redactUrl('https://bob:hunter2@x.test/h')).toBe('https://bob:***@x.test/h');
    expect(redactUrl('https://bob@x.test/h')).toBe('https://bob@x.test/h');
    expect(redactUrl('https://x.test/a@b')).toBe('https://x.test/a@b');
  });

  it('masks tokens in the fragment', () => {
    expect(redactUrl('https://x.test/h#access_token=abc&state=1')).toBe(
      'https://x.test/h#access_token=***&state=1',
    );
    expect(redactUrl('https://x.test/h#section')).toBe('https://x.test/h#section');
  });

  it('leaves plain URLs unchanged', () => {
    for (const url of ['https://x.test/', 'http://127.0.0.1:8080/hooks/a?b=c', 'not a url']) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
