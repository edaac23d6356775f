import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { writeJsonAtomic } from '../../env/io/atomic.js';
import { fmt } from '../../experiments/format.js';
import { parseCsv, runCharts, writeReport } from '../../experiments/report.js';
import { runExperiment } from '../../experiments/runner.js';
import { stat } from '../../experiments/stats.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A synthetic run folder in the runner's formats: 2 replications × (3 train + 1 eval)
 * episodes × 2 bidders. "learner" improves over training; "rival" is flat; only the
 * learner has a budget.
 */
function syntheticRun(dir: string): void {
  const episodes = ['replication,episode,phase,bidder,auctions,participations,wins,spend,value,utility,clicks,conversions,bidToValue,budgetSpent,revenuePerAuction,welfarePerAuction'];
  for (let r = 0; r < 2; r++) {
    for (let ep = 0; ep < 4; ep++) {
      const phase = ep < 3 ? 'train' : 'eval';
      for (const bidder of ['learner', 'rival']) {
        const utility = bidder === 'learner' ? 10 * (ep + 1) + r : 5 + r;
        episodes.push([r, ep, phase, bidder, 100, 100, 40, 20, 20 + utility, utility, 3, 1, 0.8, bidder === 'learner' ? 0.9 : 0, 0.2 + 0.01 * r, 0.5].join(','));
      }
    }
  }
  const samples = ['replication,bidder,t,value,pctr,bid,won,cost,budgetSpent'];
  for (let r = 0; r < 2; r++) {
    for (let t = 0; t < 50; t++) {
      for (const bidder of ['learner', 'rival']) {
        const pctr = 0.01 + 0.002 * t;
        const value = 2 * pctr;
        const bid = bidder === 'learner' ? 0.7 * value : value;
        samples.push([r, bidder, t / 50, value, pctr, bid, t % 3 === 0 ? 1 : 0, t % 3 === 0 ? 0.5 * bid : 0, bidder === 'learner' ? t / 50 : 0].join(','));
      }
    }
  }
  writeFileSync(join(dir, 'episodes.csv'), episodes.join('\n') + '\n');
  writeFileSync(join(dir, 'samples.csv'), samples.join('\n') + '\n');
  writeJsonAtomic(join(dir, 'summary.json'), {
    name: 'synthetic',
    configHash: 'abc123',
    seed: 1,
    replications: 4,
    interestModel: { kind: 'oracle', backend: 'none', auc: null, logLoss: null, ece: null, coldStartAuc: null },
    market: { revenuePerAuction: stat([0.2, 0.21, 0.22, 0.2]), welfarePerAuction: stat([0.5, 0.5, 0.5, 0.5]) },
    bidders: {
      learner: { utilityPerAuction: stat([1, 2, 3, 4]), winRate: stat([0.4, 0.41, 0.39, 0.4]) },
      rival: { utilityPerAuction: stat([2, 4, 6, 8]), winRate: stat([0.3, 0.31, 0.29, 0.3]) },
    },
  });
}

describe('parseCsv', () => {
  it('reads quoted fields, keeps text columns as text and turns the rest into numbers', () => {
    const rows = parseCsv('bidder,x,note,won\n7,1.5,"a, ""b""",true\nrival,,plain,0\n', ['bidder', 'note']);
    expect(rows).toEqual([
      { bidder: '7', x: 1.5, note: 'a, "b"', won: 1 },
      { bidder: 'rival', x: null, note: 'plain', won: 0 },
    ]);
  });
});

describe('runCharts', () => {
  const row = (episode: number, phase: string) => ({ replication: 0, episode, phase, bidder: 'a', auctions: 10, utility: 1, revenuePerAuction: 0.1, welfarePerAuction: 0.2 });

  it('marks where evaluation follows training, and only then', () => {
    const trained = runCharts([row(0, 'train'), row(1, 'train'), row(2, 'eval')], []);
    expect(JSON.stringify(trained[0]!.spec)).toContain('"xPos":1.5,"label":"evaluation →"');
    const evalOnly = runCharts([row(0, 'eval'), row(1, 'eval')], []);
    expect(JSON.stringify(evalOnly[0]!.spec)).not.toContain('evaluation →');
  });

  it('leaves out the win-rate chart when every pCTR is the same (no users)', () => {
    const samples = [0, 1, 2].map((t) => ({ replication: 0, bidder: 'a', t: t / 3, value: 0.5, pctr: 1, bid: 0.5, won: 1, cost: 0.1, budgetSpent: 0 }));
    expect(runCharts([], samples).map((c) => c.name)).toEqual(['bid-vs-value']);
  });
});

describe('writeReport on a run folder', () => {
  const dir = join(root, 'synthetic');

  it('writes report.html with every chart as SVG (and PNG), holding the series', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    syntheticRun(dir);
    const out = await writeReport(dir, { png: true });
    expect(out).toBe(join(dir, 'report.html'));
    const charts = readdirSync(join(dir, 'charts')).sort();
    for (const name of ['learning-curves', 'market', 'bid-vs-value', 'budget', 'win-rate-by-pctr']) {
      expect(charts).toContain(`${name}.svg`);
      expect(charts).toContain(`${name}.png`);
      const png = readFileSync(join(dir, 'charts', `${name}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    const curves = readFileSync(join(dir, 'charts', 'learning-curves.svg'), 'utf8');
    expect(curves.startsWith('<svg')).toBe(true);
    // Both bidders are in the legend, and the evaluation marker is drawn.
    expect(curves).toContain('>learner<');
    expect(curves).toContain('>rival<');
    expect(curves).toContain('evaluation');
    const market = readFileSync(join(dir, 'charts', 'market.svg'), 'utf8');
    expect(market).toContain('>revenue<');
    expect(market).toContain('>welfare<');
    // Only the learner has a budget: the budget chart's legend names it alone.
    const budget = readFileSync(join(dir, 'charts', 'budget.svg'), 'utf8');
    expect(budget).toContain('>learner<');
    expect(budget).not.toContain('>rival<');

    const html = readFileSync(out, 'utf8');
    expect(html).toContain('bidgym run: synthetic');
    expect((html.match(/<svg/g) ?? []).length).toBe(5);
    // Utility [2, 4, 6, 8] against the baseline [1, 2, 3, 4]: Welch p = 0.1516 (scipy), printed as 0.152.
    expect(html).toContain('p 0.152');
    // Win rates differ with tiny variance: significant, shown bold.
    expect(html).toMatch(/class="p sig">p &lt; 0.001/);
    expect(html).toContain(fmt(stat([1, 2, 3, 4]).ci95[0]));
  });

  it('is byte-identical when written twice, and leaves files it did not make (a PNG of an earlier --png report, a file of the user) alone', async () => {
    const pngBefore = existsSync(join(dir, 'charts', 'market.png'));
    writeFileSync(join(dir, 'charts', 'stale.svg'), '<svg/>');
    const first = readFileSync(join(dir, 'report.html'));
    const firstCurves = readFileSync(join(dir, 'charts', 'learning-curves.svg'));
    await writeReport(dir);
    expect(readFileSync(join(dir, 'report.html')).equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'charts', 'learning-curves.svg')).equals(firstCurves)).toBe(true);
    expect(readFileSync(join(dir, 'charts', 'stale.svg'), 'utf8')).toBe('<svg/>');
    expect(existsSync(join(dir, 'charts', 'market.png'))).toBe(pngBefore);
  });

  it('tests against a chosen baseline bidder and rejects an unknown one', async () => {
    const html = readFileSync(await writeReport(dir, { baseline: 'rival' }), 'utf8');
    expect(html).toContain('against <b>rival</b>');
    await expect(writeReport(dir, { baseline: 'nobody' })).rejects.toThrow(/baseline bidder "nobody" is not in summary.json/);
  });

  it('names a folder that is neither a run nor a sweep', async () => {
    await expect(writeReport(root)).rejects.toThrow(/neither a run folder/);
  });
});

describe('writeReport on a real run', () => {
  it('charts a tiny run of the runner', async () => {
    const dir = join(root, 'real');
    const cfg = resolveConfig({
      name: 'report-real',
      seed: 3,
      replications: 2,
      episodes: 2,
      evalEpisodes: 1,
      auctionsPerEpisode: 400,
      users: { count: 200, topics: 4, historyLength: 3, items: 50 },
      exchange: { mechanism: 'second-price' },
      bidders: [
        { id: 'truthful', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
        { id: 'paced', agent: { kind: 'pacing' }, value: { kind: 'per-click', amount: 2 }, budget: 2 },
      ],
    });
    await runExperiment(cfg, { outDir: dir, quiet: true });
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).toContain('bidgym run: report-real');
    for (const name of ['learning-curves', 'bid-vs-value', 'budget', 'win-rate-by-pctr']) {
      const svg = readFileSync(join(dir, 'charts', `${name}.svg`), 'utf8');
      expect(svg, name).toContain('>paced<');
    }
    expect(readFileSync(join(dir, 'charts', 'market.svg'), 'utf8')).toContain('>welfare<');
  });
});


describe('report tables fit the page', () => {
  it('keeps every table in a scrolling box of the page width, wraps headers, and shows no interval for one replication', async () => {
    const dir = join(root, 'one-rep');
    mkdirSync(dir, { recursive: true });
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`a-bidder-with-a-rather-long-id-${i}`, { utilityPerAuction: stat([0.25 + i]), winRate: stat([0.5]) }]));
    writeJsonAtomic(join(dir, 'summary.json'), { name: 'one', configHash: 'abc', seed: 1, replications: 1, market: { revenuePerAuction: stat([0.2]) }, bidders: many });
    const html = readFileSync(await writeReport(dir), 'utf8');
    const tables = html.split('<table>').length - 1;
    expect(tables).toBe(2);
    expect(html.split('<div class="scroll"><table>').length - 1).toBe(tables);
    expect(html).toMatch(/\.scroll \{ overflow-x: auto; max-width: 100%; \}/);
    expect(html).toMatch(/thead th \{[^}]*white-space: normal;[^}]*overflow-wrap: anywhere;/);
    // One replication: the mean alone, no [lo, hi] and no p-values against a baseline.
    expect(html).toContain('<span class="m">0.25</span></td>');
    expect(html).not.toMatch(/class="ci">\[/);
    expect(html).toContain('revenue (currency per auction)');
  });
});
