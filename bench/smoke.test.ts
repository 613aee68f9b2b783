/**
 * A small run of the harness (a few hundred events) so it cannot rot: every
 * contender delivers everything and the JSON and Markdown reports hold sane
 * figures. No timing assertions: the numbers themselves are not judged.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioReport } from './report.ts';
import { runBench } from './run.ts';

const out = mkdtempSync(join(tmpdir(), 'herald-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench harness (smoke)', () => {
  it('runs firehose and steady against every contender and writes JSON and Markdown reports', async () => {
    const lines: string[] = [];
    const { reports, files } = await runBench({
      scenarios: ['firehose', 'steady'],
      events: 300,
      contenders: ['ceiling', 'baseline', 'herald'],
      out,
      profile: false,
      log: (l) => lines.push(l),
    });

    expect(reports.map((r) => r.scenario)).toEqual(['firehose', 'steady']);
    for (const name of ['firehose', 'steady']) {
      expect(files).toContain(join(out, `${name}.json`));
      expect(existsSync(join(out, `${name}.md`))).toBe(true);
      const report = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as ScenarioReport;
      expect(report.events).toBe(300);
      expect(report.machine.cores).toBeGreaterThan(0);
      expect(report.machine.node).toBe(process.version);

      // The baseline runs when Redis is there, and is named as skipped when it is not.
      const contenders = report.results.map((r) => r.contender);
      const withBaseline = contenders.includes('baseline');
      expect(contenders).toEqual(withBaseline ? ['ceiling', 'baseline', 'herald'] : ['ceiling', 'herald']);
      if (!withBaseline) expect(report.skipped.join(' ')).toMatch(/Redis/);

      for (const r of report.results) {
        expect(r.complete).toBe(true);
        expect(r.deliveredOk).toBe(300);
        expect(r.expectedOk).toBe(300);
        expect(r.endToEndPerSec).toBeGreaterThan(0);
        expect(r.ingestPerSec).toBeGreaterThan(0);
        expect(r.latency?.count).toBe(300);
        expect(r.latency!.p50).toBeLessThanOrEqual(r.latency!.p99);
        expect(r.peakRssMb).toBeGreaterThan(0);
      }
      expect(report.ratios['herald/ceiling']).toBeGreaterThan(0);
      expect(report.targets.length).toBeGreaterThan(0);
      for (const t of report.targets) expect(typeof t.met).toBe('boolean');

      const markdown = readFileSync(join(out, `${name}.md`), 'utf8');
      expect(markdown).toContain(`### ${name} (300 events`);
      expect(markdown).toMatch(/\| herald \| main \| yes \| 300\/300 \|/);
      expect(markdown).toContain('| target | result |');
    }
    expect(lines.some((l) => l.includes('target firehose ≥ 0.4 × ceiling'))).toBe(true);
  }, 180_000);
});
