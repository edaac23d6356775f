/**
 * The policy commands, as functions the CLI calls:
 *
 * - `bidgym evaluate --policy FILE --config CONFIG --out DIR [--bidder ID]`:
 *   {@link evaluateCommand} runs CONFIG with the bidder of the same id as the
 *   policy's (or `--bidder ID`) replaced by the frozen policy, and writes a
 *   normal run folder into DIR.
 * - `bidgym export RUNDIR --bidder ID [--out FILE]`: {@link exportCommand}
 *   verifies `RUNDIR/policies/ID.json` and copies it to FILE.
 *
 * A policy file whose checksum does not match, whose schema version is unknown,
 * or whose features do not match the config is refused with a {@link UsageError}
 * (exit code 2) saying why.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { checkPolicyFits, loadPolicy, PolicyError, type LoadedPolicy, type PolicyFile } from '../agents/policy.js';
import { loadConfig, type ResolvedConfig } from './config.js';
import { writeFileAtomic } from '../files/atomic.js';
import { runExperiment, type Summary } from './runner.js';

/** Bad input to a command (exit code 2). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Agent kinds that never learn: with only these as rivals a fixed policy needs no training episodes. */
const STATIC_KINDS: ReadonlySet<string> = new Set(['truthful', 'shaded', 'constant', 'random', 'policy']);

/** Loads a policy file, turning a refusal into a UsageError. */
function load(path: string): LoadedPolicy {
  try {
    return loadPolicy(path);
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(`--policy ${path}: ${e.message.startsWith(path) ? e.message.slice(path.length + 2) : e.message}`);
    throw e;
  }
}

/** Options of {@link evaluateCommand}. */
export interface EvaluateOptions {
  /** Policy file (policies/<bidder>.json of a run, or a file exported from one). */
  policy: string;
  /** Market config (YAML or JSON) to evaluate it in. */
  config: string;
  /** Run folder to write. */
  out: string;
  /** Bidder to replace; default the policy's `provenance.bidder`. */
  bidder?: string;
  /** No console output. */
  quiet?: boolean;
  /** Progress callback (auctions done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Replications at once, in worker threads (default: all cores). */
  workers?: number;
}

/**
 * The config of an evaluation: `cfg` with bidder `id` replaced by the policy
 * file at `policyPath` (`agent: { kind: policy, path }`). Training episodes are
 * dropped when no other bidder learns (a fixed policy has nothing to train);
 * otherwise they stay, so that learning rivals adapt to it first.
 *
 * @throws UsageError when the bidder is not in the config or the policy does not fit it
 */
export function evaluationConfig(cfg: ResolvedConfig, loaded: LoadedPolicy, policyPath: string, id: string): ResolvedConfig {
  const i = cfg.bidders.findIndex((b) => b.id === id);
  if (i < 0) throw new UsageError(`--bidder: no bidder "${id}" in the config (bidders: ${cfg.bidders.map((b) => b.id).join(', ')})`);
  const target = cfg.bidders[i]!;
  try {
    checkPolicyFits(loaded, { id, budget: target.budget, users: cfg.users !== null });
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(`--policy ${policyPath}: ${e.message}`);
    throw e;
  }
  const bidders = cfg.bidders.map((b, k) => (k === i ? { ...b, agent: { kind: 'policy' as const, path: resolve(policyPath) } } : b));
  const othersLearn = bidders.some((b, k) => k !== i && !STATIC_KINDS.has(b.agent.kind));
  return { ...cfg, episodes: othersLearn ? cfg.episodes : 0, bidders };
}

/**
 * `bidgym evaluate`: runs `config` with one bidder replaced by the policy in
 * `policy` and writes a normal run folder into `out`.
 *
 * @returns the run's summary
 * @throws UsageError (exit code 2) for a refused policy file, a bidder not in the config, or a policy that does not fit it; ConfigError for a bad config
 * @example await evaluateCommand({ policy: 'runs/a/policies/learner.json', config: 'other.yaml', out: 'runs/eval' })
 */
export async function evaluateCommand(opts: EvaluateOptions): Promise<Summary> {
  const loaded = load(opts.policy);
  const cfg = loadConfig(opts.config);
  const id = opts.bidder ?? loaded.file.provenance.bidder;
  const evalCfg = evaluationConfig(cfg, loaded, opts.policy, id);
  return runExperiment(evalCfg, { outDir: resolve(opts.out), quiet: opts.quiet ?? true, onProgress: opts.onProgress, workers: opts.workers });
}

/** Options of {@link exportCommand}. */
export interface ExportOptions {
  /** Run folder. */
  runDir: string;
  /** Bidder whose policy to export. */
  bidder: string;
  /** Where to copy the file; omitted = only verify it. */
  out?: string;
}

/**
 * `bidgym export`: verifies `runDir/policies/<bidder>.json` (checksum, schema
 * version, parameters) and copies it byte for byte to `out`.
 *
 * @returns the path of the verified file (the copy when `out` is given) and its document
 * @throws UsageError when the run has no such policy or the file is refused
 * @example exportCommand({ runDir: 'runs/quickstart-1a2b', bidder: 'learner', out: 'learner.policy.json' })
 */
export function exportCommand(opts: ExportOptions): { path: string; file: PolicyFile } {
  const dir = join(opts.runDir, 'policies');
  const src = join(dir, `${opts.bidder}.json`);
  if (!existsSync(src)) {
    const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => basename(f, '.json')) : [];
    throw new UsageError(
      have.length > 0
        ? `--bidder: run ${opts.runDir} has no policy for "${opts.bidder}" (it has ${have.join(', ')})`
        : `${opts.runDir} is not a run folder with policies (no ${join(opts.runDir, 'policies')}/*.json)`,
    );
  }
  const loaded = load(src);
  if (!opts.out) return { path: src, file: loaded.file };
  writeFileAtomic(opts.out, readFileSync(src));
  return { path: resolve(opts.out), file: loaded.file };
}
