/**
 * The auto-bidding agent kinds a config may name (`bidders[i].agent.kind` in a
 * config with `steps > 1`): their argument schemas and how each is built.
 * Offline agents (`bc`, `iql`) train on their dataset when built (loading
 * TensorFlow.js then, not before).
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { AutoBidder } from '../env/autobid/core.js';
import { parseTransitions, readTransitions, type StepTransition } from '../env/autobid/transitions.js';
import { sentInput } from '../env/io/sent-inputs.js';
import { InputError } from '../env/errors.js';
import type { Rng } from '../env/rng.js';
import { Abid, abidSchema } from '../agents/autobid/abid.js';
import { NoisyBidder } from '../agents/autobid/noisy.js';
import { bcSchema, iqlSchema } from '../models/autobid/args.js';
import { OfflinePolicy, type OfflinePolicyParams } from '../agents/autobid/offline/policy.js';
import { LagrangianBandit, lagrangianSchema, type LagrangianState } from '../agents/autobid/lagrangian.js';
import { OnlineLp, onlineLpSchema } from '../agents/autobid/online-lp.js';
import { PidCpa, pidSchema } from '../agents/autobid/pid.js';
import { loadAutoBidPolicy } from '../agents/autobid/policy-file.js';
import { makeInnerLearner, StepLearner, stepActorCriticSchema, stepDqnSchema, stepQLearningSchema, stepReinforceSchema, STEP_LEARNER_KINDS } from '../agents/autobid/step-learner.js';
import { rng as rootRng } from '../env/rng.js';

/** `agent: { kind: policy, path }`: a step-level policy file (agents/autobid/policy-file.ts), played frozen. */
export const autoBidPolicySchema = z
  .object({
    kind: z.literal('policy'),
    path: z.string().min(1).describe('step-level policy file (policies/<bidder>.json of a step-level run, or a copy from bidgym export), relative to the config file'),
  })
  .strict();

/** `bidders[i].agent` of a step-level config. */
export const autoBidAgentSchema = z.discriminatedUnion('kind', [
  abidSchema,
  pidSchema,
  onlineLpSchema,
  lagrangianSchema,
  stepQLearningSchema,
  stepDqnSchema,
  stepReinforceSchema,
  stepActorCriticSchema,
  bcSchema,
  iqlSchema,
  autoBidPolicySchema,
]);
export type AutoBidAgentSpec = z.output<typeof autoBidAgentSchema>;

/** The kinds, in the order of the schema. */
export const AUTOBID_KINDS = ['abid', 'pid', 'online-lp', 'lagrangian', ...STEP_LEARNER_KINDS, 'bc', 'iql', 'policy'] as const;

/** Kinds that learn online over the config's training `episodes`: `lagrangian` and bidgym's learners through the step-level adapter (agents/autobid/step-learner.ts). */
export const ONLINE_LEARNER_KINDS: readonly string[] = ['lagrangian', ...STEP_LEARNER_KINDS];

/** What building an offline agent measured. */
export interface TrainingInfo {
  kind: string;
  /** Bidder and replication it was trained for (set by the runner). */
  bidder?: string;
  replication?: number;
  dataset: string;
  transitions: number;
  seconds: number;
}

/** Resolves a dataset path against the config file's folder. */
export function datasetPath(path: string, configDir: string): string {
  return isAbsolute(path) ? path : resolve(configDir, path);
}

/**
 * Builds one bidder (a fresh one per episode for the stateless baselines is not
 * needed: every bidder resets itself at the start of an episode).
 * @param rng the bidder's own stream (offline training seeds)
 * @param datasets cache of datasets read so far, by absolute path
 */
export async function makeAutoBidder(
  spec: AutoBidAgentSpec,
  opts: { configDir: string; rng: Rng; noise?: number; datasets?: Map<string, StepTransition[]>; beta?: number; onTrained?: (t: TrainingInfo) => void },
): Promise<AutoBidder> {
  const inner = await build(spec, opts);
  return opts.noise ? new NoisyBidder(inner, opts.noise) : inner;
}

async function build(spec: AutoBidAgentSpec, opts: { configDir: string; rng: Rng; datasets?: Map<string, StepTransition[]>; beta?: number; onTrained?: (t: TrainingInfo) => void }): Promise<AutoBidder> {
  switch (spec.kind) {
    case 'abid':
      return new Abid(spec);
    case 'pid':
      return new PidCpa(spec);
    case 'online-lp':
      return new OnlineLp(spec);
    case 'lagrangian':
      return new LagrangianBandit(spec);
    case 'q-learning':
    case 'dqn':
    case 'reinforce':
    case 'actor-critic':
      // The learner initialises (weights, tables) from the bidder's stream `init`; it explores from the market's stream of the bidder.
      return new StepLearner(spec, makeInnerLearner(spec, opts.rng.stream('init')));
    case 'policy':
      // A file handed to the run (a queue worker's copy, evaluate's verified bytes) is taken by the path as named (env/io/sent-inputs.ts).
      return loadAutoBidPolicy(sentInput(spec.path, `agent.path`) !== null ? spec.path : datasetPath(spec.path, opts.configDir)).bidder();
    case 'bc':
    case 'iql': {
      const sent = sentInput(spec.dataset, 'agent.dataset');
      const path = sent === null ? datasetPath(spec.dataset, opts.configDir) : 'path' in sent ? sent.path : spec.dataset;
      let data = opts.datasets?.get(path);
      if (!data) {
        data = sent !== null && 'bytes' in sent ? parseTransitions(Buffer.from(sent.bytes).toString('utf8'), spec.dataset).transitions : readTransitions(path).transitions;
        opts.datasets?.set(path, data);
      }
      // TensorFlow.js loads only when an offline agent is built; the wasm backend unless one was started already.
      const backend = await import('../models/backend.js');
      if (!backend.currentBackend()) await backend.initBackend('wasm');
      const t0 = performance.now();
      const trained = spec.kind === 'bc' ? await (await import('../models/autobid/bc.js')).trainBc(data, spec, opts.rng.stream('train')) : await (await import('../models/autobid/iql.js')).trainIql(data, spec, opts.rng.stream('train'), opts.beta ?? 2);
      opts.onTrained?.({ kind: spec.kind, dataset: path, transitions: data.length, seconds: (performance.now() - t0) / 1000 });
      return new OfflinePolicy(trained.kind, trained.params);
    }
  }
}

/**
 * Builds a baseline (abid, pid, online-lp), an untrained online learner
 * (lagrangian, q-learning, dqn, reinforce, actor-critic: learning on until
 * setLearning(false)) or a policy file (its path as given) without a dataset;
 * offline kinds need {@link makeAutoBidder}.
 * @param rng the learners' initialisation stream (default: the stream `init` of seed 0)
 */
export function makeBaselineAutoBidder(spec: AutoBidAgentSpec, noise = 0, rng?: Rng): AutoBidder {
  let b: AutoBidder;
  switch (spec.kind) {
    case 'abid':
      b = new Abid(spec);
      break;
    case 'pid':
      b = new PidCpa(spec);
      break;
    case 'online-lp':
      b = new OnlineLp(spec);
      break;
    case 'lagrangian':
      b = new LagrangianBandit(spec);
      break;
    case 'q-learning':
    case 'dqn':
    case 'reinforce':
    case 'actor-critic':
      b = new StepLearner(spec, makeInnerLearner(spec, (rng ?? rootRng(0)).stream('init')));
      break;
    case 'policy':
      b = loadAutoBidPolicy(spec.path).bidder();
      break;
    default:
      throw new InputError(`agent.kind: ${spec.kind} trains on a dataset; build it with makeAutoBidder (async) instead`);
  }
  return noise ? new NoisyBidder(b, noise) : b;
}

/**
 * Checks the files a step-level config's bidders name, before any work: each
 * `dataset` is a readable regular file, each `policy` file a valid step-level
 * policy (agents/autobid/policy-file.ts). Paths start from `configDir`.
 * @throws InputError naming the bidder's field
 */
export function preflightAutoBid(c: { bidders: { agent: AutoBidAgentSpec }[] }, configDir: string): void {
  c.bidders.forEach((b, i) => {
    const a = b.agent;
    if (a.kind === 'bc' || a.kind === 'iql') {
      const path = datasetPath(a.dataset, configDir);
      let ok = false;
      try {
        ok = statSync(path).isFile();
      } catch {
        ok = false;
      }
      if (!ok) throw new InputError(`bidders[${i}].agent.dataset: cannot read ${path} (not a readable file)`);
    } else if (a.kind === 'policy') {
      try {
        loadAutoBidPolicy(datasetPath(a.path, configDir));
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`bidders[${i}].agent.path: ${e.message}`);
        throw e;
      }
    }
  });
}

/** Rebuilds an exported offline policy (`{ kind, params }` as written by params()). */
export function offlinePolicyFrom(kind: 'bc' | 'iql', params: unknown): OfflinePolicy {
  return new OfflinePolicy(kind, params as OfflinePolicyParams);
}

/** Rebuilds a trained `lagrangian` bidder from its exported params (`{ …arguments, state }` as written by params()). */
export function lagrangianFrom(params: unknown): LagrangianBandit {
  const { state, ...args } = (params ?? {}) as { state?: LagrangianState } & Record<string, unknown>;
  const parsed = lagrangianSchema.safeParse({ ...args, kind: 'lagrangian' });
  if (!parsed.success) throw new InputError(`policy.params: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  if (!state || !Array.isArray(state.factors) || state.factors.length !== parsed.data.arms) throw new InputError(`policy.params.state: expected the learnt state of ${parsed.data.arms} arms`);
  return new LagrangianBandit(parsed.data, state);
}
