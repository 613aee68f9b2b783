/**
 * The server package as a user gets it: built from the sources into a staged
 * copy of the package folder (so the dist/ that other tests run is never
 * rewritten under them), packed with `npm pack`, and installed with npm into
 * an empty project outside the repository, next to whatever else that
 * project needs from the registry.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const REPO_DIR = join(SERVER_DIR, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface PackedPackage {
  tarball: string;
  /** Bytes of the .tgz, and of its files unpacked. */
  size: number;
  unpackedSize: number;
  files: string[];
}

/** Builds and packs @herald/server; the tarball lands in `dest`. */
export function packServer(dest: string): PackedPackage {
  const stage = mkdtempSync(join(tmpdir(), 'herald-server-stage-'));
  for (const entry of ['package.json', 'bin', 'README.md', 'LICENSE']) {
    cpSync(join(SERVER_DIR, entry), join(stage, entry), { recursive: true });
  }
  const tsup = join(REPO_DIR, 'node_modules', 'tsup', 'dist', 'cli-default.js');
  execFileSync(process.execPath, [tsup, '--out-dir', join(stage, 'dist')], {
    cwd: SERVER_DIR,
    stdio: 'pipe',
  });
  execFileSync(
    process.execPath,
    [join(SERVER_DIR, 'scripts', 'copy-assets.mjs'), '--dashboard', '--out', stage],
    {
      stdio: 'pipe',
    },
  );
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], {
    cwd: stage,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(out) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  if (!info) throw new Error(`npm pack printed no package: ${out}`);
  return {
    tarball: join(dest, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files.map((f) => f.path),
  };
}

/** An empty project (`type: module`) with `packages` installed from the registry or from tarballs. */
/**
 * An empty project with `packages` installed from the registry (and the
 * packed tarball), as a user's `npm install` would. One step is shortened:
 * better-sqlite3's install script compiles its native addon (over a minute
 * on a 2-core machine, no prebuilt binary is reachable here), so scripts are
 * skipped and the addon the workspace compiled for the same version and the
 * same Node is copied in; another version is rebuilt in the project.
 */
export function installProject(packages: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-user-project-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'herald-user-project', private: true, type: 'module' }, null, 2),
  );
  const npm = (args: string[]) =>
    execFileSync(NPM, args, {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
  npm([
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=error',
    '--ignore-scripts',
    ...packages,
  ]);
  const installed = join(dir, 'node_modules', 'better-sqlite3');
  if (existsSync(installed)) {
    const built = join(REPO_DIR, 'node_modules', 'better-sqlite3');
    const version = (d: string) =>
      (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { version: string }).version;
    const addon = join(built, 'build', 'Release', 'better_sqlite3.node');
    if (existsSync(addon) && version(built) === version(installed)) {
      mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
      cpSync(addon, join(installed, 'build', 'Release', 'better_sqlite3.node'));
    } else {
      npm(['rebuild', 'better-sqlite3', '--loglevel=error']);
    }
  }
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs plain `node <file>` in the project (no loader, no flags), with a time limit. */
export function runNode(dir: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} ran longer than ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the project's own TypeScript compiler on a tsconfig; returns its output (empty when clean). */
export function tsc(dir: string, project: string): { ok: boolean; output: string } {
  try {
    execFileSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { ok: true, output: '' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The first ``` fence of `lang` after `heading` in a Markdown file of the repository. */
export function readmeSnippet(file: string, heading: string, lang: string): string {
  const text = readFileSync(join(REPO_DIR, file), 'utf8');
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`${file} has no heading '${heading}'`);
  const fence = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(text.slice(at));
  if (!fence?.[1]) throw new Error(`${file} has no \`\`\`${lang} block after '${heading}'`);
  return fence[1];
}
