/**
 * `@herald/sdk` from outside the repository: packed with `npm pack`,
 * installed into an empty project, then loaded by plain `node` (require and
 * import), compiled by strict `tsc`, and run as real Express 5 and Fastify 5
 * receivers of requests signed by the independent `standardwebhooks` package.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutsideProject,
  type OutsideProject,
  type RunResult,
  readmeSnippets,
  run,
  SNIPPET_NAMES,
  startApp,
  tsc,
} from './package/outside-project.ts';

let project: OutsideProject;
// Started together as soon as the project exists: each takes seconds, and they are independent.
let checks: Record<'nodenext' | 'bundler' | 'noFramework' | 'misuse', Promise<RunResult>>;

beforeAll(async () => {
  const started = performance.now();
  project = await createOutsideProject();
  checks = {
    nodenext: tsc(project, 'tsconfig.nodenext.json'),
    bundler: tsc(project, 'tsconfig.bundler.json'),
    noFramework: tsc(project, 'tsconfig.no-framework.json', '--listFiles'),
    misuse: tsc(project, 'tsconfig.misuse.json'),
  };
  console.log(
    `@herald/sdk tarball: ${project.packedSize} B packed, ${project.unpackedSize} B unpacked; ` +
      `npm pack ${project.packMs} ms, npm install ${project.installMs} ms, ` +
      `set-up ${Math.round(performance.now() - started)} ms`,
  );
}, 300_000);

afterAll(async () => {
  if (project) await rm(dirname(project.dir), { recursive: true, force: true });
});

function diagnostics(result: RunResult): string[] {
  return result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
}

describe('the packed tarball', () => {
  it('holds compiled JavaScript and declarations only', () => {
    const paths = project.files.map((file) => file.path).sort();
    const shipped = /^(package\.json|README\.md|LICENSE|dist\/[\w-]+\.(js|cjs|d\.ts|d\.cts))$/;
    expect(paths.filter((path) => !shipped.test(path))).toEqual([]);
    for (const entry of ['index', 'express', 'fastify']) {
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(paths).toContain(`dist/${entry}.${ext}`);
    }
    // Catches sources, tests or maps slipping in.
    expect(project.unpackedSize).toBeLessThan(200_000);
  });

  it('installs with no runtime dependencies', async () => {
    const installed = JSON.parse(
      await readFile(join(project.dir, 'node_modules', '@herald', 'sdk', 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(installed.dependencies).toBeUndefined();
    expect(installed.peerDependencies).toBeUndefined();
    // Nor does the code load anything but Node's builtins and its own files.
    const dist = join(project.dir, 'node_modules', '@herald', 'sdk', 'dist');
    const loaded = new Set<string>();
    for (const file of (await readdir(dist)).filter((name) => /\.c?js$/.test(name))) {
      const code = await readFile(join(dist, file), 'utf8');
      for (const match of code.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g))
        loaded.add(match[1] as string);
    }
    expect([...loaded].filter((specifier) => !/^(node:|\.\/)/.test(specifier))).toEqual([]);
    expect(loaded).toContain('node:crypto');
  });
});

describe('plain node', () => {
  it.each(['require.cjs', 'import.mjs'])(
    '%s signs and verifies interchangeably with standardwebhooks',
    async (file) => {
      const result = await run(process.execPath, [file], project.dir);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        verifiedByThem: { type: 'user.created', data: { name: 'Zoë' } },
        verifiedByUs: true,
        tampered: { code: 'no_matching_signature', isSdkError: true },
        sameCode: true,
      });
    },
  );
});

describe('strict tsc in the receiver project (no skipLibCheck)', () => {
  it('finds every README snippet it compiles', async () => {
    expect([...(await readmeSnippets()).keys()].sort()).toEqual([...SNIPPET_NAMES].sort());
  });

  it.each(['nodenext', 'bundler'] as const)(
    'compiles the README snippets and framework checks: %s',
    async (kind) => {
      const result = await checks[kind];
      expect(diagnostics(result)).toEqual([]);
      expect(result.code).toBe(0);
    },
  );

  it('fails on a handler that misuses the typed payload', async () => {
    const result = await checks.misuse;
    const source = await readFile(join(project.dir, 'misuse', 'misuse.mts'), 'utf8');
    const misuseLines = source
      .split('\n')
      .flatMap((line, index) => (line.includes('// MISUSE') ? [index + 1] : []));
    const errors = diagnostics(result).map((line) => {
      const match = /^misuse\/misuse\.mts\((\d+),\d+\): error (TS\d+)/.exec(line);
      return match ? { line: Number(match[1]), code: match[2] } : { line: -1, code: line };
    });
    // Exactly the marked lines, for the expected reasons: not a missing module or a broken declaration.
    expect(errors.map((error) => error.line)).toEqual(misuseLines);
    expect(errors.map((error) => error.code)).toEqual(['TS2322', 'TS2551', 'TS2322', 'TS2322']);
    expect(result.code).not.toBe(0);
  });

  it('compiles every entry with no framework types in the program', async () => {
    const result = await checks.noFramework;
    expect(diagnostics(result)).toEqual([]);
    expect(result.code).toBe(0);
    const files = result.stdout.split('\n');
    for (const entry of ['index', 'express', 'fastify']) {
      expect(files.some((file) => file.endsWith(`/node_modules/@herald/sdk/dist/${entry}.d.ts`))).toBe(true);
    }
    expect(files.filter((file) => /\/node_modules\/(express|fastify|@types\/express)/.test(file))).toEqual(
      [],
    );
  });
});

describe('real receivers', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const event = { id: 'evt_1', type: 'user.created', data: { name: 'Zoë', n: 1.5 } };

  async function post(url: string, body: string, signedBody = body) {
    const id = 'msg_real_1';
    const now = new Date();
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, now, signedBody),
      },
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it.each(['express-app.cjs', 'fastify-app.mjs'])(
    '%s answers with the verified payload, 401 when tampered',
    async (file) => {
      const app = await startApp(project, file, { WEBHOOK_SECRET: secret });
      try {
        const body = JSON.stringify(event);
        expect(await post(app.url, body)).toEqual({ status: 200, json: { webhook: event } });
        const tampered = await post(app.url, body.replace('Zoë', 'Eve'), body);
        expect(tampered.status).toBe(401);
        expect(tampered.json.code).toBe('no_matching_signature');
      } finally {
        await app.stop();
      }
    },
  );
});
