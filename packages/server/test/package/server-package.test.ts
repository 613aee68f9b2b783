/**
 * @herald/server from outside the repository: the packed tarball installed
 * with npm into an empty project, then used there with plain `node` (ESM and
 * CommonJS, no loader) and strict `tsc`, as an application that embeds Herald
 * would. Deliveries go to a real receiver on loopback and are verified with
 * the independent `standardwebhooks` package.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import {
  installProject,
  type PackedPackage,
  packServer,
  readmeSnippet,
  runNode,
  tsc,
  writeFiles,
} from './project.ts';
import { TS_CHECKS } from './typescript-snippets.ts';

const SECRET = `whsec_${Buffer.from('herald-package-test-secret-00001').toString('base64')}`;
const README_RECEIVER = 'http://127.0.0.1:4000/webhooks';

let packDir: string;
let packed: PackedPackage;
let project: string;
let receiver: Receiver;

beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'herald-pack-'));
  packed = packServer(packDir);
  const started = Date.now();
  project = installProject([packed.tarball, 'standardwebhooks', 'typescript@5.9', '@types/node@20']);
  console.log(
    `[package] @herald/server tarball ${(packed.size / 1024).toFixed(0)} KiB packed, ` +
      `${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.files.length} files; ` +
      `npm install in an empty project took ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  receiver = await startReceiver();
}, 600_000);

afterAll(async () => {
  await receiver?.close();
  for (const dir of [packDir, project]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An embedding script's Herald options, pointing at the test's receiver. */
const heraldOptions = (db: string, extra = '') => `{
  databaseUrl: 'sqlite:./${db}',
  settings: { allowPrivateNetworks: '127.0.0.0/8', logLevel: 'warn'${extra} },
  config: {
    eventTypes: [{ name: 'content.create' }],
    tenants: [{ id: 'cms', endpoints: [{ name: 'site', url: '${receiver.url}/${db}', secret: '${SECRET}' }] }],
  },
}`;

function deliveredTo(path: string) {
  return receiver.requests.filter((r) => r.url === path);
}

/** Plain `node <file>` in the project, running until told to stop. */
function startNode(file: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [file], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, exited, output: () => out };
}

/** Waits until `path` has received `count` requests (other tests' deliveries may arrive meanwhile). */
async function waitForPath(path: string, count: number): Promise<void> {
  while (deliveredTo(path).length < count) await receiver.waitFor(receiver.requests.length + 1, 30_000);
}

describe('@herald/server installed from its tarball', () => {
  it('ships compiled JavaScript, declarations, migrations and the built dashboard; no sources', () => {
    const files = packed.files;
    for (const f of [
      'dist/index.mjs',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/herald.mjs',
      'dist/sender-thread.mjs',
      'dist/migrations/sqlite/0001_initial.sql',
      'dist/migrations/postgres/0001_initial.sql',
      'dist/dashboard/index.html',
      'bin/herald.js',
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /\.[cm]?tsx?$/.test(f) && !/\.d\.c?ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/'))).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/@herald/server/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    for (const dep of ['@herald/sdk', 'tsx', 'esbuild', 'typescript'])
      expect(manifest.dependencies).not.toHaveProperty(dep);
  });

  it("runs the README's embedding example as written (plain node, ES module) and stops on SIGTERM", async () => {
    const snippet = readmeSnippet('README.md', '## Embed Herald in your Node app', 'js');
    expect(snippet).toContain(README_RECEIVER);
    writeFiles(project, { 'readme.mjs': snippet.replace(README_RECEIVER, `${receiver.url}/readme`) });
    const child = startNode('readme.mjs');
    await waitForPath('/readme', 1).catch((err: Error) => {
      throw new Error(`${err.message}\n${child.output()}`);
    });
    const [request] = deliveredTo('/readme');
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'content.create', data: { entry: 42 } });
    expect(child.output()).toMatch(/accepted evt_\w+ \[ 'dlv_\w+' \]/);
    child.process.kill('SIGTERM');
    // stop() closed the worker and the database: nothing keeps the process alive.
    expect(await child.exited).toBe(0);
  });

  it('works from CommonJS with require(), signed for the standardwebhooks verifier', async () => {
    writeFiles(project, {
      'embed.cjs': `
const { createHerald, HeraldError } = require('@herald/server');
(async () => {
  const herald = await createHerald(${heraldOptions('cjs.db')});
  process.once('SIGTERM', () => herald.stop());
  const accepted = await herald.send('cms', { type: 'content.create', data: { from: 'cjs' } });
  try {
    await herald.send('cms', { type: 'content.create' });
  } catch (err) {
    console.log(JSON.stringify({ accepted, refused: err instanceof HeraldError && err.code }));
  }
})();
`,
    });
    const child = startNode('embed.cjs');
    await waitForPath('/cjs.db', 1);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const result = JSON.parse(child.output().trim()) as { accepted: { id: string }; refused: string };
    expect(result.refused).toBe('validation_failed');
    const [request] = deliveredTo('/cjs.db');
    const verified = new Webhook(SECRET).verify(request!.body, request!.headers) as {
      id: string;
      data: unknown;
    };
    expect(verified.id).toBe(result.accepted.id);
    expect(verified.data).toEqual({ from: 'cjs' });
  });

  it('loses nothing that send accepted when the process is killed (-9) right after', async () => {
    // The first process only stores (role api: no worker), then kills itself the moment send resolves.
    writeFiles(project, {
      'crash.mjs': `
import { createHerald } from '@herald/server';
const herald = await createHerald(${heraldOptions('crash.db', ", role: 'api'")});
const { id } = await herald.send('cms', { type: 'content.create', data: { survived: true } });
console.log(id);
process.kill(process.pid, 'SIGKILL');
`,
      'resume.mjs': `
import { createHerald } from '@herald/server';
const herald = await createHerald(${heraldOptions('crash.db')});
process.once('SIGTERM', () => herald.stop());
`,
    });
    const crashed = await runNode(project, ['crash.mjs']);
    expect(crashed.signal).toBe('SIGKILL');
    const id = crashed.stdout.trim();
    expect(id).toMatch(/^evt_/);
    expect(deliveredTo('/crash.db')).toEqual([]);

    const resumed = startNode('resume.mjs');
    try {
      await waitForPath('/crash.db', 1);
    } finally {
      resumed.process.kill('SIGTERM');
    }
    expect(await resumed.exited).toBe(0);
    const [request] = deliveredTo('/crash.db');
    expect(new Webhook(SECRET).verify(request!.body, request!.headers)).toMatchObject({
      id,
      data: { survived: true },
    });
  });

  it('runs the herald CLI from the package, serving the API and the packaged dashboard', async () => {
    const version = await runNode(project, ['node_modules/@herald/server/bin/herald.js', '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const child = spawn(process.execPath, ['node_modules/@herald/server/bin/herald.js', 'start'], {
      cwd: project,
      env: {
        ...process.env,
        HERALD_PORT: '0',
        HERALD_DATABASE_URL: 'sqlite:./cli.db',
        HERALD_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const line = out.split('\n').find((l) => l.includes('Herald started'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.stderr.on('data', (c: Buffer) => {
        out += c.toString('utf8');
      });
      void exited.then((code) => reject(new Error(`herald exited (${code}):\n${out}`)));
    });
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toMatch(/<script[^>]+src="\/assets\//);
      expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  for (const check of TS_CHECKS) {
    it(`type-checks with strict tsc: ${check.name}`, () => {
      writeFiles(project, check.files);
      const result = tsc(project, check.project);
      if (check.expectErrors) {
        expect(result.ok, 'this code must not compile').toBe(false);
        for (const e of check.expectErrors) expect(result.output).toContain(e);
      } else {
        expect(result.output).toBe('');
        expect(result.ok).toBe(true);
      }
    });
  }
});
