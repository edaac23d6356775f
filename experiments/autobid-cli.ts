/**
 * The command-line side of step-level configs (`steps > 1`): `bidgym run` hands
 * such a config to {@link prepareAutoBidRun}; `bidgym log` to
 * {@link logAutoBidCommand}, which writes a behaviour policy's trajectories as
 * a dataset for the offline agents.
 */
import { dirname, resolve } from 'node:path';
import { resolveAutoBidConfig } from './autobid-config.js';
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
  const bidders = a.bidder === undefined ? undefined : Array.isArray(a.bidder) ? a.bidder : [a.bidder];
  const n = await logAutoBid(cfg, { configDir: dirname(resolve(configPath)), bidders, episodes: a.episodes, transitions: resolve(a.out), auctionnet: a.auctionnet ? resolve(a.auctionnet) : undefined });
  if (!a.quiet) out(`${n} transitions → ${resolve(a.out)}${a.auctionnet ? `\nper-opportunity rows (AuctionNet's 18 columns) → ${resolve(a.auctionnet)}` : ''}`);
}
