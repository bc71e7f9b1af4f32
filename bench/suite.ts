/**
 * npm run bench: the benchmark suite (docs/performance.md). Runs the scenarios one after the other, each on
 * this server, the bare `ws` floor and, when VAULTWARDEN_BIN points to a build, Vaultwarden (BENCH_TARGETS
 * narrows the targets). For each scenario it writes bench/results/<name>.json, renders its plots to
 * bench/results/*.svg and prints its table as Markdown to bench/results/<name>.md; summary.md collects the
 * latest table of every scenario (so scenarios may be run separately, e.g. the soak on fewer targets).
 *   BENCH_SCENARIOS  comma-separated names (default: every scenario below, in this order)
 * Each scenario's own variables are in its file's header. One scenario failing leaves the others' results.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plotSvg } from './lib/plot';
import { Scenario } from './lib/scenario';
import { selectedTargets } from './lib/targets';
import { attachmentMemoryScenario } from './scenarios/attachment-memory';
import { connectionsScenario } from './scenarios/connections';
import { deliveryScenario } from './scenarios/delivery';
import { fanoutScenario, loginStormScenario } from './scenarios/in-process';
import { orgFanoutScenario } from './scenarios/org-fanout';
import { soakScenario } from './scenarios/soak';
import { syncScenario } from './scenarios/sync';
import { writesScenario } from './scenarios/writes';

const SCENARIOS: Scenario[] = [connectionsScenario, deliveryScenario, syncScenario, writesScenario, loginStormScenario, fanoutScenario, orgFanoutScenario, attachmentMemoryScenario, soakScenario];

/** A table as Markdown, for summary.md and docs/performance.md. */
function markdown(table: Record<string, Record<string, string | number>>): string {
  const columns = [...new Set(Object.values(table).flatMap((row) => Object.keys(row)))];
  const lines = [`| | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---').join('|')}|`];
  for (const [name, row] of Object.entries(table)) lines.push(`| ${name} | ${columns.map((c) => String(row[c] ?? '')).join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const asked = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const scenarios = asked ? SCENARIOS.filter((s) => asked.includes(s.name)) : SCENARIOS;
  const targets = selectedTargets();
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  let failures = 0;
  for (const scenario of scenarios) {
    console.log(`\n=== ${scenario.name}: ${scenario.title}`);
    const started = Date.now();
    try {
      const output = await scenario.run(targets);
      const seconds = Math.round((Date.now() - started) / 1000);
      writeFileSync(join(dir, `${scenario.name}.json`), `${JSON.stringify({ date: new Date().toISOString(), machine, targets, seconds, results: output.results, table: output.table }, null, 2)}\n`);
      for (const plot of output.plots ?? []) await plotSvg(join(dir, plot.file), plot.spec);
      console.table(output.table);
      const section = [
        `## ${scenario.name}: ${scenario.title}`, '',
        `${new Date().toISOString()}, ${seconds} s; ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}; targets: ${targets.join(', ')}.`, '',
        markdown(output.table),
        ...(output.plots ?? []).map((plot) => `\n![${scenario.name}](${plot.file})`),
      ];
      writeFileSync(join(dir, `${scenario.name}.md`), `${section.join('\n')}\n`);
    } catch (error) {
      failures += 1;
      console.error(`${scenario.name} failed:`, error);
    }
  }
  const sections = SCENARIOS.map((s) => join(dir, `${s.name}.md`)).filter((file) => existsSync(file)).map((file) => readFileSync(file, 'utf8'));
  writeFileSync(join(dir, 'summary.md'), `# Latest bench results\n\n${sections.join('\n')}`);
  console.log(`\nwrote ${dir}/summary.md`);
  if (failures > 0) process.exitCode = 1;
}

main().then(() => process.exit(process.exitCode ?? 0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
