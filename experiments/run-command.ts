/**
 * `bidgym run` without yargs: the command's handler, the summary table and the
 * common tail of `run` and `evaluate` (compute into the run folder's staging
 * copy, write the report, move the folder into place, print). experiments/cli.ts
 * calls it from its yargs command; the bin's fast path (run-fast.ts) calls it
 * for the plain forms of `run` without loading yargs or the other commands.
 */
import { join, resolve } from 'node:path';
import { configHash, loadConfigFrom, readRawConfig, type ResolvedConfig } from './config.js';
import { DiskWriteError, diskWriteError, RunFolder, runFolderDiskError } from './out-dir.js';
import { preflightRun } from './preflight.js';
import type { Summary } from './runner.js';
import { meanCi, textTable } from './format.js';
import { isAutoBidConfig } from './autobid-config.js';
import { UsageError } from './usage-error.js';

export { UsageError };

const runner = () => import('./runner.js');
const progressBar = () => import('./progress.js');
const report = () => import('./report.js');

/** Formats a summary as a terminal table. */
export function summaryTable(s: Summary): string {
  const ci = meanCi;
  const lines: string[] = [];
  lines.push(`${s.name} (config ${s.configHash}, seed ${s.seed}, ${s.replications} replication${s.replications > 1 ? 's' : ''})`);
  lines.push(`figures: ${s.replications > 1 ? 'mean ± 95% CI over replications' : 'one replication, no CI'}, on the evaluation episodes`);
  const im = s.interestModel as Record<string, unknown>;
  const fig = (k: string) => (im[k] && typeof im[k] === 'object' ? ci(im[k] as { mean: number; ci95: [number, number] }) : null);
  lines.push(`interest model: ${im.kind}${fig('auc') ? ` (AUC ${fig('auc')}, ECE ${fig('ece')}, cold-start AUC ${fig('coldStartAuc')}; held-out users)` : ''}`);
  lines.push('');
  const m = s.market;
  if (!m.revenuePerAuction && m.auctions) return logSummaryTable(s, lines);
  lines.push(`market  revenue/auction ${ci(m.revenuePerAuction!)}   welfare/auction ${ci(m.welfarePerAuction!)}`);
  lines.push(`        to publishers/auction ${ci(m.publisherPayoutPerAuction!)}   exchange fee/auction ${ci(m.exchangeFeePerAuction!)}`);
  lines.push('');
  // Two tables, per auction and per episode, so that each fits 100 columns.
  const tables: [string, string][][] = [
    [['utilityPerAuction', 'utility/auction'], ['winRate', 'win rate'], ['bidToValue', 'bid/value'], ['competitiveRatio', 'competitive ratio']],
    [['spend', 'spend/episode'], ['value', 'value/episode'], ['clicks', 'clicks/episode']],
  ];
  for (const [t, cols] of tables.entries()) {
    if (t > 0) lines.push('');
    const head = ['bidder', ...cols.map(([, h]) => h)];
    const rows = Object.entries(s.bidders).map(([id, b]) => [id.length > 24 ? `${id.slice(0, 23)}…` : id, ...cols.map(([c]) => (b[c] ? ci(b[c]!) : '—'))]);
    lines.push(...textTable(head, rows));
  }
  return lines.join('\n');
}

/** The table of a log market (docs/logs.md): whole-log totals per bidder. */
function logSummaryTable(s: Summary, lines: string[]): string {
  const m = s.market;
  lines.push(`log  ${m.auctions!.mean} auctions, ${m.episodes!.mean} episodes, ${m.clicks!.mean} clicks (each bidder replays it alone)`);
  lines.push('');
  const cols = ['totalClicks', 'totalImpressions', 'totalCost', 'winRate', 'hindsightClicks', 'competitiveRatio'];
  const head = ['bidder', 'clicks', 'impressions', 'cost', 'win rate', 'hindsight clicks', 'competitive ratio'];
  const rows = Object.entries(s.bidders).map(([id, b]) => [id, ...cols.map((c) => (b[c] ? meanCi(b[c]!) : '—'))]);
  lines.push(...textTable(head, rows));
  return lines.join('\n');
}

/**
 * Writes the report of a staged run (when asked) and puts the run folder in
 * place; a disk that fails meanwhile is a {@link DiskWriteError} carrying the summary.
 */
async function finishRunFolder(folder: RunFolder, summary: unknown, reportModule: (() => Promise<typeof import('./report.js')>) | null): Promise<void> {
  try {
    if (reportModule) await (await reportModule()).writeReport(folder.staging);
    folder.commit();
  } catch (e) {
    throw diskWriteError(e, summary);
  }
}

export function defaultRunDir(cfg: ResolvedConfig): string {
  return resolve('runs', `${cfg.name}-${configHash(cfg)}`);
}

/** What a command handler writes to: stdout, and the exit code when it is not 0. */
export interface Io {
  out: (s: string) => void;
  setCode: (code: number) => void;
}

/**
 * The common tail of `run` and `evaluate`: compute the summary into the folder's
 * staging copy, finish the folder (summary, report) and move it into place, or
 * leave nothing behind; then print the summary (JSON, or the table and paths).
 */
export async function fillRunFolder<S = Summary>(
  folder: RunFolder,
  shown: string,
  a: { json: boolean; quiet: boolean; report: boolean },
  io: Io,
  progress: { stop: () => void },
  compute: () => Promise<S>,
  table: (s: S) => string = summaryTable as unknown as (s: S) => string,
): Promise<void> {
  let summary: S;
  let reportPath: string | null = null;
  try {
    summary = await compute();
    await finishRunFolder(folder, summary, a.report ? () => report() : null);
    reportPath = a.report ? join(folder.final, 'report.html') : null;
  } catch (e) {
    progress.stop();
    throw e instanceof DiskWriteError ? runFolderDiskError(e, shown, io.out) : e;
  } finally {
    progress.stop();
    folder.abandon();
  }
  if (a.json) io.out(JSON.stringify(summary, null, 2));
  else if (!a.quiet) io.out(`${table(summary)}\n\nrun folder: ${folder.final}${reportPath ? `\nreport:     ${reportPath}` : ''}`);
}

/** The options of `bidgym run` (as yargs parses them, or run-fast.ts). */
export interface RunArgs {
  config: string;
  out?: string;
  quiet: boolean;
  json: boolean;
  report: boolean;
  workers?: number;
  force: boolean;
}

/** `bidgym run CONFIG`: checks everything, runs the experiment into its run folder, prints the table (or JSON). */
export async function runCommand(a: RunArgs, io: Io): Promise<void> {
  const file = a.config;
  const raw = readRawConfig(file);
  if (raw !== null && typeof raw === 'object' && 'sweep' in raw) {
    throw new UsageError(`${file}: has a sweep: block, which run does not run; use bidgym sweep ${file}`);
  }
  if (a.workers !== undefined && !(Number.isInteger(a.workers) && a.workers >= 1)) throw new UsageError(`--workers: expected a positive integer, got ${a.workers}`);
  if (isAutoBidConfig(raw)) {
    // A step-level config (steps > 1): the same run folder rules (refused when not empty without --force, locked,
    // staged and moved into place whole) and the same report.
    const { prepareAutoBidRun, autoBidTable } = await import('./autobid-cli.js');
    const run = await prepareAutoBidRun(raw, file);
    const folder = RunFolder.open(a.out ?? run.defaultDir, { force: a.force || a.out === undefined, shown: a.out });
    await fillRunFolder(folder, a.out ?? folder.final, a, io, { stop: () => {} }, () => run.run(folder.staging), autoBidTable);
    return;
  }
  const cfg = loadConfigFrom(raw, file); // the file parsed once
  await preflightRun(cfg);
  // The default folder is named by the config's hash: the same config, the same results, so it is replaced whole.
  const folder = RunFolder.open(a.out ?? defaultRunDir(cfg), { force: a.force || a.out === undefined, shown: a.out });
  const { makeProgress } = await progressBar();
  const { runExperiment } = await runner();
  const progress = makeProgress(!a.quiet && !a.json, 'auctions');
  await fillRunFolder(folder, a.out ?? folder.final, a, io, progress, () =>
    runExperiment(cfg, { outDir: folder.staging, quiet: a.quiet, workers: a.workers, onProgress: progress.update }));
}
