import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { HeraldError } from '../../src/domain/errors.ts';

const CONFIG_SOURCE = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
const CONFIG_DOC = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./.herald/herald.db',
      apiKey: null,
      role: 'all',
      logLevel: 'info',
      bodyLimitBytes: 256 * 1024,
      maxCustomHeaders: 5,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('converts values and lets CLI flags override variables', () => {
    const config = loadConfig({ HERALD_PORT: '9000', HERALD_ROLE: 'api' }, { HERALD_ROLE: 'worker' });
    expect(config.port).toBe(9000);
    expect(config.role).toBe('worker');
  });

  it('names every bad variable, and never shows the API key', () => {
    let error: unknown;
    try {
      loadConfig({ HERALD_PORT: 'eighty', HERALD_ROLE: 'boss', HERALD_API_KEY: 'short-secret' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HeraldError);
    const message = (error as HeraldError).message;
    expect(message).toContain('HERALD_PORT="eighty"');
    expect(message).toContain('HERALD_ROLE="boss": expected one of: all, api, worker');
    expect(message).toContain('HERALD_API_KEY=(hidden)');
    expect(message).not.toContain('short-secret');
    expect((error as HeraldError).code).toBe('config_invalid');
  });

  it('documents every variable it reads in docs/configuration.md', () => {
    const read = new Set(CONFIG_SOURCE.match(/\bHERALD_[A-Z_]+[A-Z]\b/g));
    const undocumented = [...read].filter((name) => !CONFIG_DOC.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
