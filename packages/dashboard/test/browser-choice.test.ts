/** Which browser browser.ts picks, and the flags the bundled one gets (no browser is started here). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASE_ARGS, bundledBrowser, DEBIAN_CHROMIUM, findBrowser } from './browser.ts';

describe('findBrowser', () => {
  it('takes HERALD_CHROMIUM as given, and fails (never falls back) when it is no executable', async () => {
    const chosen = await findBrowser({ HERALD_CHROMIUM: process.execPath });
    expect(chosen).toMatchObject({ executablePath: process.execPath, args: BASE_ARGS });
    await expect(findBrowser({ HERALD_CHROMIUM: '/nonexistent/chromium' })).rejects.toThrow(
      'HERALD_CHROMIUM=/nonexistent/chromium is not an executable file',
    );
  });

  it("prefers Debian's Chromium, else the bundled one, saying which", async () => {
    const chosen = await findBrowser({});
    if (existsSync(DEBIAN_CHROMIUM)) {
      expect(chosen.executablePath).toBe(DEBIAN_CHROMIUM);
    } else {
      expect(chosen.reason).toMatch(/^\/usr\/bin\/chromium not found; using the Chromium bundled in/);
      expect(existsSync(chosen.executablePath)).toBe(true);
    }
  });
});

describe('the bundled Chromium', () => {
  it("keeps the tests' flags and drops the Lambda ones that break several pages or relax security", async () => {
    const { args } = await bundledBrowser('test');
    expect(args.slice(0, BASE_ARGS.length)).toEqual(BASE_ARGS);
    for (const dropped of ['--single-process', '--disable-web-security', '--in-process-gpu']) {
      expect(args).not.toContain(dropped);
    }
    expect(args.filter((a) => a.startsWith('--headless'))).toEqual(['--headless']);
    expect(new Set(args).size).toBe(args.length);
  });
});
