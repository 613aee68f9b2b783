/** The typed client sends the log's trigger and errorKind filters the way the API reads them. */
import { describe, expect, it } from 'vitest';
import { type AttemptFilter, HeraldClient } from '../src/client/index.ts';

function recordingClient() {
  const sent: { url: URL; body: unknown }[] = [];
  const client = new HeraldClient({
    baseUrl: 'http://herald.test',
    apiKey: 'hk_test',
    fetch: async (input, init) => {
      sent.push({
        url: new URL(String(input)),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      return new Response('{"data":[],"nextCursor":null,"job":{}}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  return { client, sent };
}

describe('the client and the log filters', () => {
  it('sends one trigger or error kind as it is, and several comma-separated', async () => {
    const { client, sent } = recordingClient();
    await client.listAttempts('acme', { trigger: 'test', errorKind: 'timeout', limit: 10 });
    await client.listAttempts('acme', { trigger: ['scheduled', 'test'], errorKind: ['http', 'refused'] });
    await client.summarizeAttempts('acme', { trigger: ['manual'], statusCode: '5xx' });
    const params = sent.map((s) => Object.fromEntries(s.url.searchParams));
    expect(params).toEqual([
      { trigger: 'test', errorKind: 'timeout', limit: '10' },
      { trigger: 'scheduled,test', errorKind: 'http,refused' },
      { trigger: 'manual', statusCode: '5xx' },
    ]);
    expect(sent[2]!.url.pathname).toBe('/v1/tenants/acme/attempts/summary');
  });

  it('leaves an empty list out, in a query and in a bulk retry body alike', async () => {
    const { client, sent } = recordingClient();
    await client.listAttempts('acme', { trigger: [], errorKind: [] });
    await client.retryAttempts('acme', { trigger: [], errorKind: ['timeout'], status: 'failed' });
    expect(sent[0]!.url.search).toBe('');
    expect(sent[1]!.body).toEqual({ errorKind: ['timeout'], status: 'failed' });
  });

  it('types the values: a misspelt trigger or kind does not compile', () => {
    // @ts-expect-error 'tests' is not a trigger
    const trigger: AttemptFilter = { trigger: 'tests' };
    // @ts-expect-error http_status is a stored kind; the filter's kind is 'http'
    const kind: AttemptFilter = { errorKind: ['http_status'] };
    expect([trigger, kind]).toHaveLength(2);
  });
});
