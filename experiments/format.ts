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

/** Significant digits of the terminal tables. */
const SIGNIFICANT = 4;

/** Values this close to zero are floating-point noise and shown as 0. */
const NOISE = 1e-9;

/** Decimals that show `x` with {@link SIGNIFICANT} significant digits (0 for large numbers, at most 9). */
function decimalsFor(x: number): number {
  const a = Math.abs(x);
  if (a < NOISE || !Number.isFinite(a)) return 0;
  return Math.min(9, Math.max(0, SIGNIFICANT - 1 - Math.floor(Math.log10(a))));
}

/** A number for the terminal tables: 4 significant digits in fixed notation, 0 within 1e-9 of zero, "–" when not finite. */
export function fixed(x: number, decimals = decimalsFor(x)): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) < NOISE) return '0';
  const t = x.toFixed(decimals);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

/**
 * A statistic for the terminal tables: `mean ± half-width of the 95% CI`, both
 * with the decimals of the mean (4 significant digits); just the mean when there
 * is one replication (no interval to show).
 */
export function meanCi(s: { mean: number; ci95: readonly [number, number]; values?: readonly number[] }): string {
  const half = (s.ci95[1] - s.ci95[0]) / 2;
  if (s.values?.length === 1 || !Number.isFinite(half)) return fixed(s.mean);
  const d = Math.abs(s.mean) >= NOISE ? decimalsFor(s.mean) : decimalsFor(half);
  return `${fixed(s.mean, d)} ± ${Math.abs(half) < NOISE ? '0' : fixed(half, d)}`;
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

/**
 * A terminal table: the header, a rule of ─, then the rows; columns two spaces
 * apart, the first `leftColumns` padded on the right (names), the others on the
 * left (numbers). Returns its lines.
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((x, i) => (i < leftColumns ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}
