import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'bin', 'bidgym.mjs');
const bidgym = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const small = `name: cpa-cli
seed: 5
replications: 2
evalEpisodes: 1
steps: 8
auctionsPerEpisode: 4000
exchange: { mechanism: gsp, slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 }
bidders:
  - { id: pid, agent: { kind: pid }, budget: 200, cpa: 60, noise: 0.2 }
  - { id: rival, copies: 3, agent: { kind: abid }, budget: 100000, cpa: 70, category: 1 }
`;

describe('bidgym CLI on step-level configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bidgym-autobid-'));
  const cfg = join(dir, 'small.yaml');
  writeFileSync(cfg, small);

  it('validate, run (same bytes twice) and log a dataset that bc trains on', () => {
    const v = bidgym('validate', cfg);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/valid \(4 auto-bidders, 8 steps/);
    const r1 = bidgym('run', cfg, '--out', join(dir, 'r1'), '--quiet');
    expect(r1.stderr).toBe('');
    expect(r1.status).toBe(0);
    const r2 = bidgym('run', cfg, '--out', join(dir, 'r2'), '--json');
    expect(r2.status).toBe(0);
    const s1 = readFileSync(join(dir, 'r1', 'summary.json'), 'utf8');
    expect(readFileSync(join(dir, 'r2', 'summary.json'), 'utf8')).toBe(s1);
    expect(Object.keys(JSON.parse(s1).bidders.pid)).toEqual(expect.arrayContaining(['conversions', 'cost', 'cpa', 'score', 'budgetSpent']));
    const t = bidgym('run', cfg, '--out', join(dir, 'r3'));
    expect(t.stdout).toMatch(/CPA \/ target/);
    const log = bidgym('log', cfg, '--bidder', 'pid', '--episodes', '3', '--out', join(dir, 'data', 'pid.jsonl'), '--auctionnet', join(dir, 'data', 'pid.csv'));
    expect(log.stderr).toBe('');
    expect(log.status).toBe(0);
    const n = Number(/^(\d+) transitions/.exec(log.stdout)![1]);
    expect(n).toBeGreaterThanOrEqual(3); // at most 8 steps × 3 episodes: fewer when the budget runs out early
    expect(n).toBeLessThanOrEqual(24);
    expect(readFileSync(join(dir, 'data', 'pid.jsonl'), 'utf8').trim().split('\n')).toHaveLength(n + 1);
    expect(readFileSync(join(dir, 'data', 'pid.csv'), 'utf8').split('\n')[0]).toBe('deliveryPeriodIndex,advertiserNumber,advertiserCategoryIndex,budget,CPAConstraint,timeStepIndex,remainingBudget,pvIndex,pValue,pValueSigma,bid,xi,adSlot,cost,isExposed,conversionAction,leastWinningCost,isEnd');
    writeFileSync(join(dir, 'offline.yaml'), small.replace('agent: { kind: pid }, budget: 200, cpa: 60, noise: 0.2', 'agent: { kind: bc, dataset: data/pid.jsonl, steps: 20 }, budget: 200, cpa: 60').replace('name: cpa-cli', 'name: cpa-bc'));
    const bc = bidgym('run', join(dir, 'offline.yaml'), '--out', join(dir, 'bc'), '--quiet');
    expect(bc.stderr).toBe('');
    expect(bc.status).toBe(0);
    expect(existsSync(join(dir, 'bc', 'summary.json'))).toBe(true);
  }, 300_000);

  it('a step-level run folder follows the run-folder rules and has a report, as run and evaluate write them', () => {
    const out = join(dir, 'folder');
    expect(bidgym('run', cfg, '--out', out, '--quiet').status).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/step-level auto-bidding: 1 evaluation episode of 8 decision steps, 4000 opportunities each/);
    for (const w of ['pid', 'rival-1', '>score<', 'cpa ratio', 'budget spent']) expect(html.toLowerCase()).toContain(w.toLowerCase());
    const summary = readFileSync(join(out, 'summary.json'), 'utf8');
    // Not empty: refused without --force, in one line, and nothing in it changes.
    const again = bidgym('run', cfg, '--out', out);
    expect(again.status).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/--out .*not empty.*--force/);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(summary);
    // --force replaces it whole: without the report this time, so none is left from before.
    expect(bidgym('run', cfg, '--out', out, '--force', '--no-report', '--quiet').status).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(summary);
    // report on the folder writes it again; evaluate of the run's policy writes a folder with a report too.
    const rep = bidgym('report', out);
    expect(rep.stderr).toBe('');
    expect(rep.status).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);
    const ev = bidgym('evaluate', '--policy', join(out, 'policies', 'pid.json'), '--config', cfg, '--out', join(dir, 'eval'), '--quiet');
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    expect(readFileSync(join(dir, 'eval', 'report.html'), 'utf8')).toMatch(/step-level auto-bidding/);
  }, 300_000);

  it('bad input: one line, exit 2, nothing written', () => {
    writeFileSync(join(dir, 'bad.yaml'), small.replace('exposure: [1, 0.8, 0.6]', 'exposure: [1, 0.8]'));
    const r = bidgym('run', join(dir, 'bad.yaml'), '--out', join(dir, 'bad'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/exchange.exposure: expected 3/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    const l = bidgym('log', cfg, '--bidder', 'nobody', '--out', join(dir, 'x.jsonl'));
    expect(l.status).toBe(2);
    expect(l.stderr).toMatch(/--bidder: no bidder "nobody"/);
    writeFileSync(join(dir, 'missing.yaml'), small.replace('agent: { kind: pid }', 'agent: { kind: iql, dataset: nowhere.jsonl }'));
    const m = bidgym('run', join(dir, 'missing.yaml'), '--out', join(dir, 'm'));
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/dataset: cannot read .*nowhere.jsonl/);
    expect(existsSync(join(dir, 'm'))).toBe(false);
  }, 120_000);
});
