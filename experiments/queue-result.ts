/**
 * Checks a trial result that arrived through Redis before a byte of it is
 * written (queue.ts): whoever can write to the Redis can write a result, so a
 * result is data to verify, not files to copy.
 *
 * - Size: the decoded files together are capped (gunzip stops at the cap, so a
 *   small compressed value cannot grow into gigabytes), and so is their number.
 * - Paths: plain relative names of `.json` and `.csv` files, no `..`, no hidden
 *   names. HTML, SVG and PNG files (a report) are never taken from a worker: the
 *   sweep writes each trial's report itself from the data.
 * - Content: every file's sha256 matches; `summary.json` is a summary of this
 *   trial (name, config hash, seed, replications and bidder ids those of the
 *   sweep's own resolved config of the grid point; every statistic exactly
 *   `stat()` of its per-replication values; every number finite);
 *   `resolved-config.json` is the sweep's own resolved config; each
 *   `policies/<bidder>.json` is a valid policy file (agents/policy-format.ts) of
 *   a bidder of the config.
 *
 * Without the queue secret these checks are all there is: a result that passes
 * them is trusted as the Redis is. With it, queue-auth.ts also proves that a
 * worker holding the secret produced it.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { canonicalJson } from '../env/canonical-json.js';
import { loadPolicyText } from '../agents/policy.js';
import { loadAutoBidPolicyText } from '../agents/autobid/policy-file.js';
import type { TrialConfig } from './queue-inputs.js';
import { stat } from './stats.js';

/** Default cap on the decoded bytes of one trial result: 256 MiB. */
export const DEFAULT_MAX_RESULT_BYTES = 256 * 1024 * 1024;
/** Most files in one trial result. */
const MAX_FILES = 1000;
/** A relative path of plain names (no hidden names, no `..`). */
const SAFE_PATH = /^[A-Za-z0-9_=+,-][A-Za-z0-9_=+,.-]*(\/[A-Za-z0-9_=+,-][A-Za-z0-9_=+,.-]*){0,3}$/;
/** Files a result may hold; anything else is refused. */
const DATA_FILE = /\.(json|csv)$/;
/** Files of a report: dropped, the sweep writes the report itself. */
const REPORT_FILE = /\.(html|svg|png)$/;

/** A result the sweep will not write: it says why (one line). */
export class ResultRefused extends Error {}

/** One checked file, ready to write. */
export interface CheckedFile {
  /** `/`-separated path inside the trial folder. */
  rel: string;
  bytes: Buffer;
}

const fileSchema = z.object({ path: z.string().max(300), gzip: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const payloadSchema = z.looseObject({ files: z.array(fileSchema).max(MAX_FILES) });

const statSchema = z.object({ mean: z.number().nullable(), ci95: z.tuple([z.number().nullable(), z.number().nullable()]), values: z.array(z.number().nullable()) }).strict();
const summarySchema = z.looseObject({
  name: z.string(),
  configHash: z.string(),
  seed: z.number(),
  replications: z.number().int().min(1),
  interestModel: z.looseObject({ kind: z.string(), backend: z.string() }),
  market: z.record(z.string(), statSchema.nullable()),
  bidders: z.record(z.string(), z.record(z.string(), statSchema.nullable())),
});

/** summary.json of a step-level trial (experiments/autobid-run.ts): per bidder its kind, budget, targets and statistics. */
const autoBidSummarySchema = z.looseObject({
  name: z.string(),
  configHash: z.string(),
  seed: z.number(),
  replications: z.number().int().min(1),
  steps: z.number().int().min(2),
  bidders: z.record(z.string(), z.record(z.string(), z.union([statSchema, z.number(), z.string()]))),
});

/** Throws unless every number in `v` is finite and nesting stays shallow. */
function checkTree(v: unknown, where: string, depth = 0): void {
  if (depth > 12) throw new ResultRefused(`${where}: nested too deep`);
  if (typeof v === 'number' && !Number.isFinite(v)) throw new ResultRefused(`${where}: a number that is not finite`);
  if (Array.isArray(v)) v.forEach((x, i) => checkTree(x, `${where}[${i}]`, depth + 1));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) checkTree(x, `${where}.${k}`, depth + 1);
}

/** Every {mean, ci95, values} object under `v` must be exactly `stat(values)` over `n` replications. */
function checkStats(v: unknown, where: string, n: number): void {
  if (Array.isArray(v) || v === null || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  if ('mean' in o && 'values' in o && 'ci95' in o) {
    const s = statSchema.safeParse(o);
    if (!s.success) throw new ResultRefused(`${where}: not a statistic {mean, ci95, values}`);
    if (s.data.values.length !== n) throw new ResultRefused(`${where}: ${s.data.values.length} values, the trial has ${n} replications`);
    const want = stat(s.data.values.map((x) => (x === null ? NaN : x)));
    if (JSON.stringify(want) !== JSON.stringify(s.data)) throw new ResultRefused(`${where}: its mean and interval are not those of its values`);
    return;
  }
  for (const [k, x] of Object.entries(o)) checkStats(x, `${where}.${k}`, n);
}

function json(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ResultRefused(`${where}: not valid JSON`);
  }
}

/**
 * Checks a result payload for one trial and returns its data files.
 *
 * @param payload the job's return value, as read from Redis
 * @param cfg the sweep's own resolved config of the grid point
 * @param expectedHash `configHash(cfg)`
 * @param maxBytes cap on the decoded bytes of all files
 * @throws ResultRefused saying what is wrong
 */
export function checkTrialResult(payload: unknown, trial: TrialConfig, expectedHash: string, maxBytes = DEFAULT_MAX_RESULT_BYTES): CheckedFile[] {
  // A step-level trial (steps > 1): its own summary shape and step-level policy files.
  const step = 'autoBid' in trial;
  const cfg: { name: string; seed: number; replications: number; bidders: { id: string }[] } = step ? trial.autoBid : trial;
  const p = payloadSchema.safeParse(payload);
  if (!p.success) {
    const i = p.error.issues[0]!;
    throw new ResultRefused(`result: ${i.path.join('.') || 'payload'}: ${i.message}`);
  }
  const ids = cfg.bidders.map((b) => b.id).sort();
  // A bidder's policy file is taken by its exact name (ids follow the config's id rule, experiments/ids.ts).
  const policyPaths = new Set(ids.filter((id) => id !== '.' && id !== '..' && !id.includes('/')).map((id) => `policies/${id}.json`));
  const seen = new Set<string>();
  let budget = maxBytes;
  const files: CheckedFile[] = [];
  for (const f of p.data.files) {
    if (!policyPaths.has(f.path) && (!SAFE_PATH.test(f.path) || f.path.split('/').includes('..'))) throw new ResultRefused(`result: refused file path ${JSON.stringify(f.path.slice(0, 80))}`);
    if (seen.has(f.path)) throw new ResultRefused(`result: ${f.path} is listed twice`);
    seen.add(f.path);
    if (REPORT_FILE.test(f.path)) continue;
    if (!DATA_FILE.test(f.path)) throw new ResultRefused(`result: ${f.path} is not a data file of a trial (.json or .csv)`);
    let bytes: Buffer;
    try {
      bytes = gunzipSync(Buffer.from(f.gzip, 'base64'), { maxOutputLength: budget + 1 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new ResultRefused(`result: the files decode to more than the ${maxBytes}-byte cap on a trial result (at ${f.path})`);
      throw new ResultRefused(`result: ${f.path} is not valid gzip`);
    }
    if (bytes.length > budget) throw new ResultRefused(`result: the files decode to more than the ${maxBytes}-byte cap on a trial result (at ${f.path})`);
    budget -= bytes.length;
    if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw new ResultRefused(`result: ${f.path} arrived damaged (sha256 differs)`);
    files.push({ rel: f.path, bytes });
  }

  const byPath = new Map(files.map((f) => [f.rel, f]));
  const summaryFile = byPath.get('summary.json');
  if (!summaryFile) throw new ResultRefused('result: no summary.json');
  const summary = json(summaryFile.bytes, 'summary.json');
  checkTree(summary, 'summary.json');
  const s = (step ? autoBidSummarySchema : summarySchema).safeParse(summary);
  if (!s.success) {
    const i = s.error.issues[0]!;
    throw new ResultRefused(`summary.json: ${i.path.join('.') || 'document'}: ${i.message}`);
  }
  if (s.data.configHash !== expectedHash) throw new ResultRefused(`summary.json: config hash ${s.data.configHash.slice(0, 20)}, this trial's is ${expectedHash} (the worker resolves configs differently: other code?)`);
  if (s.data.name !== cfg.name || s.data.seed !== cfg.seed || s.data.replications !== cfg.replications) throw new ResultRefused('summary.json: name, seed or replications are not those of the trial');
  if (canonicalJson(Object.keys(s.data.bidders).sort()) !== canonicalJson(ids)) throw new ResultRefused('summary.json: bidders are not the trial’s bidders');
  checkStats(summary, 'summary.json', cfg.replications);

  const resolved = byPath.get('resolved-config.json');
  if (resolved && canonicalJson(json(resolved.bytes, 'resolved-config.json')) !== canonicalJson(step ? trial.autoBid : trial)) throw new ResultRefused('resolved-config.json: not the trial’s resolved config');
  for (const f of files) {
    if (f.rel.startsWith('policies/')) {
      if (!policyPaths.has(f.rel)) throw new ResultRefused(`result: ${f.rel} is not the policy of a bidder of the trial`);
      try {
        if (step) loadAutoBidPolicyText(f.bytes.toString('utf8'), f.rel, { maxBytes: Math.max(1, f.bytes.length) });
        else loadPolicyText(f.bytes.toString('utf8'), f.rel, { maxBytes: Math.max(1, f.bytes.length) });
      } catch (e) {
        throw new ResultRefused(`result: ${(e as Error).message}`);
      }
    } else if (f.rel.endsWith('.json')) {
      checkTree(json(f.bytes, f.rel), f.rel);
    } else if (f.bytes.includes(0)) {
      throw new ResultRefused(`result: ${f.rel} is not text`);
    }
  }
  return files;
}
