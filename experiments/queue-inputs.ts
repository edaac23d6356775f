/**
 * The files a trial's config names, for queued sweeps: a queued trial travels as
 * data, so the sweep reads the files its config names and puts their content in
 * the job, and a worker never opens a path a job names.
 *
 * - `bidders[].agent: { kind: policy, path }`: the policy file is read here
 *   (size cap, regular files only, validated as a policy) and sent as text;
 *   the worker's trial takes it from the job (agents/policy-io.ts `usePolicyInputs`).
 * - Any other file an agent names (`dataset` of the offline learners, …) and
 *   `interestModel.path` (a saved model folder): not sent yet, so a queued
 *   sweep refuses them before queueing (run such a sweep locally), and a worker
 *   fails such a job at once.
 */
import { loadPolicyText, policyMaxBytes, readRegularFile } from '../agents/policy.js';
import { InputError } from '../env/errors.js';
import type { ResolvedConfig } from './config.js';

/** A config names a file that cannot travel with a queued trial (exit code 2). */
export class QueueInputError extends InputError {}

/** Agent fields that name a file or folder. */
const PATH_FIELDS: ReadonlySet<string> = new Set(['path', 'dataset', 'file', 'dir', 'folder', 'log', 'cacheDir']);

/** The file paths a resolved config names, with the field that names each. */
export function namedPaths(cfg: ResolvedConfig): { field: string; path: string; kind: 'policy' | 'model' | 'file' }[] {
  const out: { field: string; path: string; kind: 'policy' | 'model' | 'file' }[] = [];
  cfg.bidders.forEach((b, i) => {
    const agent = b.agent as Record<string, unknown> & { kind: string };
    for (const [k, v] of Object.entries(agent)) {
      if (!PATH_FIELDS.has(k) || typeof v !== 'string') continue;
      out.push({ field: `bidders[${i}].agent.${k}`, path: v, kind: agent.kind === 'policy' && k === 'path' ? 'policy' : 'file' });
    }
  });
  const im = cfg.interestModel as { path?: unknown };
  if (typeof im.path === 'string') out.push({ field: 'interestModel.path', path: im.path, kind: 'model' });
  return out;
}

/**
 * The policy files the configs name, read and validated: path (as the config
 * names it) → text.
 *
 * @throws QueueInputError for a saved model (cannot travel yet); PolicyError for an unreadable or invalid policy file
 */
export function readTrialInputs(configs: ResolvedConfig[]): Record<string, string> {
  const policies: Record<string, string> = {};
  for (const cfg of configs) {
    for (const n of namedPaths(cfg)) {
      if (n.kind !== 'policy') throw new QueueInputError(`${n.field}: a queued sweep sends its trials as data, and only policy files travel with them yet (not ${n.kind === 'model' ? 'saved models' : 'this file'}); run this sweep without --queue`);
      if (Object.hasOwn(policies, n.path)) continue;
      const text = readRegularFile(n.path, policyMaxBytes(), 'policy file').toString('utf8');
      loadPolicyText(text, n.path);
      policies[n.path] = text;
    }
  }
  return policies;
}

/**
 * Checks, on a worker, that every file a trial's config names was sent with it.
 *
 * @returns null when all were, else the reason (one line) for failing the job
 */
export function missingInputs(cfg: ResolvedConfig, policies: Readonly<Record<string, string>>): string | null {
  for (const n of namedPaths(cfg)) {
    if (n.kind !== 'policy') return `${n.field}: this trial names a file that does not travel with it; a worker opens no path a job names`;
    if (!Object.hasOwn(policies, n.path)) return `${n.field}: the policy file this trial names was not sent with it; a worker opens no path a job names`;
  }
  return null;
}
