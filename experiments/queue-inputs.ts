/**
 * The files a trial's config names, for queued sweeps: a queued trial travels as
 * data. The sweep reads each file its trials' configs name once, and puts its
 * bytes (with their sha256) into the job of every trial that names it; a worker
 * checks the hashes, writes the files into its own work folder and runs the
 * trial on those copies (env/io/sent-inputs.ts, strict mode). It never opens a
 * path a job names.
 *
 * What travels:
 * - `bidders[].agent: { kind: policy, path }`: the policy file (size cap of
 *   policy files, validated as a policy on the sweep side);
 * - `interestModel.path`: the saved model folder, as `model.json` and the
 *   weights file its manifest names (a plain file name in the folder);
 * - a log market's `log.path`, `log.info` and `log.trainPath`;
 * - a step-level config's (steps > 1) `dataset` of bc / iql bidders and the
 *   step-level policy file of `agent: { kind: policy, path }` bidders (named
 *   from the config file's folder on the sweep side).
 *
 * A log market's `log.cacheDir` (a cache the trial writes) is not sent: the
 * worker gives the trial an empty folder of its own instead (the cache only
 * saves time; results do not depend on it). Any other path an agent names
 * cannot travel and is refused before queueing.
 *
 * Size caps: the files one job carries ({@link DEFAULT_MAX_JOB_INPUT_BYTES},
 * `--max-job-inputs-mb`), and all jobs of a sweep together, as Redis holds them
 * ({@link DEFAULT_MAX_SWEEP_INPUT_BYTES}, `--max-sweep-inputs-mb`): over
 * either, the sweep is refused before anything is written or queued.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadPolicyText, policyMaxBytes, readRegularFile } from '../agents/policy.js';
import { InputError } from '../env/errors.js';
import type { SentInput } from '../env/io/sent-inputs.js';
import type { ResolvedConfig } from './config.js';
import type { ResolvedAutoBidConfig } from './autobid-config.js';
import { loadAutoBidPolicyText } from '../agents/autobid/policy-file.js';

/** A config names a file that cannot travel with a queued trial, or the files are over a cap (exit code 2). */
export class QueueInputError extends InputError {}

/** Default cap on the bytes of the files one job carries: 64 MiB. */
export const DEFAULT_MAX_JOB_INPUT_BYTES = 64 * 1024 * 1024;
/** Default cap on the bytes of the files all jobs of a sweep carry together: 1 GiB. */
export const DEFAULT_MAX_SWEEP_INPUT_BYTES = 1024 * 1024 * 1024;

/** What a named path is: a policy file, a saved model folder, a data file (logs), a cache folder (not sent). */
export type InputKind = 'policy' | 'model' | 'file' | 'cache';

/** One file of a sent input, as it travels in a job. */
export interface SentFile {
  /** File name in the input's folder on the worker (a plain name: letters, digits, `.`, `_`, `-`). */
  name: string;
  /** sha256 of the bytes, hex. */
  sha256: string;
  /** The bytes, base64. */
  base64: string;
}

/** One path a config names, as it travels in a job. */
export interface JobInput {
  kind: Exclude<InputKind, 'cache'>;
  files: SentFile[];
}

/** The inputs of a job: path exactly as the config names it → its files. */
export type JobInputs = Record<string, JobInput>;

/** A plain file name a worker may write in its own folder. */
export const SAFE_FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Agent fields that name a file or folder. */
const PATH_FIELDS: ReadonlySet<string> = new Set(['path', 'dataset', 'file', 'dir', 'folder', 'log', 'cacheDir']);

/** A path a config names. */
export interface NamedPath {
  /** The config field, for messages (`interestModel.path`). */
  field: string;
  /** The path exactly as named (the key of the job's inputs). */
  path: string;
  /** Where the sweep reads it (a log market's relative paths start from its config's folder). */
  at: string;
  /** What it is; `unsupported`: a file no reader takes from a job. */
  kind: InputKind | 'unsupported';
}

/** A resolved config of either level: per-auction, or step-level (steps > 1, with the folder its relative paths start from). */
export type TrialConfig = ResolvedConfig | { autoBid: ResolvedAutoBidConfig; configDir: string };

/**
 * The files a step-level config names: each bidder's `dataset` (bc, iql: a
 * data file) and `policy` path (a step-level policy file). The path as named is
 * the key of the job's inputs; the sweep reads it from the config's folder.
 */
function autoBidNamedPaths(cfg: ResolvedAutoBidConfig, configDir: string): NamedPath[] {
  const out: NamedPath[] = [];
  cfg.bidders.forEach((b, i) => {
    const a = b.agent;
    if (a.kind === 'bc' || a.kind === 'iql') out.push({ field: `bidders[${i}].agent.dataset`, path: a.dataset, at: isAbsolute(a.dataset) ? a.dataset : resolve(configDir, a.dataset), kind: 'file' });
    else if (a.kind === 'policy') out.push({ field: `bidders[${i}].agent.path`, path: a.path, at: isAbsolute(a.path) ? a.path : resolve(configDir, a.path), kind: 'policy' });
  });
  return out;
}

/** The file paths a resolved config names, with the field that names each. */
export function namedPaths(trial: TrialConfig): NamedPath[] {
  if ('autoBid' in trial) return autoBidNamedPaths(trial.autoBid, trial.configDir);
  const cfg = trial;
  const out: NamedPath[] = [];
  cfg.bidders.forEach((b, i) => {
    const agent = b.agent as Record<string, unknown> & { kind: string };
    for (const [k, v] of Object.entries(agent)) {
      if (!PATH_FIELDS.has(k) || typeof v !== 'string') continue;
      out.push({ field: `bidders[${b.source}].agent.${k}`, path: v, at: v, kind: agent.kind === 'policy' && k === 'path' ? 'policy' : 'unsupported' });
    }
  });
  const im = cfg.interestModel as { path?: unknown };
  if (typeof im.path === 'string') out.push({ field: 'interestModel.path', path: im.path, at: im.path, kind: 'model' });
  if (cfg.log) {
    const { baseDir } = cfg.log;
    const files: [string, string | undefined, InputKind][] = [
      ['path', cfg.log.path, 'file'],
      ['info', cfg.log.info, 'file'],
      ['trainPath', cfg.log.trainPath, 'file'],
      ['cacheDir', cfg.log.cacheDir, 'cache'],
    ];
    for (const [k, p, kind] of files) if (typeof p === 'string') out.push({ field: `log.${k}`, path: p, at: isAbsolute(p) || !baseDir ? p : resolve(baseDir, p), kind }); // as log-replication.ts resolveFromConfig
  }
  return out;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** Caps of {@link readTrialInputs}, bytes. */
export interface InputCaps {
  /** The files one job carries. */
  perJob: number;
  /** All jobs together. */
  total: number;
}

/** Checks a cap given as an option (bytes). @throws QueueInputError naming `flag` */
export function checkInputCap(v: number | undefined, fallback: number, flag: string): number {
  const x = v ?? fallback;
  if (!Number.isSafeInteger(x) || x < 1) throw new QueueInputError(`${flag}: expected a positive size — got ${v}`);
  return x;
}

/**
 * Reads a saved model folder: `model.json` and the weights file its manifest
 * names (a plain name in the folder, so that the worker writes it in its own).
 */
function readModelFolder(n: NamedPath, cap: number): SentFile[] {
  const json = readRegularFile(join(n.at, 'model.json'), cap, 'saved model file');
  let names: unknown;
  try {
    names = (JSON.parse(json.toString('utf8')) as { weightsManifest?: { paths?: unknown }[] }).weightsManifest?.[0]?.paths;
  } catch {
    throw new QueueInputError(`${n.field}: ${n.at}/model.json is not JSON`);
  }
  if (!Array.isArray(names) || names.length !== 1 || typeof names[0] !== 'string' || !SAFE_FILE_NAME.test(names[0]) || names[0] === 'model.json') {
    throw new QueueInputError(`${n.field}: ${n.at}/model.json must name one weights file in its own folder (as bidgym train-model writes it)`);
  }
  const weights = readRegularFile(join(n.at, names[0]), cap, 'saved model file');
  return [
    { name: 'model.json', sha256: sha256(json), base64: json.toString('base64') },
    { name: names[0], sha256: sha256(weights), base64: weights.toString('base64') },
  ];
}

/** Bytes of an input's files. */
const inputBytes = (i: JobInput) => i.files.reduce((n, f) => n + Math.floor((f.base64.length * 3) / 4) - (f.base64.endsWith('==') ? 2 : f.base64.endsWith('=') ? 1 : 0), 0);

/**
 * The files each trial's config names, read once each (a file named by many
 * trials is read once and shared), validated, hashed, and checked against the
 * caps before anything is queued.
 *
 * @param configs grid point index → resolved config, of the trials to queue
 * @param ids grid point index → trial id, for messages
 * @returns grid point index → the job's inputs
 * @throws QueueInputError for a file that cannot travel or a cap exceeded; PolicyError for an unreadable or invalid policy file or an unreadable file
 */
export function readTrialInputs(configs: ReadonlyMap<number, TrialConfig>, caps: InputCaps, ids: ReadonlyMap<number, string> = new Map()): Map<number, JobInputs> {
  const read = new Map<string, JobInput>();
  const out = new Map<number, JobInputs>();
  let total = 0;
  for (const [index, cfg] of configs) {
    const inputs: JobInputs = {};
    let bytes = 0;
    for (const n of namedPaths(cfg)) {
      if (n.kind === 'unsupported') throw new QueueInputError(`${n.field}: a queued sweep sends its trials as data, and this file cannot travel with them; run this sweep without --queue`);
      if (n.kind === 'cache') continue;
      if (Object.hasOwn(inputs, n.path)) {
        if (inputs[n.path]!.kind !== n.kind) throw new QueueInputError(`${n.field}: ${n.path} is named as two kinds of input in one trial`);
        continue;
      }
      const key = `${n.kind}\0${n.at}`;
      let input = read.get(key);
      if (input === undefined) {
        const size = n.kind === 'model' ? 0 : sizeOf(n.at);
        if (size > caps.perJob) throw overJob(index, size, n);
        if (n.kind === 'policy') {
          const buf = readRegularFile(n.at, Math.min(policyMaxBytes(), caps.perJob), 'policy file');
          // A step-level config's policy file is a step-level one (level "step"), validated as such.
          if ('autoBid' in cfg) loadAutoBidPolicyText(buf.toString('utf8'), n.path);
          else loadPolicyText(buf.toString('utf8'), n.path);
          input = { kind: 'policy', files: [{ name: 'policy.json', sha256: sha256(buf), base64: buf.toString('base64') }] };
        } else {
          try {
            if (n.kind === 'model') input = { kind: 'model', files: readModelFolder(n, caps.perJob) };
            else {
              const buf = readRegularFile(n.at, caps.perJob, 'file');
              input = { kind: 'file', files: [{ name: 'data', sha256: sha256(buf), base64: buf.toString('base64') }] };
            }
          } catch (e) {
            if (e instanceof QueueInputError || !(e instanceof InputError)) throw e;
            throw new QueueInputError(`${n.field}: ${e.message}`);
          }
        }
        read.set(key, input);
      }
      inputs[n.path] = input;
      bytes += inputBytes(input);
      if (bytes > caps.perJob) throw overJob(index, bytes, n);
    }
    total += bytes;
    if (total > caps.total) {
      throw new QueueInputError(`--max-sweep-inputs-mb: the queued trials carry ${mib(total)} of files so far (each job carries its own copy), over the cap of ${mib(caps.total)}; raise --max-sweep-inputs-mb or run this sweep without --queue`);
    }
    out.set(index, inputs);
  }
  return out;

  function overJob(index: number, bytes: number, n: NamedPath): QueueInputError {
    return new QueueInputError(`--max-job-inputs-mb: trial ${ids.get(index) ?? index} carries ${mib(bytes)} of files (${n.field} ${n.path} and the files before it), over the cap of ${mib(caps.perJob)}; raise --max-job-inputs-mb (workers too) or run this sweep without --queue`);
  }
}

/** Size of a file, 0 when it cannot be statted (reading it then says why). */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes of the files a job carries. */
export function jobInputBytes(inputs: JobInputs): number {
  return Object.values(inputs).reduce((n, i) => n + inputBytes(i), 0);
}

/**
 * Checks, on a worker, that every file a trial's config names was sent with it,
 * as what the config names it as.
 *
 * @returns null when all were, else the reason (one line) for failing the job
 */
export function missingInputs(cfg: TrialConfig, inputs: Readonly<JobInputs>): string | null {
  for (const n of namedPaths(cfg)) {
    if (n.kind === 'cache') continue;
    if (n.kind === 'unsupported') return `${n.field}: this trial names a file that does not travel with it; a worker opens no path a job names`;
    const sent = Object.hasOwn(inputs, n.path) ? inputs[n.path]! : undefined;
    const what = n.kind === 'policy' ? 'the policy file' : n.kind === 'model' ? 'the saved model' : 'the file';
    if (sent === undefined) return `${n.field}: ${what} this trial names was not sent with it; a worker opens no path a job names`;
    if (sent.kind !== n.kind) return `${n.field}: was sent as a ${sent.kind}, the config names a ${n.kind}`;
  }
  return null;
}

/**
 * Writes a job's inputs into `dir` (the worker's own folder for the trial),
 * checking each file's sha256, and returns what the trial reads instead of the
 * paths its config names (env/io/sent-inputs.ts); a log market's cache folder
 * becomes an empty folder in `dir`.
 *
 * @returns path as named → local copy; or the reason (one line) to fail the job
 */
export function materialiseInputs(cfg: TrialConfig, inputs: Readonly<JobInputs>, dir: string): Map<string, SentInput> | string {
  const local = new Map<string, SentInput>();
  let i = 0;
  for (const [named, input] of Object.entries(inputs)) {
    const d = join(dir, `input-${i++}`);
    mkdirSync(d, { recursive: true });
    const names = new Set<string>();
    for (const f of input.files) {
      if (!SAFE_FILE_NAME.test(f.name) || names.has(f.name)) return `an input of this job has a bad file name`;
      names.add(f.name);
      const bytes = Buffer.from(f.base64, 'base64');
      if (sha256(bytes) !== f.sha256) return `the input ${named} does not match its sha256 (damaged or changed on the way)`;
      writeFileSync(join(d, f.name), bytes, { mode: 0o600 });
    }
    if (input.kind === 'model') local.set(named, { path: d });
    else if (input.files.length !== 1) return `the input ${named} must be one file`;
    else local.set(named, { path: join(d, input.files[0]!.name) });
  }
  for (const n of namedPaths(cfg)) {
    if (n.kind !== 'cache' || local.has(n.path)) continue;
    const d = join(dir, `cache-${i++}`);
    mkdirSync(d, { recursive: true });
    local.set(n.path, { path: d });
  }
  return local;
}
