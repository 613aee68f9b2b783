/**
 * The Chromium the browser tests drive, found so that `npm test` runs them on
 * a fresh machine with nothing installed by hand:
 *
 * 1. `HERALD_CHROMIUM=/path`, when set (an explicit choice is never
 *    second-guessed: a wrong path fails);
 * 2. Debian's Chromium, `/usr/bin/chromium` (what `.ci/install-chromium.sh`
 *    installs, and what CI runs);
 * 3. otherwise the Chromium inside the `@sparticuz/chromium` devDependency,
 *    unpacked into the temp directory on first use (about 200 MB, a second).
 *
 * Browser tests never skip: when no browser starts, they fail and say why.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import chromiumPack from '@sparticuz/chromium';
import { type Browser, chromium } from 'playwright-core';
import { underLock } from './file-lock.ts';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The flags every browser gets: headless, sandbox-free (containers, root), and quiet on the network. */
export const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * @sparticuz/chromium's flags are tuned for one page in an AWS Lambda. These
 * would break the tests or change what they see, so the bundled browser
 * behaves like Debian's.
 */
const DROPPED_PACK_FLAGS: { flag: RegExp; why: string }[] = [
  {
    flag: /^--single-process$/,
    why: 'every page in one process: closing a second browser context kills the whole browser',
  },
  {
    flag: /^--(in-process-gpu|ignore-gpu-blocklist|use-gl=.*|use-angle=.*|enable-unsafe-swiftshader)$/,
    why: 'GPU emulation; the tests run --disable-gpu, so canvases are drawn as with Debian',
  },
  {
    flag: /^--(disable-web-security|allow-running-insecure-content|disable-site-isolation-trials)$/,
    why: "security relaxations: CORS and mixed-content rules must be the users' browsers' rules",
  },
  { flag: /^--(disable|enable)-features=/, why: 'site isolation and SharedArrayBuffer overrides, as above' },
  { flag: /^--headless=/, why: 'BASE_ARGS already says --headless' },
];

export interface BrowserChoice {
  executablePath: string;
  args: string[];
  /** Which browser and why, printed once when it starts. */
  reason: string;
}

const packVersion = (): string => {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const manifest = join(dirname(entry), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
};

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The Chromium inside @sparticuz/chromium, with its flags merged into BASE_ARGS. */
export async function bundledBrowser(why: string): Promise<BrowserChoice> {
  const started = Date.now();
  let unpacked = false;
  // It unpacks into a fixed path and takes any file already there as finished:
  // two test files unpacking at once would launch a half-written binary.
  const executablePath = await underLock('herald-chromium-unpack', () => {
    unpacked = existsSync(join(tmpdir(), 'chromium'));
    return chromiumPack.executablePath();
  });
  const kept = chromiumPack.args.filter(
    (arg) => !BASE_ARGS.includes(arg) && !DROPPED_PACK_FLAGS.some(({ flag }) => flag.test(arg)),
  );
  const ready = unpacked ? 'unpacked before' : `unpacked in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  return {
    executablePath,
    args: [...BASE_ARGS, ...kept],
    reason: `${why}; using the Chromium bundled in @sparticuz/chromium ${packVersion()} (${executablePath}, ${ready})`,
  };
}

/** HERALD_CHROMIUM, else Debian's Chromium, else the bundled one. */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const override = env.HERALD_CHROMIUM;
  if (override) {
    if (!isExecutable(override)) throw new Error(`HERALD_CHROMIUM=${override} is not an executable file`);
    return { executablePath: override, args: BASE_ARGS, reason: `HERALD_CHROMIUM=${override}` };
  }
  if (isExecutable(DEBIAN_CHROMIUM)) {
    return { executablePath: DEBIAN_CHROMIUM, args: BASE_ARGS, reason: `Debian Chromium ${DEBIAN_CHROMIUM}` };
  }
  return bundledBrowser(`${DEBIAN_CHROMIUM} not found`);
}

/** Starts the chosen browser and prints the one line saying which it is. */
export async function launchBrowser(choice: BrowserChoice): Promise<Browser> {
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: choice.executablePath, args: choice.args });
  } catch (err) {
    throw new Error(
      `browser tests: cannot start ${choice.reason}. A missing shared library (libnss3 …) needs ` +
        `installing; a half-unpacked ${join(tmpdir(), 'chromium')} (an interrupted first run) needs deleting; ` +
        `or point HERALD_CHROMIUM at a Chromium.\n${(err as Error).message}`,
    );
  }
  console.log(`browser tests: ${choice.reason}; Chromium ${browser.version()}`);
  return browser;
}
