/** Percentiles of a sample (nearest rank), in the unit of the sample. */
export interface Distribution { count: number; p50: number; p90: number; p99: number; max: number; mean: number }

export function distribution(samples: number[]): Distribution {
  if (samples.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (v: number): number => Math.round(v * 10) / 10;
  return {
    count: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}
