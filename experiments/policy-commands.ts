/**
 * The policy commands, as functions the CLI calls:
 *
 * - `bidgym evaluate --policy FILE --config CONFIG --out DIR [--bidder ID] [--public-key KEY]`:
 *   {@link evaluateCommand} runs CONFIG with the bidder of the same id as the
 *   policy's (or `--bidder ID`) replaced by the frozen policy, and writes a
 *   normal run folder into DIR. With a public key, a policy file that is
 *   unsigned, signed by another key or changed after it was signed is refused.
 *   With a step-level config (steps > 1) and a step-level policy (level
 *   "step"), {@link evaluateAutoBidCommand} does the same for the auto-bidding run.
 * - `bidgym export RUNDIR --bidder ID [--out FILE] [--sign DIR/private.pem]`:
 *   {@link exportCommand} verifies `RUNDIR/policies/ID.json` and copies it to
 *   FILE, byte for byte or signed.
 * - `bidgym keygen --out DIR`: {@link keygenCommand} writes an Ed25519 key pair,
 *   DIR/private.pem (mode 0600) and DIR/public.pem, and never overwrites one.
 *
 * Every refusal is an InputError (exit code 2) saying why, raised before
 * anything is written.
 */
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../env/errors.js';
import { sentInputsOfThread, useSentInputs } from '../env/io/sent-inputs.js';
import {
  checkPolicyFits,
  generatePolicyKeys,
  keyFingerprint,
  loadPolicy,
  loadPolicyText,
  PolicyError,
  policyMaxBytes,
  readRegularFile,
  readPrivateKey,
  signPolicyDocument,
  type LoadedPolicy,
  type PolicyFile,
} from '../agents/policy.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { isStepPolicyDocument, loadAutoBidPolicyText } from '../agents/autobid/policy-file.js';
import { parsePolicyText } from '../agents/policy-io.js';
import { isAutoBidConfig, resolveAutoBidConfig, type ResolvedAutoBidConfig } from './autobid-config.js';
import type { AutoBidSummary } from './autobid-run.js';
import { loadConfig, readRawConfig, type ResolvedConfig } from './config.js';
import { fsyncDir, makeDirs, writeFileAtomic } from '../env/io/atomic.js';
import { checkOutFile, writeOutFile } from './out-dir.js';
import { runExperiment, type Summary } from './runner.js';

/** Agent kinds that never learn: with only these as rivals a fixed policy needs no training episodes. */
const STATIC_KINDS: ReadonlySet<string> = new Set(['truthful', 'shaded', 'constant', 'random', 'policy', 'lin-bid', 'mcpc', 'rlb', 'ss-mdp']);


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
  /** Trusted public key (PEM file): refuse a policy file not signed by it, or changed since. */
  publicKey?: string;
}

/**
 * The config of an evaluation: `cfg` with bidder `id` replaced by the policy
 * file at `policyPath` (`agent: { kind: policy, path }`). Training episodes are
 * dropped when no other bidder learns (a fixed policy has nothing to train);
 * otherwise they stay, so that learning rivals adapt to it first.
 *
 * @throws InputError when the bidder is not in the config, PolicyError when the policy does not fit it
 */
export function evaluationConfig(cfg: ResolvedConfig, loaded: LoadedPolicy, policyPath: string, id: string): ResolvedConfig {
  const i = cfg.bidders.findIndex((b) => b.id === id);
  if (i < 0) throw new InputError(`--bidder: no bidder "${id}" in the config (bidders: ${cfg.bidders.map((b) => b.id).join(', ')})`);
  const target = cfg.bidders[i]!;
  try {
    // A log market's { c0 } budget is an amount too (computed from the log at run time).
    checkPolicyFits(loaded, { id, budget: target.budget ?? target.budgetC0 ?? null, users: cfg.users !== null });
  } catch (e) {
    if (e instanceof PolicyError) throw new PolicyError(`--policy ${policyPath}: ${e.message}`);
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
 * @throws InputError (exit code 2) for a refused policy file (PolicyError; PolicySignatureError with a key), a bidder not in the config, a policy that does not fit it, or a bad config
 * @example await evaluateCommand({ policy: 'runs/a/policies/learner.json', config: 'other.yaml', out: 'runs/eval' })
 */
export async function evaluateCommand(opts: EvaluateOptions): Promise<Summary> {
  if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) throw new InputError(`--workers: expected a positive integer, got ${opts.workers}`);
  // The file is read once: the bytes verified (with a key) and parsed here are the bytes the run uses, never a second read of the path.
  const bytes = readRegularFile(opts.policy, policyMaxBytes(), 'policy file');
  const loaded = loadPolicyText(bytes.toString('utf8'), opts.policy, opts.publicKey === undefined ? {} : { publicKey: opts.publicKey });
  if (isAutoBidConfig(readRawConfig(opts.config))) throw new InputError(`--config: ${opts.config} is a step-level config (steps > 1), whose bidders set one bid factor per step: evaluate a step-level policy in it (evaluateAutoBidCommand)`);
  const cfg = loadConfig(opts.config);
  const id = opts.bidder ?? loaded.file.provenance.bidder;
  const evalCfg = evaluationConfig(cfg, loaded, opts.policy, id);
  const before = sentInputsOfThread();
  const inputs = new Map(before?.inputs ?? []);
  inputs.set(resolve(opts.policy), { bytes: new Uint8Array(bytes) });
  // The run's loadPolicy of that path (in this thread and in the replication threads) takes these bytes (env/io/sent-inputs.ts).
  useSentInputs({ strict: before?.strict ?? false, inputs });
  try {
    return await runExperiment(evalCfg, { outDir: resolve(opts.out), quiet: opts.quiet ?? true, onProgress: opts.onProgress, workers: opts.workers });
  } finally {
    useSentInputs(before);
  }
}

/** True when `opts.config` is a step-level config (steps > 1): `bidgym evaluate` then runs {@link evaluateAutoBidCommand}. */
export function isStepLevelConfig(path: string): boolean {
  return isAutoBidConfig(readRawConfig(path));
}

/**
 * `bidgym evaluate` of a step-level policy (level "step") in a step-level
 * config: the bidder of the policy's id (or `bidder`) plays the policy file
 * (`agent: { kind: policy, path }`), frozen; the run is the config's own
 * otherwise (same streams: the same seed gives the run's own evaluation
 * episodes). Writes summary.json, resolved-config.json, meta.json and
 * policies/ into `out`.
 *
 * @throws InputError for a refused policy file, a per-auction policy, a bidder not in the config, or a bad config — before anything is written
 */
export async function evaluateAutoBidCommand(opts: Omit<EvaluateOptions, 'workers' | 'onProgress'>): Promise<AutoBidSummary> {
  const bytes = readRegularFile(opts.policy, policyMaxBytes(), 'policy file');
  const text = bytes.toString('utf8');
  const keyOpts = opts.publicKey === undefined ? {} : { publicKey: opts.publicKey };
  if (!isStepPolicyDocument(parsePolicyText(text, opts.policy))) {
    loadPolicyText(text, opts.policy, keyOpts); // a broken file is refused as such
    throw new InputError(`--policy: ${opts.policy} is a per-auction policy; --config ${opts.config} is a step-level config (steps > 1), whose bidders set one bid factor per step: evaluate a step-level policy (policies/<bidder>.json of a step-level run) in it`);
  }
  const loaded = loadAutoBidPolicyText(text, opts.policy, keyOpts);
  const cfg = resolveAutoBidConfig(readRawConfig(opts.config));
  const id = opts.bidder ?? loaded.file.provenance.bidder;
  if (!cfg.bidders.some((b) => b.id === id)) throw new InputError(`--bidder: no bidder "${id}" in the config (bidders: ${cfg.bidders.map((b) => b.id).join(', ')})`);
  const path = resolve(opts.policy);
  // The policy's own params carry its exploration noise, if any: the seat's noise is not added again.
  const evalCfg: ResolvedAutoBidConfig = { ...cfg, bidders: cfg.bidders.map((b) => (b.id === id ? { ...b, noise: 0, agent: { kind: 'policy' as const, path } } : b)) };
  const before = sentInputsOfThread();
  const inputs = new Map(before?.inputs ?? []);
  inputs.set(path, { bytes: new Uint8Array(bytes) });
  useSentInputs({ strict: before?.strict ?? false, inputs });
  try {
    const { runAutoBid } = await import('./autobid-run.js');
    return (await runAutoBid(evalCfg, { configDir: dirname(resolve(opts.config)), outDir: resolve(opts.out) })).summary;
  } finally {
    useSentInputs(before);
  }
}

/** A policy file's text verified and loaded at its own level (per-auction or step-level). */
function loadAnyPolicyText(text: string, where: string, opts: { publicKey?: KeyObject } = {}): { file: PolicyFile; verifiedKey: string | null } {
  return isStepPolicyDocument(parsePolicyText(text, where)) ? loadAutoBidPolicyText(text, where, opts) : loadPolicyText(text, where, opts);
}

/** Options of {@link exportCommand}. */
export interface ExportOptions {
  /** Run folder. */
  runDir: string;
  /** Bidder whose policy to export. */
  bidder: string;
  /** Where to copy the file; omitted = only verify it. */
  out?: string;
  /** Ed25519 private key (PEM file, from keygen): write the copy signed with it (needs `out`). */
  sign?: string;
}

/**
 * `bidgym export`: verifies `runDir/policies/<bidder>.json` (checksum, schema
 * version, parameters) and copies it to `out`: byte for byte, or with `sign`
 * the same document with an Ed25519 signature added.
 *
 * @returns the path of the verified file (the copy when `out` is given), its document, and the signing key's id
 * @throws InputError when the run has no such policy, the file or the key is refused, or `sign` comes without `out`
 * @example exportCommand({ runDir: 'runs/quickstart-1a2b', bidder: 'learner', out: 'learner.policy.json' })
 */
export function exportCommand(opts: ExportOptions): { path: string; file: PolicyFile; signedBy: string | null } {
  if (opts.sign !== undefined && !opts.out) throw new InputError('--sign: needs --out FILE (the signed copy is a new file; the run folder is left as it is)');
  const dir = join(opts.runDir, 'policies');
  const src = join(dir, `${opts.bidder}.json`);
  if (!existsSync(src)) {
    const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => basename(f, '.json')) : [];
    throw new InputError(
      have.length > 0
        ? `--bidder: run ${opts.runDir} has no policy for "${opts.bidder}" (it has ${have.join(', ')})`
        : `${opts.runDir} is not a run folder with policies (no ${join(opts.runDir, 'policies')}/*.json)`,
    );
  }
  // --out can be written (not a folder or a device, its folder can be made), checked before anything is read.
  const out = opts.out ? checkOutFile(opts.out) : undefined;
  // One read: what is verified is what is copied.
  const bytes = readRegularFile(src, policyMaxBytes(), 'policy file');
  const loaded = loadAnyPolicyText(bytes.toString('utf8'), src);
  if (!out) return { path: src, file: loaded.file, signedBy: null };
  if (opts.sign === undefined) {
    writeOutFile(out, bytes);
    return { path: out, file: loaded.file, signedBy: null };
  }
  const key = readPrivateKey(opts.sign);
  const signed = signPolicyDocument(loaded.file, key);
  const text = `${JSON.stringify(signed, null, 2)}\n`;
  // What is written must verify with the key's own public half.
  const check = loadAnyPolicyText(text, opts.out!, { publicKey: createPublicKey(key) });
  writeOutFile(out, text);
  return { path: out, file: check.file, signedBy: check.verifiedKey };
}

/** Options of {@link keygenCommand}. */
export interface KeygenOptions {
  /** Folder for private.pem and public.pem (created when missing). */
  out: string;
}

/** Creates `path` with `data`, failing if it exists (O_EXCL), with permissions `mode`, flushed to disk. */
function createExclusive(path: string, data: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    fchmodSync(fd, mode);
    const bytes = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `bidgym keygen`: a new Ed25519 key pair for signing policy files,
 * `out/private.pem` (PKCS#8, mode 0600: keep it secret) and `out/public.pem`
 * (SPKI: give it to whoever evaluates the policies). Refuses to overwrite
 * either file.
 *
 * @returns the two paths and the key id (SHA-256 of the public key) that signatures carry
 * @throws InputError when a key file is already there
 * @example keygenCommand({ out: 'keys' })
 */
export function keygenCommand(opts: KeygenOptions): { privateKey: string; publicKey: string; keyId: string } {
  const dir = resolve(opts.out);
  const privatePath = join(dir, 'private.pem');
  const publicPath = join(dir, 'public.pem');
  for (const p of [privatePath, publicPath]) if (existsSync(p)) throw new InputError(`--out: ${p} exists; keygen never overwrites a key (choose another folder)`);
  const shown = opts.out.length > 120 ? `…${opts.out.slice(-119)}` : opts.out;
  const code = (e: unknown) => (e as NodeJS.ErrnoException).code;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`--out ${shown}: is a file, not a folder`);
  const keys = generatePolicyKeys();
  try {
    makeDirs(dir, 0o700);
  } catch (e) {
    throw new InputError(`--out ${shown}: cannot create the folder (${code(e) ?? (e as Error).message})`);
  }
  try {
    createExclusive(privatePath, keys.privatePem, 0o600);
  } catch (e) {
    if (code(e) === 'EEXIST') throw new InputError(`--out: ${privatePath} exists; keygen never overwrites a key (choose another folder)`);
    if (code(e)) throw new InputError(`--out ${shown}: cannot write private.pem there (${code(e)})`);
    throw e;
  }
  try {
    createExclusive(publicPath, keys.publicPem, 0o644);
  } catch (e) {
    // Not half a key pair: the private key just written goes.
    rmSync(privatePath, { force: true });
    if (code(e) === 'EEXIST') throw new InputError(`--out: ${publicPath} exists; keygen never overwrites a key (choose another folder)`);
    if (code(e)) throw new InputError(`--out ${shown}: cannot write public.pem there (${code(e)})`);
    throw e;
  }
  fsyncDir(dir);
  return { privateKey: privatePath, publicKey: publicPath, keyId: keyFingerprint(createPublicKey(keys.publicPem)) };
}
