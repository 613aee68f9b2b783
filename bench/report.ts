/** Judging a scenario's results against the issue's targets, and writing them as JSON and Markdown. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ContenderName, RunResult } from './contenders/measure.ts';

export interface Target {
  name: string;
  /** The measured value over the threshold (≥ targets) or threshold over value (< targets): ≥ 1 means met. */
  ratio: number | null;
  met: boolean | null;
  detail: string;
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGb: number;
  node: string;
  platform: string;
  date: string;
  loadAverage1m: number;
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  events: number;
  /** Offered load of a rate-driven scenario, events/s (null: as fast as taken). */
  offeredRatePerSec: number | null;
  machine: Machine;
  /** Contenders not run, with why (e.g. no Redis). */
  skipped: string[];
  results: RunResult[];
  ratios: Record<string, number | null>;
  targets: Target[];
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function pick(results: RunResult[], contender: ContenderName, variant?: string): RunResult | undefined {
  return results.find((r) => r.contender === contender && (variant === undefined || r.variant === variant));
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || b === 0 ? null : round2(a / b);
}

/** herald/ceiling and herald/baseline end-to-end, per variant. */
export function ratios(results: RunResult[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const herald of results.filter((r) => r.contender.startsWith('herald'))) {
    const suffix = herald.variant === 'main' ? '' : ` (${herald.variant})`;
    for (const other of ['ceiling', 'baseline'] as const) {
      out[`${herald.contender}/${other}${suffix}`] = ratio(
        herald.endToEndPerSec,
        pick(results, other, herald.variant)?.endToEndPerSec,
      );
    }
  }
  return out;
}

function atLeast(name: string, value: number | null, threshold: number, detail: string): Target {
  if (value === null) return { name, ratio: null, met: null, detail: `${detail}: not measured` };
  return {
    name,
    ratio: round2(value / threshold),
    met: value >= threshold,
    detail: `${detail} = ${round2(value)}`,
  };
}

function below(name: string, value: number | null, limit: number, detail: string): Target {
  if (value === null) return { name, ratio: null, met: null, detail: `${detail}: not measured` };
  return {
    name,
    ratio: round2(limit / Math.max(value, 0.001)),
    met: value < limit,
    detail: `${detail} = ${round2(value)}`,
  };
}

/**
 * The issue's targets for Herald (SQLite) in this scenario. `firehoseRate` is
 * Herald's firehose end-to-end rate (this run's, or the last recorded one).
 */
export function judge(scenario: string, results: RunResult[], firehoseRate: number | null): Target[] {
  const herald = pick(results, 'herald', scenario === 'bad-neighbour' ? 'with-bad' : undefined);
  const incomplete = herald && !herald.complete ? ' (run incomplete)' : '';
  switch (scenario) {
    case 'firehose': {
      const baseline = pick(results, 'baseline');
      const ceiling = pick(results, 'ceiling');
      return [
        atLeast(
          'firehose ≥ 1.5 × baseline',
          ratio(herald?.endToEndPerSec, baseline?.endToEndPerSec),
          1.5,
          `herald/baseline${incomplete}`,
        ),
        atLeast(
          'firehose ≥ 0.4 × ceiling',
          ratio(herald?.endToEndPerSec, ceiling?.endToEndPerSec),
          0.4,
          `herald/ceiling${incomplete}`,
        ),
      ];
    }
    case 'steady':
      return [below('steady p99 < 50 ms', herald?.latency?.p99 ?? null, 50, `herald p99 ms${incomplete}`)];
    case 'bad-neighbour': {
      const clean = pick(results, 'herald', 'clean');
      return [
        atLeast(
          'healthy ≥ 0.9 × clean run',
          ratio(herald?.endToEndPerSec, clean?.endToEndPerSec),
          0.9,
          `with-bad/clean${incomplete}`,
        ),
      ];
    }
    case 'backlog':
      return [
        below('peak RSS < 250 MB', herald?.peakRssMb ?? null, 250, `herald peak RSS MB${incomplete}`),
        atLeast(
          'drain ≥ firehose rate',
          ratio(herald?.drainPerSec, firehoseRate ?? undefined),
          1,
          `drain/firehose${incomplete}`,
        ),
      ];
    case 'transform': {
      const plain = pick(results, 'herald', 'plain');
      const transformed = pick(results, 'herald', 'transformed');
      return [
        atLeast(
          'transformed ≥ 0.5 × plain',
          ratio(transformed?.endToEndPerSec, plain?.endToEndPerSec),
          0.5,
          `transformed/plain${incomplete}`,
        ),
      ];
    }
    case 'broker': {
      const http = pick(results, 'herald', 'http');
      return ['rabbitmq', 'redis', 'nats', 'mqtt'].map((kind) =>
        atLeast(
          `${kind} ≥ 0.5 × HTTP`,
          ratio(pick(results, 'herald', kind)?.endToEndPerSec, http?.endToEndPerSec),
          0.5,
          `${kind}/http${incomplete}`,
        ),
      );
    }
    case 'scale': {
      const sqlite = pick(results, 'herald', '1-process');
      const pgOne = pick(results, 'herald-pg', '1-process');
      const pgWorkers = pick(results, 'herald-pg', 'api+2-workers');
      return [
        atLeast(
          'PostgreSQL 1 process ≥ 0.6 × SQLite',
          ratio(pgOne?.endToEndPerSec, sqlite?.endToEndPerSec),
          0.6,
          `pg/sqlite${incomplete}`,
        ),
        atLeast(
          'API + 2 workers ≥ 1.0 × PostgreSQL 1 process',
          ratio(pgWorkers?.endToEndPerSec, pgOne?.endToEndPerSec),
          1.0,
          `workers/one${incomplete}`,
        ),
      ];
    }
    case 'fanout':
      return [
        atLeast(
          'fanout ≥ 0.8 × firehose rate',
          ratio(herald?.endToEndPerSec, firehoseRate ?? undefined),
          0.8,
          `fanout/firehose${incomplete}`,
        ),
      ];
    default:
      return [];
  }
}

/** Herald's firehose end-to-end rate from the last recorded firehose report, if any. */
export function recordedFirehoseRate(dir: string): number | null {
  const file = join(dir, 'firehose.json');
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8')) as ScenarioReport;
  return pick(report.results, 'herald')?.endToEndPerSec ?? null;
}

const fmt = (n: number | null | undefined) =>
  n === null || n === undefined ? '–' : n.toLocaleString('en-US');

export function toMarkdown(report: ScenarioReport): string {
  const m = report.machine;
  const lines = [
    `### ${report.scenario} (${report.events.toLocaleString('en-US')} events${report.offeredRatePerSec ? ` at ${report.offeredRatePerSec.toLocaleString('en-US')}/s` : ''})`,
    '',
    report.description,
    '',
    `Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; ${m.date}; load average at start ${m.loadAverage1m}.`,
    '',
    '| contender | variant | complete | delivered | end-to-end /s | ingest /s | drain /s | p50 ms | p95 ms | p99 ms | peak RSS MB (process) | RSS MB drain start → end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.results) {
    lines.push(
      `| ${r.contender} | ${r.variant} | ${r.complete ? 'yes' : 'NO'} | ${fmt(r.deliveredOk)}/${fmt(r.expectedOk)} | ${fmt(r.endToEndPerSec)} | ${fmt(r.ingestPerSec)} | ${fmt(r.drainPerSec)} | ${fmt(r.latency?.p50)} | ${fmt(r.latency?.p95)} | ${fmt(r.latency?.p99)} | ${fmt(r.peakRssMb)} (${r.memoryOf}) | ${fmt(r.rssAtDrainStartMb)} → ${fmt(r.rssAtEndMb)} |`,
    );
  }
  for (const line of report.skipped) lines.push('', `Skipped: ${line}`);
  const ratioEntries = Object.entries(report.ratios);
  if (ratioEntries.length > 0) {
    lines.push('', `Ratios (end-to-end): ${ratioEntries.map(([k, v]) => `${k} = ${v ?? '–'}`).join('; ')}.`);
  }
  if (report.targets.length > 0) {
    lines.push('', '| target | result | ratio to target | measured |', '|---|---|---|---|');
    for (const t of report.targets) {
      lines.push(
        `| ${t.name} | ${t.met === null ? 'not measured' : t.met ? 'met' : 'NOT MET'} | ${t.ratio ?? '–'} | ${t.detail} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function writeReport(dir: string, report: ScenarioReport): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${report.scenario}.json`);
  const markdown = join(dir, `${report.scenario}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown(report));
  return { json, markdown };
}
