/**
 * Plots for docs/performance.md, drawn by the bench itself with Vega-Lite (SVG, no browser). Vega is ESM with
 * top-level await, which `require` cannot load: it is imported dynamically at run time.
 */
import { writeFileSync } from 'node:fs';

interface VegaModule {
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string> };
  parse(spec: unknown): unknown;
}
interface VegaLiteModule { compile(spec: unknown): { spec: unknown } }

// A real import() in the CommonJS output (tsc would turn `import()` into require()).
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Renders a Vega-Lite spec to an SVG file. */
export async function plotSvg(file: string, spec: Record<string, unknown>): Promise<void> {
  const vega = (await importEsm('vega')) as VegaModule;
  const vegaLite = (await importEsm('vega-lite')) as VegaLiteModule;
  const view = new vega.View(vega.parse(vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec }).spec), { renderer: 'none' });
  writeFileSync(file, await view.toSVG());
}

/** Latency distributions (empirical CDF on a log axis), one line per series. */
export function latencyCdfSpec(title: string, series: Record<string, number[]>): Record<string, unknown> {
  const values: Array<{ series: string; ms: number; share: number }> = [];
  for (const [name, samples] of Object.entries(series)) {
    const sorted = [...samples].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(sorted.length / 400));
    for (let i = 0; i < sorted.length; i += step) values.push({ series: name, ms: Math.max(0.1, sorted[i]!), share: (i + 1) / sorted.length });
    if (sorted.length > 0) values.push({ series: name, ms: Math.max(0.1, sorted[sorted.length - 1]!), share: 1 });
  }
  return {
    title, width: 560, height: 300, data: { values }, mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds (log scale)' },
      y: { field: 'share', type: 'quantitative', title: 'share of deliveries at or below', axis: { format: '%' } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}
