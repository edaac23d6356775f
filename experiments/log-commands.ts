/**
 * `bidgym log CONFIG --bidder ID --out FILE [--format rlb|csv] [--replication R] [--price-scale K]`:
 * runs replication R of a simulated market and writes the auctions bidder ID
 * faced in its evaluation episodes as a bid log, so that every replay method
 * (and every policy) can be tried on synthetic logs:
 *
 * - `price`: the price to beat for the top slot (the highest competing bid or
 *   the reserve), × K (K = 1000 gives prices per thousand impressions, as in
 *   RTB logs); rounded to an integer when K ≠ 1;
 * - `pctr`: the CTR the bidder was shown (its observation);
 * - `click`: whether the user clicked, had the ad been shown in the top slot:
 *   what happened when the bidder won the top slot, else drawn from the ad's
 *   true CTR (stream `log-clicks`); `conversion` likewise;
 * - `value`: the bidder's true expected value of the top slot (× K);
 * - `timestamp`: the auction's index in the evaluation (episode × N + t).
 *
 * Auctions the bidder was asked to but sat out (out of budget) are written too:
 * a replayed bidder with its own budget faces every auction of the episode.
 */
import { InputError } from '../env/errors.js';
import { formatCsvLog, formatRlbLog, type LogFormat } from '../env/log/format.js';
import { LogRecorder } from '../env/log/recorder.js';
import { OBS } from '../env/observation.js';
import { rng } from '../env/rng.js';
import { loadConfig } from './config.js';
import { checkOutFile, writeOutFile } from './out-dir.js';
import { preflightRun } from './preflight.js';
import { runReplication } from './replication.js';

/** Options of {@link logCommand}. */
export interface LogCommandOptions {
  config: string;
  bidder: string;
  out: string;
  format?: LogFormat;
  replication?: number;
  priceScale?: number;
}

/** Runs the market and writes the log; returns what was written. */
export async function logCommand(opts: LogCommandOptions): Promise<{ path: string; auctions: number; clicks: number }> {
  const cfg = loadConfig(opts.config);
  if (cfg.log) throw new InputError(`${opts.config}: bidgym log records a simulated market; this config replays a log already`);
  const b = cfg.bidders.findIndex((x) => x.id === opts.bidder);
  if (b < 0) throw new InputError(`--bidder: no bidder "${opts.bidder}" in the config (bidders: ${cfg.bidders.map((x) => x.id).join(', ')})`);
  const r = opts.replication ?? 0;
  if (!Number.isInteger(r) || r < 0) throw new InputError(`--replication: expected an integer ≥ 0, got ${opts.replication}`);
  const k = opts.priceScale ?? 1;
  if (!(k > 0) || !Number.isFinite(k)) throw new InputError(`--price-scale: expected a number > 0, got ${opts.priceScale}`);
  // Everything checked before any work: the config's sizes and files, as run checks them, and that --out can be written.
  await preflightRun(cfg);
  const path = checkOutFile(opts.out);
  const format = opts.format ?? 'csv';
  const scale = (x: number) => (k === 1 ? x : Math.round(x * k));
  const clicks = rng(cfg.seed).stream(`replication:${r}`).stream('log-clicks');
  const rec = new LogRecorder();
  const N = cfg.auctionsPerEpisode;
  let episode = -1;
  let lastT = Infinity;
  await runReplication(cfg, r, undefined, (market, bidder) => {
    if (bidder !== b) return;
    if (market.t <= lastT) episode++;
    lastT = market.t;
    const shownTop = market.won[b] === 1 && market.slotOf[b] === 0;
    const ctr = market.trueCtr(b);
    const click = shownTop ? market.clicks[b]! : clicks.next() < ctr ? 1 : 0;
    const conv = shownTop ? (market.conversions[b]! > 0 ? 1 : 0) : click && clicks.next() < market.trueCvr(b) ? 1 : 0;
    rec.add(scale(market.competingBid[b]!), market.observations[b]![OBS.pctr]!, click, conv, k === 1 ? market.topValue[b]! : market.topValue[b]! * k, episode * N + market.t - 1); // clear() has moved t on
  });
  if (rec.length === 0) throw new InputError(`--bidder: "${opts.bidder}" took part in no evaluation auction`);
  const log = rec.toLog(opts.out);
  writeOutFile(path, format === 'rlb' ? formatRlbLog(log) : formatCsvLog(log));
  return { path, auctions: log.length, clicks: log.click.reduce((a, c) => a + c, 0) };
}
