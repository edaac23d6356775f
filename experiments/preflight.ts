/**
 * Checks made before any work: what `run`, `sweep`, `evaluate` and `validate`
 * will need, so that a run that cannot finish fails in its first second with one
 * line naming the field, not after hours of training or half-way through
 * writing. See also out-dir.ts (the output folder) and the config schema.
 *
 * - Work within what the machine and JavaScript can hold: per-episode arrays
 *   (one entry per auction) under the typed-array limit, and the estimated
 *   memory (users, publishers, per-episode records) under the machine's.
 * - Files the config names: a saved interest model (a folder with model.json,
 *   built for this world: same model kind, topics, history length and user
 *   features) and the policy files of `agent: { kind: policy }` bidders (read
 *   and verified as the run loads them).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';

import { isInputError } from '../env/errors.js';
import { loadPolicy } from '../agents/policy-io.js';
import { ConfigError, type ResolvedConfig } from './config.js';
import { auctionsPerReplication, AUCTIONS_PER_SECOND } from './parallelism.js';

/**
 * An integer with thousands separators, as `n.toLocaleString('en-US')` writes it
 * (600000 → "600,000"), without loading ICU's locale data (about 30 ms of a
 * start of `validate`). Anything but a safe integer goes to toLocaleString.
 */
export function countText(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  return `${n < 0 ? '-' : ''}${digits.replace(/\B(?=(\d{3})+$)/g, ',')}`;
}

/** Most CPU time a run may ask for (at the loop's fastest rate), seconds: a week. */
export const MAX_CPU_SECONDS = 7 * 86_400;

/** Longest typed array JavaScript can allocate (entries). */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

/** What a config asks of the machine. */
export interface WorkEstimate {
  /** Auctions of every replication, training and evaluation. */
  auctions: number;
  /** A lower estimate of the CPU seconds (at the loop's fastest rate). */
  cpuSeconds: number;
  /** Estimated memory of one replication, bytes. */
  bytes: number;
}

/** The work and memory a resolved config asks for. */
export function estimateWork(cfg: ResolvedConfig): WorkEstimate {
  const auctions = cfg.replications * auctionsPerReplication(cfg);
  const B = cfg.bidders.length;
  const u = cfg.users;
  const perUser = u ? u.topics * 8 + u.historyLength * 4 + B * 16 + 32 : 0;
  const users = u ? u.count * perUser : 0;
  const records = B * cfg.auctionsPerEpisode * cfg.exchange.slots * 25; // value, competing, cost (8 bytes each), won (1) per auction and slot
  const ledger = (cfg.exchange.publishers + B) * 8;
  return { auctions, cpuSeconds: auctions / AUCTIONS_PER_SECOND, bytes: users + records + ledger };
}

/** "1.2 GB", "350 MB". */
export function bytesText(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toPrecision(2)} ${units[i]}`;
}

/** "45 s", "3.2 h", "20 days". */
export function secondsText(s: number): string {
  if (s < 90) return `${Math.max(0.1, Number(s.toPrecision(2)))} s`;
  if (s < 5400) return `${Number((s / 60).toPrecision(2))} min`;
  if (s < 172_800) return `${Number((s / 3600).toPrecision(2))} h`;
  return `${Number((s / 86_400).toPrecision(2))} days`;
}

/** Refuses sizes the machine cannot hold, naming the field. @throws ConfigError */
export function checkSizes(cfg: ResolvedConfig): WorkEstimate {
  const w = estimateWork(cfg);
  const perEpisode = cfg.auctionsPerEpisode * cfg.exchange.slots;
  if (perEpisode > MAX_TYPED_ARRAY_LENGTH) {
    throw new ConfigError('auctionsPerEpisode', `${cfg.auctionsPerEpisode}${cfg.exchange.slots > 1 ? ` × ${cfg.exchange.slots} slots` : ''} is more than the ${countText(MAX_TYPED_ARRAY_LENGTH)} per-episode entries an array can hold; use more, shorter episodes`);
  }
  const mem = totalmem() / 2;
  if (w.bytes > mem) {
    const parts: [string, number][] = [
      ['users.count', cfg.users ? cfg.users.count * (cfg.users.topics * 8 + cfg.users.historyLength * 4 + cfg.bidders.length * 16 + 32) : 0],
      ['auctionsPerEpisode', cfg.bidders.length * perEpisode * 25],
      ['exchange.publishers', cfg.exchange.publishers * 8],
    ];
    const [field] = parts.sort((a, b) => b[1] - a[1])[0]!;
    throw new ConfigError(field, `the run needs about ${bytesText(w.bytes)} of memory, more than half of this machine's ${bytesText(2 * mem)}`);
  }
  // A learner's transition buffer (DQN's replay, actor-critic's batch) is allocated whole when the run starts:
  // at least 24 bytes a transition (observation, next observation, reward), per copy of the bidder.
  const perTransition = 24;
  const seenSource = new Set<number>();
  for (const b of cfg.bidders) {
    if (seenSource.has(b.source)) continue;
    seenSource.add(b.source);
    const a = b.agent as { kind: string; replaySize?: number; batchSize?: number };
    const field = a.kind === 'dqn' ? 'replaySize' : a.kind === 'actor-critic' ? 'batchSize' : null;
    if (field === null) continue;
    const capacity = a[field]!;
    const copies = cfg.bidders.filter((x) => x.source === b.source).length;
    if (capacity > MAX_TYPED_ARRAY_LENGTH || capacity * perTransition * copies > mem) {
      throw new ConfigError(`bidders[${b.source}].agent.${field}`, `a buffer of ${countText(capacity)} transitions${copies > 1 ? ` for each of ${copies} copies` : ''} needs at least ${bytesText(capacity * perTransition * copies)} of memory, more than half of this machine's ${bytesText(2 * mem)}`);
    }
  }
  if (!Number.isSafeInteger(w.auctions)) throw new ConfigError('episodes', `${w.auctions} auctions in all is more than can be counted exactly`);
  if (w.cpuSeconds > MAX_CPU_SECONDS) {
    const field = cfg.episodes + cfg.evalEpisodes > cfg.replications ? (cfg.episodes >= cfg.evalEpisodes ? 'episodes' : 'evalEpisodes') : 'replications';
    throw new ConfigError(field, `${countText(w.auctions)} auctions (replications × episodes × auctionsPerEpisode) take at least ${secondsText(w.cpuSeconds)} of CPU, more than the ${secondsText(MAX_CPU_SECONDS)} a run may take; split the work`);
  }
  return w;
}

/** Refuses missing files the config names, and a saved interest model built for another world. @throws InputError */
export function checkFiles(cfg: ResolvedConfig): void {
  cfg.bidders.forEach((b, i) => {
    const agent = b.agent as { kind: string; path?: string };
    if (agent.kind === 'policy' && agent.path !== undefined) {
      const p = agent.path;
      if (!existsSync(p)) throw new ConfigError(`bidders[${i}].agent.path`, `no file ${p}`);
      if (!statSync(p).isFile()) throw new ConfigError(`bidders[${i}].agent.path`, `${p} is not a regular file`);
      // Read and verified as the run will load it (a file that cannot be read, such as /proc/self/mem, or is no valid policy, fails now, not in the run).
      try {
        loadPolicy(p);
      } catch (e) {
        if (isInputError(e)) throw new ConfigError(`bidders[${i}].agent.path`, e.message);
        throw e;
      }
    }
  });
  const im = cfg.interestModel as { kind: string; path?: string };
  if (im.path === undefined) return;
  const field = 'interestModel.path';
  if (!existsSync(im.path)) throw new ConfigError(field, `no folder ${im.path} (save one with bidgym train-model)`);
  if (!statSync(im.path).isDirectory()) throw new ConfigError(field, `${im.path} is not a folder (expected model.json and weights.bin from bidgym train-model)`);
  const modelFile = join(im.path, 'model.json');
  if (!existsSync(modelFile)) throw new ConfigError(field, `${im.path} holds no model.json (save a model with bidgym train-model)`);
  let topology: { kind?: unknown; shape?: Record<string, unknown> } | undefined;
  try {
    if (statSync(modelFile).size > 64 << 20) throw new Error('larger than 64 MB');
    topology = (JSON.parse(readFileSync(modelFile, 'utf8')) as { modelTopology?: typeof topology }).modelTopology;
  } catch (e) {
    throw new ConfigError(field, `${modelFile} is not a saved model (${(e as Error).message.slice(0, 80)})`);
  }
  if (topology?.kind !== undefined && topology.kind !== im.kind) throw new ConfigError(field, `${im.path} holds a ${String(topology.kind)} model, the config asks for ${im.kind}`);
  const u = cfg.users;
  const shape = topology?.shape;
  if (u && shape) {
    const want: Record<string, number> = { topics: u.topics, historyLength: u.historyLength };
    for (const [k, v] of Object.entries(want)) {
      if (shape[k] !== undefined && shape[k] !== v) throw new ConfigError(field, `the saved model was built for users.${k} = ${String(shape[k])}, this config has ${v}`);
    }
  }
}

/** Every check `run` makes before any work. @throws InputError */
export async function preflightRun(cfg: ResolvedConfig): Promise<WorkEstimate> {
  const w = checkSizes(cfg);
  checkFiles(cfg);
  return w;
}

