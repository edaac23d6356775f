/**
 * Every number-to-text rule of bidgym's outputs, in one place: CSV cells
 * (`episodes.csv`, `samples.csv`), the terminal tables (`run`, `sweep`) and the
 * HTML report. Files depend on {@link num} byte for byte; change it and every
 * run folder changes.
 */

/** A number for CSV: integers as they are, others with up to 9 significant digits. */
export function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(9)));
}

/** A number for the terminal tables: 1 decimal from 100, 3 from 1, else 4; "–" when not finite. */
export function fixed(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(3) : x.toFixed(4);
}

/** A statistic for the terminal tables: `mean ± half-width of the 95% CI`. */
export function meanCi(s: { mean: number; ci95: readonly [number, number] }): string {
  return `${fixed(s.mean)} ± ${fixed((s.ci95[1] - s.ci95[0]) / 2)}`;
}

/** A p-value for the terminal tables: "<0.001" or 3 decimals. */
export function fixedP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** A number for the HTML report: 4 significant digits (exponent form outside [1e-3, 1e5)), "–" when not finite. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** A p-value for the HTML report: "< 0.001" or 3 decimals, "–" when not finite. */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
