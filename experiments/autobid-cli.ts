/**
 * The command-line side of step-level configs (`steps > 1`): `bidgym run` hands
 * such a config to {@link prepareAutoBidRun}; `bidgym log` to
 * {@link logAutoBidCommand}, which writes a behaviour policy's trajectories as
 * a dataset for the offline agents.
 */
import { dirname, resolve } from 'node:path';
import { resolveAutoBidConfig } from './autobid-config.js';
import { InputError } from '../env/errors.js';
import { autoBidConfigHash, logAutoBid, runAutoBid, type AutoBidSummary } from './autobid-run.js';
import { meanCi, textTable } from './format.js';

/** The summary as a terminal table: one row per bidder. */
export function autoBidTable(s: AutoBidSummary): string {
  const lines = [`${s.name} (config ${s.configHash}, seed ${s.seed}, ${s.replications} replication${s.replications > 1 ? 's' : ''} × ${s.evalEpisodes} episodes of ${s.steps} steps, ${s.opportunitiesPerEpisode} opportunities; mean ± 95% CI over replications)`, ''];
  const head = ['bidder', 'kind', 'score', 'conversions', 'CPA / target', 'budget spent'];
  const rows = Object.entries(s.bidders).map(([id, b]) => [id, b.kind, meanCi(b.score), meanCi(b.conversions), meanCi(b.cpaRatio), meanCi(b.budgetSpent)]);
  lines.push(...textTable(head, rows, 2));
  return lines.join('\n');
}

/**
 * `bidgym run CONFIG` for a step-level config, checked before any work (the
 * datasets it names, as `validate` checks them): the resolved config, its
 * default run folder (runs/<name>-<hash>) and the run itself, which writes
 * summary.json, resolved-config.json, meta.json and policies/ into `outDir`
 * (the caller's staging copy of the run folder).
 */
export async function prepareAutoBidRun(raw: unknown, configPath: string): Promise<{ defaultDir: string; run: (outDir: string) => Promise<AutoBidSummary> }> {
  const cfg = resolveAutoBidConfig(raw);
  const configDir = dirname(resolve(configPath));
  (await import('./autobid-agents.js')).preflightAutoBid(cfg, configDir);
  return {
    defaultDir: resolve('runs', `${cfg.name}-${autoBidConfigHash(cfg)}`),
    run: async (outDir) => (await runAutoBid(cfg, { configDir, outDir })).summary,
  };
}

/** `bidgym log CONFIG --out FILE [--bidder ID]… [--auctionnet FILE] [--episodes N]` for a step-level config. */
export async function logAutoBidCommand(raw: unknown, configPath: string, a: { out: string; bidder?: string | string[]; auctionnet?: string; episodes?: number; quiet?: boolean }, out: (s: string) => void): Promise<void> {
  const cfg = resolveAutoBidConfig(raw);
  const configDir = dirname(resolve(configPath));
  const bidders = a.bidder === undefined ? undefined : Array.isArray(a.bidder) ? a.bidder : [a.bidder];
  // Everything checked before any work: the datasets and policy files, as run checks them, and that the outputs can be written.
  (await import('./autobid-agents.js')).preflightAutoBid(cfg, configDir);
  const { checkOutFile } = await import('./out-dir.js');
  const transitions = checkOutFile(a.out);
  const auctionnet = a.auctionnet ? checkOutFile(a.auctionnet, '--auctionnet') : undefined;
  if (auctionnet === transitions) throw new InputError(`--auctionnet: the same file as --out (${a.out.slice(-80)}); give two files`);
  const n = await logAutoBid(cfg, { configDir, bidders, episodes: a.episodes, transitions, auctionnet });
  if (!a.quiet) out(`${n} transitions → ${resolve(a.out)}${a.auctionnet ? `\nper-opportunity rows (AuctionNet's 18 columns) → ${resolve(a.auctionnet)}` : ''}`);
}
