/**
 * An empty npm project outside the repository with the packed `@herald/sdk`
 * installed, the way a user meets the package: no workspace, no tsx, no
 * export condition pointing at the sources.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * A plain shell's environment: npx and Vitest add npm_* variables (one names
 * the repository as npm's local prefix) and may add NODE_OPTIONS, none of which
 * a user's project has. The cache location is kept, since the cache is warm.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && name !== 'NODE_OPTIONS') env[name] = value;
  }
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return { ...env, ...extra };
}

export function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }),
    );
  });
}

export interface PackedFile {
  path: string;
  size: number;
}

export interface OutsideProject {
  dir: string;
  /** From `npm pack --json`: bytes of the .tgz and of its contents. */
  packedSize: number;
  unpackedSize: number;
  files: PackedFile[];
  packMs: number;
  installMs: number;
}

/** The README's `<!-- snippet: name -->` code fences, so the compiled code is the documented code. */
export async function readmeSnippets(): Promise<Map<string, string>> {
  const readme = await readFile(README, 'utf8');
  const snippets = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- snippet: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)) {
    snippets.set(match[1] as string, match[2] as string);
  }
  return snippets;
}

/** What each README snippet leaves to the reader (`handle`, `headers`), declared so it compiles alone. */
const SNIPPET_CONTEXT: Record<string, string> = {
  verify: 'declare const headers: Record<string, string | undefined>;\ndeclare const rawBody: Buffer;',
  'node-http': 'declare function handle(event: unknown): void;',
  express:
    "import type { WebhookPayload } from '@herald/sdk';\ndeclare function handle(event: WebhookPayload): void;",
  fastify:
    "import type { WebhookPayload } from '@herald/sdk';\ndeclare function handle(event: WebhookPayload): void;",
  payload: '',
  next: 'declare function handle(event: unknown): Promise<void>;',
};
export const SNIPPET_NAMES = Object.keys(SNIPPET_CONTEXT);

const STRICT = {
  strict: true,
  target: 'es2022',
  // No DOM: a Node receiver's project; fetch types come from @types/node.
  lib: ['es2022'],
  types: ['node'],
  noEmit: true,
  skipLibCheck: false,
  noUncheckedIndexedAccess: true,
};
const NODENEXT = { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext' };
const BUNDLER = { ...STRICT, module: 'esnext', moduleResolution: 'bundler' };

const TSCONFIGS: Record<string, { compilerOptions: object; include: string[] }> = {
  'tsconfig.nodenext.json': { compilerOptions: NODENEXT, include: ['types/*.ts', 'types/*.cts'] },
  'tsconfig.bundler.json': { compilerOptions: BUNDLER, include: ['types/*.ts'] },
  'tsconfig.no-framework.json': { compilerOptions: NODENEXT, include: ['no-framework/*.ts'] },
  'tsconfig.misuse.json': { compilerOptions: NODENEXT, include: ['misuse/*.mts'] },
};

const FIXTURE_PLACES: Record<string, string> = {
  'framework-types.ts': 'types',
  'framework-types.cts': 'types',
  'no-framework.ts': 'no-framework',
  'misuse.mts': 'misuse',
};

async function writeSources(dir: string): Promise<void> {
  for (const place of ['types', 'no-framework', 'misuse']) await mkdir(join(dir, place));
  for (const name of await readdir(FIXTURES)) {
    await copyFile(join(FIXTURES, name), join(dir, FIXTURE_PLACES[name] ?? '.', name));
  }
  for (const [name, code] of await readmeSnippets()) {
    await writeFile(join(dir, 'types', `readme-${name}.ts`), `${code}\n\n${SNIPPET_CONTEXT[name] ?? ''}\n`);
  }
  for (const [name, config] of Object.entries(TSCONFIGS)) {
    await writeFile(join(dir, name), JSON.stringify(config, null, 2));
  }
}

function npm(args: string[], cwd: string): Promise<RunResult> {
  return run('npm', args, cwd).then((result) => {
    if (result.code !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${result.stderr}`);
    return result;
  });
}

export async function createOutsideProject(): Promise<OutsideProject> {
  const root = await mkdtemp(join(tmpdir(), 'herald-sdk-outside-'));
  const packDir = join(root, 'pack');
  const dir = join(root, 'project');
  await mkdir(packDir);
  await mkdir(dir);

  // prepack builds dist/ with tsup first, so this also proves a fresh checkout packs.
  const pack = await npm(['pack', '-w', '@herald/sdk', '--pack-destination', packDir, '--json'], REPO_ROOT);
  const [packed] = JSON.parse(pack.stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: PackedFile[];
  }[];
  if (!packed) throw new Error(`npm pack printed no tarball:\n${pack.stdout}`);

  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'outside', private: true, type: 'module' }),
  );
  const install = await npm(
    [
      'install',
      join(packDir, packed.filename),
      'standardwebhooks',
      'express',
      '@types/express',
      'fastify',
      'typescript@5.9',
      '@types/node@20',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
    ],
    dir,
  );
  await writeSources(dir);
  return {
    dir,
    packedSize: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files,
    packMs: pack.ms,
    installMs: install.ms,
  };
}

/** Strict tsc in the project; the result's stdout holds the diagnostics. */
export function tsc(project: OutsideProject, tsconfig: string, ...flags: string[]): Promise<RunResult> {
  const bin = join(project.dir, 'node_modules', 'typescript', 'bin', 'tsc');
  return run(process.execPath, [bin, '-p', tsconfig, '--pretty', 'false', ...flags], project.dir);
}

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** Starts one of the fixture apps with plain node; it prints `{"port": n}` once listening. */
export function startApp(
  project: OutsideProject,
  file: string,
  env: Record<string, string>,
): Promise<RunningApp> {
  const child = spawn(process.execPath, [file], {
    cwd: project.dir,
    env: userEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill();
    await exited;
  };
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n', 1)[0];
      if (line === undefined || !stdout.includes('\n')) return;
      try {
        const { port } = JSON.parse(line) as { port: number };
        resolve({ url: `http://127.0.0.1:${port}/webhooks`, stop });
      } catch {
        child.kill();
        reject(new Error(`${file} printed ${line} instead of its port:\n${stderr}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening:\n${stderr}`)));
  });
}
