/**
 * checkEnv(): the Gymnasium env checker, for bidgym's envs. Throws with a
 * message naming what is wrong; returns quietly when the env passes.
 *
 * Checks: spaces are Space objects that return the same instance on every call;
 * observations from reset() and step() lie in the observation space; sampled
 * actions are accepted; rewards are finite numbers; terminated / truncated are
 * booleans; reset({ seed }) twice with the same actions gives the same
 * trajectory, and a different seed a different one. `checkEnv` takes any of
 * bidgym's three kinds of env (single-agent, vector, parallel) and runs the
 * checks that fit it; `checkVectorEnv` and `checkParallelEnv` are the last two.
 */
import type { Env, ParallelEnv, VectorEnv } from './core.js';
import { rng } from './rng.js';
import type { Space } from './spaces.js';

function fail(msg: string): never {
  throw new Error(`checkEnv: ${msg}`);
}

function assertIn<T>(space: Space<T>, x: unknown, what: string): void {
  if (!space.contains(x)) fail(`${what} is not in the observation space: ${JSON.stringify(Array.from(x as ArrayLike<number>))}`);
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

function isParallel(env: object): env is ParallelEnv<string, unknown, unknown, unknown> {
  return 'possibleAgents' in env;
}

function isVector(env: object): env is VectorEnv<unknown, unknown, unknown> {
  return 'num' in env && 'singleObservationSpace' in env;
}

function checkSpace(s: unknown, name: string): void {
  const sp = s as Space<unknown> | undefined;
  if (!sp || typeof sp.contains !== 'function' || typeof sp.sample !== 'function') fail(`${name} is not a Space`);
}

/**
 * Checks an env: a single-agent env (`bidgym/Bidding-v0`), a vector env
 * (`bidgym/VectorBidding-v0`) or a parallel env (`bidgym/Market-v0`).
 * @param steps steps per trajectory
 */
export function checkEnv<Obs, Act, Info>(env: ParallelEnv<string, Obs, Act, Info>, steps?: number, seed?: number): void;
export function checkEnv<Obs, Act, Info>(env: VectorEnv<Obs, Act, Info>, steps?: number, seed?: number): void;
export function checkEnv<Obs, Act, Info>(env: Env<Obs, Act, Info>, steps?: number, seed?: number): void;
export function checkEnv<Obs, Act, Info>(
  env: Env<Obs, Act, Info> | VectorEnv<Obs, Act, Info> | ParallelEnv<string, Obs, Act, Info>,
  steps = 200,
  seed = 123,
): void {
  if (isParallel(env)) return checkParallelEnv(env as ParallelEnv<string, Obs, Act, Info>, steps, seed);
  if (isVector(env)) return checkVectorEnv(env as VectorEnv<Obs, Act, Info>, steps, seed);
  checkSingleEnv(env as Env<Obs, Act, Info>, steps, seed);
}

function checkSingleEnv<Obs, Act, Info>(env: Env<Obs, Act, Info>, steps: number, seed: number): void {
  if (typeof env.id !== 'string' || !/-v\d+$/.test(env.id)) fail(`id must be a versioned string like "bidgym/Name-v0", got ${String(env.id)}`);
  for (const name of ['observationSpace', 'actionSpace'] as const) {
    const s = env[name] as Space<unknown>;
    if (!s || typeof s.contains !== 'function' || typeof s.sample !== 'function') fail(`${name} is not a Space`);
    if (env[name] !== s) fail(`${name} must return the same object on every access`);
  }
  const roll = (s: number): number[] => {
    const trace: number[] = [];
    const r0 = env.reset({ seed: s });
    assertIn(env.observationSpace, r0.observation, 'reset() observation');
    trace.push(...Array.from(r0.observation as ArrayLike<number>));
    const actions = rng(7).stream('check-actions');
    for (let t = 0; t < steps; t++) {
      const a = env.actionSpace.sample(actions);
      if (!env.actionSpace.contains(a)) fail('actionSpace.sample() gave an action outside the space');
      const r = env.step(a);
      if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) fail(`step ${t}: reward must be a finite number, got ${r.reward}`);
      if (typeof r.terminated !== 'boolean' || typeof r.truncated !== 'boolean') fail(`step ${t}: terminated and truncated must be booleans`);
      assertIn(env.observationSpace, r.observation, `step ${t} observation`);
      trace.push(r.reward, ...Array.from(r.observation as ArrayLike<number>));
      if (r.terminated || r.truncated) {
        const again = env.reset();
        assertIn(env.observationSpace, again.observation, 'reset() (no seed) observation');
      }
    }
    return trace;
  };
  const a = roll(seed);
  const b = roll(seed);
  if (!sameNumbers(a, b)) fail('reset({ seed }) with the same seed and actions gave different trajectories');
  const c = roll(seed + 1);
  if (sameNumbers(a, c)) fail('different seeds gave identical trajectories (is the seed used?)');
}

/**
 * Checks a vector env: `num` copies; the single and batched spaces; reset() and
 * step() return one observation (in the single space), reward, termination,
 * truncation and info per copy, the observations together in the batched space;
 * the same seed and actions give the same trajectory, another seed another one.
 */
export function checkVectorEnv<Obs, Act, Info>(env: VectorEnv<Obs, Act, Info>, steps = 200, seed = 123): void {
  if (typeof env.id !== 'string' || !/-v\d+$/.test(env.id)) fail(`id must be a versioned string like "bidgym/Name-v0", got ${String(env.id)}`);
  if (!Number.isInteger(env.num) || env.num < 1) fail(`num must be a positive integer, got ${String(env.num)}`);
  for (const name of ['singleObservationSpace', 'singleActionSpace', 'observationSpace', 'actionSpace'] as const) {
    checkSpace(env[name], name);
    if (env[name] !== env[name]) fail(`${name} must return the same object on every access`);
  }
  const n = env.num;
  const perCopy = (what: string, xs: unknown): void => {
    if (!Array.isArray(xs) && !ArrayBuffer.isView(xs)) fail(`${what} must be an array with one entry per copy`);
    if ((xs as ArrayLike<unknown>).length !== n) fail(`${what} has ${(xs as ArrayLike<unknown>).length} entries for ${n} copies`);
  };
  const observed = (obs: unknown, what: string, trace: number[]): void => {
    perCopy(what, obs);
    (obs as unknown[]).forEach((o, i) => {
      if (!env.singleObservationSpace.contains(o)) fail(`${what}[${i}] is not in the single observation space: ${JSON.stringify(Array.from(o as ArrayLike<number>))}`);
      trace.push(...Array.from(o as ArrayLike<number>));
    });
    if (!env.observationSpace.contains(obs)) fail(`${what} is not in the batched observation space`);
  };
  const roll = (s: number): number[] => {
    const trace: number[] = [];
    const r0 = env.reset({ seed: s });
    observed(r0.observations, 'reset() observations', trace);
    perCopy('reset() infos', r0.infos);
    const actions = rng(7).stream('check-actions');
    for (let t = 0; t < steps; t++) {
      const a = env.actionSpace.sample(actions);
      if (!env.actionSpace.contains(a)) fail('actionSpace.sample() gave an action outside the space');
      const r = env.step(a);
      perCopy(`step ${t}: rewards`, r.rewards);
      for (let i = 0; i < n; i++) {
        const reward = r.rewards[i];
        if (typeof reward !== 'number' || !Number.isFinite(reward)) fail(`step ${t}: reward of copy ${i} must be a finite number, got ${reward}`);
        trace.push(reward);
      }
      for (const k of ['terminations', 'truncations'] as const) {
        perCopy(`step ${t}: ${k}`, r[k]);
        if (!r[k].every((x) => typeof x === 'boolean')) fail(`step ${t}: ${k} must be booleans`);
      }
      perCopy(`step ${t}: infos`, r.infos);
      observed(r.observations, `step ${t} observations`, trace);
    }
    return trace;
  };
  const a = roll(seed);
  const b = roll(seed);
  if (!sameNumbers(a, b)) fail('reset({ seed }) with the same seed and actions gave different trajectories');
  if (sameNumbers(a, roll(seed + 1))) fail('different seeds gave identical trajectories (is the seed used?)');
}

/** Checks a parallel (multi-agent) env. */
export function checkParallelEnv<Obs, Act, Info>(env: ParallelEnv<string, Obs, Act, Info>, steps = 200, seed = 123): void {
  if (typeof env.id !== 'string' || !/-v\d+$/.test(env.id)) fail(`id must be versioned, got ${String(env.id)}`);
  if (env.possibleAgents.length === 0) fail('possibleAgents is empty');
  for (const a of env.possibleAgents) {
    if (env.observationSpace(a) !== env.observationSpace(a)) fail(`observationSpace("${a}") must return the same object on every call`);
    if (env.actionSpace(a) !== env.actionSpace(a)) fail(`actionSpace("${a}") must return the same object on every call`);
  }
  const roll = (s: number): number[] => {
    const trace: number[] = [];
    const r0 = env.reset({ seed: s });
    for (const a of env.agents) {
      if (!(a in r0.observations)) fail(`reset(): no observation for active agent "${a}"`);
      assertIn(env.observationSpace(a), r0.observations[a], `reset() observation of ${a}`);
    }
    const actions = rng(7).stream('check-actions');
    for (let t = 0; t < steps; t++) {
      if (env.agents.length === 0) {
        env.reset();
        continue;
      }
      const act: Record<string, Act> = {};
      for (const a of env.agents) act[a] = env.actionSpace(a).sample(actions);
      const r = env.step(act);
      let ended = false;
      for (const a of Object.keys(r.rewards)) {
        if (!Number.isFinite(r.rewards[a])) fail(`step ${t}: reward of ${a} is not finite`);
        if (typeof r.terminations[a] !== 'boolean' || typeof r.truncations[a] !== 'boolean') fail(`step ${t}: terminations/truncations of ${a} must be booleans`);
        assertIn(env.observationSpace(a), r.observations[a], `step ${t} observation of ${a}`);
        trace.push(r.rewards[a]!, ...Array.from(r.observations[a] as ArrayLike<number>));
        if (r.truncations[a]) ended = true;
      }
      for (const a of env.agents) if (!(a in r.observations)) fail(`step ${t}: no observation for active agent "${a}"`);
      if (ended || env.agents.length === 0) env.reset();
    }
    return trace;
  };
  const a = roll(seed);
  const b = roll(seed);
  if (!sameNumbers(a, b)) fail('reset({ seed }) with the same seed and actions gave different trajectories');
  if (sameNumbers(a, roll(seed + 1))) fail('different seeds gave identical trajectories (is the seed used?)');
}
