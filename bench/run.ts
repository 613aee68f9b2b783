/**
 * `npm run bench [-- --scenario NAME|all] [--events N] [--rate N] [--contenders ceiling,baseline,herald]
 *  [--out DIR] [--profile]`: runs each scenario against every contender, one
 * after the other, with the same receiver, payload and signing, and writes
 * `<out>/<scenario>.json` and `.md` (default out: bench/results).
 * With HERALD_BENCH_PG=postgres://… and a PostgreSQL adapter present, Herald
 * also runs on PostgreSQL (in a fresh schema, dropped afterwards).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mainThreadProfile, postgresAdapterExists, runHerald } from './contenders/herald.ts';
import { type ContenderName, type RawRun, type RunResult, summarize } from './contenders/measure.ts';
import { redisReachable, runBaseline, runCeiling } from './contenders/others.ts';
import { topFunctions } from './lib/cpu-profile.ts';
import { startReceiver } from './lib/receiver-handle.ts';
import { endpointPath } from './lib/workload.ts';
import {
  describeMachine,
  judge,
  ratios,
  recordedFirehoseRate,
  type ScenarioReport,
  writeReport,
} from './report.ts';
import { findScenario, SCENARIOS, type Scenario } from './scenarios.ts';

export const DEFAULT_OUT = fileURLToPath(new URL('./results', import.meta.url));

const USAGE = `npm run bench -- [options]

  --scenario NAME[,NAME]|all   which scenarios (default all): ${SCENARIOS.map((s) => s.name).join(', ')}
  --events N                   events per scenario instead of its default size
  --rate N                     offered events/s for rate-driven scenarios (steady)
  --contenders a,b             from ceiling, baseline, herald, herald-pg (default all that can run)
  --out DIR                    where <scenario>.json and .md go (default bench/results)
  --profile                    CPU-profile each Herald process and print its top functions

HERALD_BENCH_PG=postgres://… also runs Herald on PostgreSQL (herald-pg).

Scenarios:
${SCENARIOS.map((s) => `  ${s.name}: ${s.description}`).join('\n')}`;
const ALL_CONTENDERS: ContenderName[] = ['ceiling', 'baseline', 'herald', 'herald-pg'];

export interface BenchOptions {
  scenarios: string[];
  /** Overrides each scenario's default size. */
  events?: number;
  /** Overrides the offered rate of rate-driven scenarios (steady), events/s. */
  rate?: number;
  contenders: ContenderName[];
  out: string;
  /** Write a CPU profile of each Herald process (under the OS temp dir) and print its top functions. */
  profile: boolean;
  log: (line: string) => void;
}

export interface BenchOutput {
  reports: ScenarioReport[];
  files: string[];
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'all' },
      events: { type: 'string' },
      rate: { type: 'string' },
      contenders: { type: 'string' },
      out: { type: 'string', default: DEFAULT_OUT },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scenarios = values.scenario === 'all' ? SCENARIOS.map((s) => s.name) : values.scenario.split(',');
  for (const name of scenarios) {
    if (!findScenario(name))
      throw new Error(
        `unknown scenario "${name}"; choose one of: all, ${SCENARIOS.map((s) => s.name).join(', ')}`,
      );
  }
  const contenders = (values.contenders?.split(',') ?? ALL_CONTENDERS) as ContenderName[];
  for (const c of contenders) {
    if (!ALL_CONTENDERS.includes(c))
      throw new Error(`unknown contender "${c}"; choose from ${ALL_CONTENDERS.join(', ')}`);
  }
  const events = values.events === undefined ? undefined : Number(values.events);
  if (events !== undefined && !(Number.isInteger(events) && events > 0))
    throw new Error(`--events must be a positive integer (got "${values.events}")`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isInteger(rate) && rate > 0))
    throw new Error(`--rate must be a positive integer of events per second (got "${values.rate}")`);
  return {
    scenarios,
    contenders,
    out: values.out,
    profile: values.profile,
    log: (l) => console.log(l),
    ...(events !== undefined ? { events } : {}),
    ...(rate !== undefined ? { rate } : {}),
  };
}

function line(r: RunResult): string {
  const lat = r.latency ? `p50/p95/p99 ${r.latency.p50}/${r.latency.p95}/${r.latency.p99} ms` : 'no latency';
  return (
    `  ${r.contender.padEnd(9)} ${r.variant.padEnd(8)} ${r.complete ? '' : '(INCOMPLETE) '}` +
    `e2e ${r.endToEndPerSec}/s, ingest ${r.ingestPerSec}/s, drain ${r.drainPerSec}/s, ${lat}, ` +
    `peak RSS ${r.peakRssMb ?? '–'} MB (${r.memoryOf})` +
    (r.lockWaits
      ? `, lock waits in ${Math.round(r.lockWaits.waitingShare * 100)} % of samples (mean ${r.lockWaits.meanWaiting}, max ${r.lockWaits.maxWaiting})` +
        r.lockWaits.waitingOn
          .map((w) => `\n      waiting ${w.samples}× on ${w.lock}: ${w.statement}`)
          .join('')
      : '')
  );
}

async function runScenario(
  scenario: Scenario,
  opts: BenchOptions,
  firehoseRate: number | null,
  redis: boolean,
): Promise<ScenarioReport> {
  const events = opts.events ?? scenario.defaultEvents;
  const skipped: string[] = [];
  const contenders = opts.contenders.filter((c) => {
    if (scenario.contenders && !scenario.contenders.includes(c)) return false;
    if (c === 'baseline' && !redis) {
      skipped.push('baseline (BullMQ): no Redis answered on 127.0.0.1:6379; start one to include it.');
      return false;
    }
    if (c === 'herald-pg' && !(process.env.HERALD_BENCH_PG && postgresAdapterExists())) {
      if (process.env.HERALD_BENCH_PG)
        skipped.push('herald-pg: HERALD_BENCH_PG is set but no PostgreSQL adapter exists yet.');
      return false;
    }
    return true;
  });
  for (const s of skipped) opts.log(`  skipped ${s}`);
  const machine = describeMachine();
  const results: RunResult[] = [];
  let offeredRatePerSec: number | null = null;
  for (const variant of scenario.variants(events)) {
    const workload =
      opts.rate !== undefined && variant.workload.ratePerSec !== null
        ? { ...variant.workload, ratePerSec: opts.rate }
        : variant.workload;
    offeredRatePerSec = workload.ratePerSec;
    const receiver = await startReceiver(
      Array.from({ length: scenario.origins(workload) }, () => 0),
      workload.destination ? { BENCH_BROKER: workload.destination } : {},
    );
    const targets = workload.endpoints.map(
      (kind, i) => `${receiver.origins[i % receiver.origins.length]}${endpointPath(kind, i)}`,
    );
    try {
      for (const contender of contenders) {
        // Several processes share a database only on PostgreSQL.
        if (workload.workers && contender !== 'herald-pg') continue;
        await receiver.reset();
        let raw: RawRun;
        if (contender === 'ceiling') raw = await runCeiling(variant.name, workload, targets, receiver);
        else if (contender === 'baseline') raw = await runBaseline(variant.name, workload, targets, receiver);
        else {
          const cpuProfDir = opts.profile
            ? join(tmpdir(), 'herald-bench-profiles', `${scenario.name}-${variant.name}-${Date.now()}`)
            : undefined;
          if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
          const database = contender === 'herald-pg' ? process.env.HERALD_BENCH_PG! : 'sqlite';
          raw = await runHerald(contender, variant.name, workload, targets, receiver, {
            database,
            ...(cpuProfDir ? { cpuProfDir } : {}),
          });
          const profile = cpuProfDir ? mainThreadProfile(cpuProfDir) : undefined;
          if (profile) {
            raw.cpuProfile = profile;
            opts.log(`  CPU profile of ${contender}: ${profile}; top functions by self time:`);
            for (const f of topFunctions(profile, 15))
              opts.log(`    ${String(f.selfPercent).padStart(5)}%  ${f.name}  ${f.where}`);
          }
        }
        const result = summarize(raw);
        results.push(result);
        opts.log(line(result));
      }
    } finally {
      await receiver.stop();
    }
  }
  const heraldFirehose = results.find((r) => r.contender === 'herald' && scenario.name === 'firehose');
  return {
    scenario: scenario.name,
    description: scenario.description,
    events,
    offeredRatePerSec,
    machine,
    skipped,
    results,
    ratios: ratios(results),
    targets: judge(scenario.name, results, heraldFirehose?.endToEndPerSec ?? firehoseRate),
  };
}

/**
 * Herald is measured as it runs in production: from its compiled bundle,
 * rebuilt first when any source is newer (other test files may be running
 * that bundle, so it is not rewritten needlessly).
 */
function buildHerald(): void {
  const bundle = fileURLToPath(new URL('../packages/server/dist/herald.mjs', import.meta.url));
  const sources = ['../packages/server/src/', '../packages/sdk/src/'].map((d) =>
    fileURLToPath(new URL(d, import.meta.url)),
  );
  if (existsSync(bundle) && sources.every((dir) => newestFile(dir) <= statSync(bundle).mtimeMs)) return;
  execFileSync('npm', ['run', 'build', '-w', '@herald/server'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
}

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestFile(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export async function runBench(opts: BenchOptions): Promise<BenchOutput> {
  if (opts.contenders.some((c) => c.startsWith('herald'))) buildHerald();
  const redis = opts.contenders.includes('baseline') ? await redisReachable() : false;
  const reports: ScenarioReport[] = [];
  const files: string[] = [];
  let firehoseRate = recordedFirehoseRate(opts.out);
  for (const name of opts.scenarios) {
    const scenario = findScenario(name)!;
    opts.log(`${scenario.name}: ${scenario.description}`);
    const report = await runScenario(scenario, opts, firehoseRate, redis);
    if (name === 'firehose')
      firehoseRate = report.results.find((r) => r.contender === 'herald')?.endToEndPerSec ?? null;
    for (const t of report.targets)
      opts.log(
        `  target ${t.name}: ${t.met === null ? 'not measured' : t.met ? 'met' : 'NOT MET'} (ratio ${t.ratio ?? '–'}; ${t.detail})`,
      );
    const written = writeReport(opts.out, report);
    files.push(written.json, written.markdown);
    reports.push(report);
  }
  return { reports, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { files } = await runBench(parseOptions(process.argv.slice(2)));
    console.log(`results: ${files.join(', ')}`);
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
