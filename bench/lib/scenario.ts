/**
 * The shape every `npm run bench` scenario has. The suite (bench/suite.ts) runs the scenarios one after the
 * other, writes each one's results to bench/results/<name>.json (with the date, Node version and machine),
 * prints its table, and renders its plots (Vega-Lite specs, bench/lib/plot.ts) to bench/results/<file>.svg.
 */
import { TargetKind } from './targets';

export interface ScenarioOutput {
  /** Everything measured, as JSON (no raw sample arrays: they go into plots). */
  results: unknown;
  /** One row per target or configuration, printed with console.table and copied into docs/performance.md. */
  table: Record<string, Record<string, string | number>>;
  /** Plots: file name under bench/results (ending .svg) and the Vega-Lite spec to render. */
  plots?: Array<{ file: string; spec: Record<string, unknown> }>;
}

export interface Scenario {
  /** Short name: BENCH_SCENARIOS selects by it, and it names the results file. */
  name: string;
  /** One line for the suite's listing. */
  title: string;
  /** Runs on the given targets (those the scenario supports; others are skipped by the scenario itself). */
  run(targets: TargetKind[]): Promise<ScenarioOutput>;
}
