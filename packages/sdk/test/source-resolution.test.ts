import * as root from '@herald/sdk';
import * as express from '@herald/sdk/express';
import * as fastify from '@herald/sdk/fastify';
import { describe, expect, it } from 'vitest';
import * as src from '../src/index.ts';

// The server and these tests must run the SDK's sources, not a dist/ that may be stale or missing.
describe('@herald/sdk inside the repository', () => {
  it('resolves to the sources', () => {
    expect(root.signatureHeaders).toBe(src.signatureHeaders);
    expect(express.heraldExpress).toBe(src.heraldExpress);
    expect(fastify.heraldFastify).toBe(src.heraldFastify);
  });
});
