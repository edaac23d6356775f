/**
 * The `bidgym` command line (yargs). Exit codes: 0 done, 1 internal error,
 * 2 bad input (any InputError: config, arguments, policy file, queue URL) with a
 * one-line message and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../env/io/atomic.js';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { loadConfig } from './config.js';
import { lockSweepFolder, RunFolder } from './out-dir.js';
import { checkFiles, checkSizes } from './preflight.js';
import { readRawConfig } from './config.js';
import { BIDGYM_VERSION } from './version.js';
import { reportError } from './report-error.js';
import { validateCommand } from './validate-command.js';

export { reportError };
import { isAutoBidConfig } from './autobid-config.js';
import type { AutoBidSummary } from './autobid-run.js';

import { fillRunFolder, runCommand, summaryTable, UsageError, type Io, type RunArgs } from './run-command.js';

export { summaryTable, UsageError };

// Each command loads what it uses when it runs (lazy imports below), so that
// `--help`, `validate` and the rest start without the runner, the queue
// (bullmq, ioredis), the charts (vega, resvg) or TensorFlow.js.
const progressBar = () => import('./progress.js');
const policyCommands = () => import('./policy-commands.js');
const queue = () => import('./queue.js');
const trainModel = () => import('./train-model.js');
const queueWorker = () => import('./worker.js');
const report = () => import('./report.js');
const sweep = () => import('./sweep/index.js');
const jsonSchema = () => import('./json-schema.js');

/** `bidgym run` */
function runCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'run <config>',
    'Run an experiment: train, evaluate, write the run folder (summary.json, episodes.csv, …)',
    (y) =>
      y
        .positional('config', { type: 'string', describe: 'config file (YAML or JSON)', demandOption: true })
        .option('out', { type: 'string', describe: 'run folder (default runs/<name>-<hash>)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress bar or table' })
        .option('json', { type: 'boolean', default: false, describe: 'print summary.json to stdout instead of a table' })
        .option('report', { type: 'boolean', default: true, describe: 'write report.html with charts (--no-report to skip)' })
        .option('workers', { type: 'number', describe: 'replications at once, in worker threads (default: as many as the work pays for, at most the cores); results do not depend on it' })
        .option('force', { type: 'boolean', default: false, describe: 'replace a non-empty --out folder (whole: the old folder stays until the new run is complete)' })
        .example('$0 run experiments/configs/quickstart.yaml', 'the quickstart market')
        .example('$0 run my.yaml --out runs/mine --json', 'write into runs/mine and print the summary as JSON'),
    async (a) => runCommand(a as RunArgs, io),
  );
}

/** `bidgym sweep` */
function sweepCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'sweep <config>',
    'Run every grid point of the config\'s sweep: block (× replications) on all cores; write sweep.csv, sweep.json and a report',
    (y) =>
      y
        .positional('config', { type: 'string', demandOption: true, describe: 'config with a sweep: block' })
        .option('out', { type: 'string', describe: 'sweep folder (default runs/<name>-sweep)' })
        .option('workers', { type: 'number', describe: 'trials at once (default: all cores)' })
        .option('resume', { type: 'boolean', default: false, describe: 'continue a stopped sweep in --out: finished trials are kept' })
        .option('png', { type: 'boolean', default: false, describe: 'also write PNG charts' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress bar or table' })
        .option('json', { type: 'boolean', default: false, describe: 'print sweep.json to stdout' })
        .option('queue', { type: 'string', describe: 'redis://host:port: queue the trials for `bidgym worker`s on any machines instead of running them here' })
        .options(queueFlags)
        .option('queue-key', { type: 'string', describe: "with --queue: the key of this sweep's queue, shared with its workers (default: the sweep's hash)" })
        .option('max-result-mb', { type: 'number', describe: "with --queue: cap on one trial's result, MiB (default 256)" })
        .option('max-job-inputs-mb', { type: 'number', describe: 'with --queue: cap on the files (policy files, saved model, logs) one job carries, MiB (default 64)' })
        .option('max-sweep-inputs-mb', { type: 'number', describe: "with --queue: cap on the files all the sweep's jobs carry together, MiB (default 1024)" })
        .example('$0 sweep experiments/configs/reserve-sweep.yaml --out runs/reserve', 'the reserve-price sweep on all cores')
        .example('$0 sweep experiments/configs/reserve-sweep.yaml --out runs/reserve --queue redis://10.0.0.5:6379', 'the same, through a Redis queue (start workers with bidgym worker)')
        .example('$0 sweep experiments/configs/reserve-sweep.yaml --out runs/reserve --resume', 'resume it after a stop'),
    async (a) => {
      const raw = readRawConfig(a.config as string);
      const name = (raw as { name?: unknown })?.name;
      const dir = resolve(a.out ?? join('runs', `${typeof name === 'string' ? name : 'sweep'}-sweep`));
      if (a.workers !== undefined && !(Number.isInteger(a.workers) && a.workers >= 1)) throw new UsageError(`--workers: expected a positive integer, got ${a.workers}`);
      if (a.queue === undefined) {
        for (const flag of ['queue-key', 'max-result-mb', 'max-job-inputs-mb', 'max-sweep-inputs-mb', ...Object.keys(queueFlags)]) {
          if (a[flag] !== undefined) throw new UsageError(`--${flag}: only with --queue (a local sweep has no queue)`);
        }
      } else if (a.workers !== undefined) throw new UsageError('--workers: not with --queue (the workers are the bidgym worker processes; give them --concurrency)');
      const queueCaps = {
        maxResultBytes: mibFlag(a['max-result-mb'], '--max-result-mb'),
        maxJobInputBytes: mibFlag(a['max-job-inputs-mb'], '--max-job-inputs-mb'),
        maxSweepInputBytes: mibFlag(a['max-sweep-inputs-mb'], '--max-sweep-inputs-mb'),
      };
      const { makeProgress } = await progressBar();
      const { runSweep, sweepText, expandSweep } = await sweep();
      // Every grid point validated (as the trials will), its files and sizes checked, before the folder is touched.
      const { resolvePoint, resolveAutoBidPoint } = await import('./sweep/grid.js');
      const configDir = dirname(resolve(a.config as string));
      const stepLevel = isAutoBidConfig(raw);
      for (const p of expandSweep(raw)) {
        if (stepLevel) {
          // The datasets and policy files its bidders name, as the trials will read them.
          (await import('./autobid-agents.js')).preflightAutoBid(resolveAutoBidPoint(p), configDir);
          continue;
        }
        const c = resolvePoint(p);
        checkSizes(c);
        checkFiles(c);
        // A log market's files and bidders, as run checks them (each log is read once).
        if (c.log) (await import('./log-run.js')).preflightLogMarket(c);
      }
      const lock = lockSweepFolder(dir, { shown: a.out ?? dir });
      const progress = makeProgress(!a.quiet && !a.json, 'trials');
      let table;
      try {
        table = a.queue
          ? await (await queue()).queueSweep(raw, {
              queue: a.queue,
              ...(await queueOptions(a)),
              queueKey: a['queue-key'],
              configDir,
              ...queueCaps,
              outDir: dir,
              resume: a.resume,
              png: a.png,
              quiet: a.quiet || a.json,
              onProgress: progress.update,
            })
          : await runSweep(raw, { outDir: dir, workers: a.workers, resume: a.resume, png: a.png, quiet: a.quiet, onProgress: progress.update, configDir });
      } finally {
        progress.stop();
        lock.release();
      }
      if (a.json) io.out(JSON.stringify(table, null, 2));
      else if (!a.quiet) io.out(`${sweepText(table)}\n\nsweep folder: ${dir}`);
    },
  );
}

/** `bidgym report` */
function reportCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'report <dir>',
    'Write report.html (charts as SVG, optionally PNG) for a run or sweep folder',
    (y) =>
      y
        .positional('dir', { type: 'string', demandOption: true, describe: 'run folder (summary.json) or sweep folder (sweep.json)' })
        .option('png', { type: 'boolean', default: false, describe: 'also write charts/*.png for papers' })
        .option('baseline', { type: 'string', describe: 'bidder the others are tested against (Welch t-test)' })
        .example('$0 report runs/quickstart-1a2b3c4d5e6f --png', 'report with PNG charts'),
    async (a) => {
      const dir = resolve(a.dir as string);
      if (!existsSync(dir)) throw new UsageError(`report: no folder ${a.dir}`);
      if (!existsSync(join(dir, 'summary.json')) && !existsSync(join(dir, 'sweep.json'))) throw new UsageError(`report: ${a.dir} is neither a run folder (summary.json) nor a sweep folder (sweep.json)`);
      if (a.baseline !== undefined && existsSync(join(dir, 'summary.json'))) {
        let bidders: string[] = [];
        try {
          const b = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { bidders?: unknown } | null)?.bidders;
          bidders = b !== null && typeof b === 'object' ? Object.keys(b) : [];
        } catch (e) {
          throw new UsageError(`report: ${join(a.dir as string, 'summary.json')} is not valid JSON (${String((e as Error).message).slice(0, 80)}); is it a file bidgym wrote?`);
        }
        if (!bidders.includes(a.baseline)) throw new UsageError(`--baseline: no bidder "${a.baseline.slice(0, 64)}" in ${a.dir} (have ${bidders.join(', ')})`);
      }
      io.out(await (await report()).writeReport(dir, { png: a.png, baseline: a.baseline }));
    },
  );
}

/** Flags of the Redis connection and its trust, shared by `sweep --queue` and `worker`. */
const queueFlags = {
  'queue-secret-file': { type: 'string', describe: 'file holding the queue secret (else BIDGYM_QUEUE_SECRET): jobs and results are authenticated with it (HMAC); the sweep and its workers need the same' },
  'tls-ca': { type: 'string', describe: 'rediss://: CA certificate file (PEM) to trust' },
  'tls-cert': { type: 'string', describe: 'rediss://: client certificate file (PEM)' },
  'tls-key': { type: 'string', describe: 'rediss://: client key file (PEM)' },
} as const;

/** A size flag in MiB as bytes (undefined when not given). @throws UsageError for a size that is not positive */
function mibFlag(v: number | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!(Number.isFinite(v) && v > 0 && v * 1024 * 1024 <= Number.MAX_SAFE_INTEGER)) throw new UsageError(`${flag}: expected a positive number of MiB, got ${v}`);
  return Math.max(1, Math.round(v * 1024 * 1024));
}

/** Queue options of those flags. */
async function queueOptions(a: { 'queue-secret-file'?: string; 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string }) {
  const { queueSecret } = await import('./queue-auth.js');
  return { secret: queueSecret(a['queue-secret-file']), tls: { ca: a['tls-ca'], cert: a['tls-cert'], key: a['tls-key'] } };
}

/** `bidgym worker` */
function workerCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'worker',
    'Take sweep trials from a Redis queue and run them (start one or more per machine; stop with Ctrl-C)',
    (y) =>
      y
        .option('queue', { type: 'string', demandOption: true, describe: 'redis://host:port[/db] of the queue' })
        .option('queue-key', { type: 'string', demandOption: true, describe: 'key of the queue to serve (the sweep prints it)' })
        .options(queueFlags)
        .option('trial-memory-mb', { type: 'number', default: 4096, describe: "heap a trial's thread may use, MiB: past it the trial fails, not the worker" })
        .option('max-job-inputs-mb', { type: 'number', describe: 'cap on the files (policy files, saved model, logs) a job may carry, MiB (default 64; the sweep has the same flag)' })
        .option('concurrency', { type: 'number', default: 1, describe: 'trials at once (each in its own thread; at most one per core is sensible)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no log lines' })
        .option('lock-duration', { type: 'number', default: 30000, describe: "ms a trial's lock lasts without renewal: a dead worker's trial is retried after about this plus --stalled-interval" })
        .option('stalled-interval', { type: 'number', default: 30000, describe: 'ms between checks for trials whose worker died' })
        .option('work-dir', { type: 'string', describe: "folder for the trials' temporary folders (default: the system's temp folder)" })
        .example('$0 worker --queue redis://10.0.0.5:6379 --queue-key 47bffe29049b --concurrency 8', 'a worker using 8 cores'),
    async (a) => {
      if (!(Number.isInteger(a.concurrency) && a.concurrency >= 1)) throw new UsageError(`--concurrency: expected a positive integer, got ${a.concurrency}`);
      for (const flag of ['lock-duration', 'stalled-interval'] as const) {
        const v = a[flag];
        if (!(Number.isFinite(v) && v >= 100)) throw new UsageError(`--${flag}: expected a number of milliseconds ≥ 100, got ${v}`);
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const { runWorker } = await queueWorker();
        await runWorker({
          queue: a.queue,
          queueKey: a['queue-key'],
          ...(await queueOptions(a)),
          trialMemoryMb: a['trial-memory-mb'],
          maxJobInputBytes: mibFlag(a['max-job-inputs-mb'], '--max-job-inputs-mb'),
          concurrency: a.concurrency,
          quiet: a.quiet,
          signal: stop.signal,
          lockDurationMs: a['lock-duration'],
          stalledIntervalMs: a['stalled-interval'],
          workDir: a['work-dir'] ? resolve(a['work-dir']) : undefined,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  );
}

/** `bidgym train-model` */
function trainModelCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'train-model <config>',
    "Train the config's interest model (attention, logistic or mf) on simulated logs and save it (model.json + weights.bin)",
    (y) =>
      y
        .positional('config', { type: 'string', demandOption: true, describe: 'config with users and interestModel' })
        .option('out', { type: 'string', demandOption: true, describe: 'folder for model.json, weights.bin and metrics' })
        .option('quiet', { type: 'boolean', default: false })
        .example('$0 train-model experiments/configs/cold-start.yaml --out models/attention', 'then use it with interestModel: { kind: attention, path: models/attention }'),
    async (a) => {
      const cfg = loadConfig(a.config as string);
      const { trainModelCommand } = await trainModel();
      const r = await trainModelCommand(cfg, resolve(a.out), { log: a.quiet ? undefined : (line) => process.stderr.write(`${line}\n`) });
      const m = r.report;
      io.out(`${cfg.interestModel.kind}: AUC ${m.auc?.toFixed(4)}, log-loss ${m.logLoss?.toFixed(4)}, ECE ${m.ece?.toFixed(4)}, cold-start AUC ${m.coldStartAuc?.toFixed(4) ?? '—'}\nwrote ${r.files.join(', ')} to ${resolve(a.out)}`);
    },
  );
}

/** `bidgym evaluate` */
function evaluateCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'evaluate',
    'Evaluate an exported policy in place of a bidder of a market config (a step-level policy in a step-level config, steps > 1); writes a normal run folder',
    (y) =>
      y
        .option('policy', { type: 'string', demandOption: true, describe: 'policy file (policies/<bidder>.json of a run, or an exported copy)' })
        .option('config', { type: 'string', demandOption: true, describe: 'market config to evaluate it in' })
        .option('out', { type: 'string', demandOption: true, describe: 'run folder to write' })
        .option('bidder', { type: 'string', describe: "bidder to replace (default: the policy's own bidder id)" })
        .option('workers', { type: 'number', describe: 'replications at once (default: all cores; a step-level run is one process)' })
        .option('quiet', { type: 'boolean', default: false })
        .option('json', { type: 'boolean', default: false, describe: 'print summary.json to stdout' })
        .option('public-key', { type: 'string', describe: 'trusted public key (public.pem from keygen): refuse a policy that is unsigned, signed by another key, or changed after signing' })
        .option('report', { type: 'boolean', default: true, describe: 'write report.html with charts (--no-report to skip)' })
        .option('force', { type: 'boolean', default: false, describe: 'replace a non-empty --out folder (whole)' })
        .example('$0 evaluate --policy runs/fp/policies/learner.json --config my-market.yaml --out runs/eval', 'how the learnt policy does in another market')
        .example('$0 evaluate --policy iql.policy.json --public-key keys/public.pem --config experiments/configs/auctionnet.yaml --bidder adv-00 --out runs/iql-eval', 'a signed step-level policy (bc, iql, …) in the auction-net world'),
    async (a) => {
      const { evaluateCommand, evaluateAutoBidCommand, isStepLevelConfig } = await policyCommands();
      if (isStepLevelConfig(a.config)) {
        // A step-level config (steps > 1) takes a step-level policy (level "step"); the run folder as bidgym run writes it.
        const folder = RunFolder.open(a.out, { force: a.force });
        const { autoBidTable } = await import('./autobid-cli.js');
        await fillRunFolder(folder, a.out, a, io, { stop: () => {} }, (): Promise<AutoBidSummary> =>
          evaluateAutoBidCommand({ policy: a.policy, config: a.config, out: folder.staging, bidder: a.bidder, publicKey: a['public-key'] }), autoBidTable);
        return;
      }
      const { makeProgress } = await progressBar();
      const folder = RunFolder.open(a.out, { force: a.force });
      const progress = makeProgress(!a.quiet && !a.json, 'auctions');
      await fillRunFolder(folder, a.out, a, io, progress, () =>
        evaluateCommand({ policy: a.policy, config: a.config, out: folder.staging, bidder: a.bidder, workers: a.workers, quiet: true, onProgress: progress.update, publicKey: a['public-key'] }));
    },
  );
}

/** `bidgym log` */
function logCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'log <config>',
    "Write what a bidder faced as data: a bid log (rlb or csv; docs/logs.md) from a simulated market, or, for a step-level config (steps > 1), step transitions (JSON Lines) and optionally AuctionNet's 18-column CSV (docs/autobidding.md)",
    (y) =>
      y
        .positional('config', { type: 'string', demandOption: true, describe: 'a simulated market config, or a step-level auto-bidding config' })
        .option('bidder', { type: 'string', array: true, describe: 'bidder id (a bid log: exactly one; a step-level dataset: repeatable, default all)' })
        .option('out', { type: 'string', demandOption: true, describe: 'file to write (a log, or the transitions JSON Lines)' })
        .option('format', { choices: ['rlb', 'csv'] as const, default: 'csv' as const, describe: 'bid-log format' })
        .option('replication', { type: 'number', default: 0, describe: 'bid log: which replication to record (another one gives another draw, e.g. a training log)' })
        .option('price-scale', { type: 'number', default: 1, describe: 'bid log: multiply prices and values by this and round prices to integers (1000: per thousand impressions)' })
        .option('auctionnet', { type: 'string', describe: "step-level: also write the recorded bidders' per-opportunity rows in AuctionNet's 18-column CSV" })
        .option('episodes', { type: 'number', describe: 'step-level: episodes to play (default replications × evalEpisodes)' })
        .option('quiet', { type: 'boolean', default: false })
        .example('$0 log experiments/configs/budget-pacing.yaml --bidder paced --out paced.csv', 'then replay it: log: { format: csv, path: paced.csv }')
        .example('$0 log experiments/configs/auctionnet.yaml --bidder adv-00 --episodes 200 --out data/adv-00.jsonl', 'a dataset for bc / iql'),
    async (a) => {
      const raw = readRawConfig(a.config as string);
      if (isAutoBidConfig(raw)) {
        const { logAutoBidCommand } = await import('./autobid-cli.js');
        await logAutoBidCommand(raw, a.config as string, a as { out: string; bidder?: string[]; auctionnet?: string; episodes?: number; quiet?: boolean }, io.out);
        return;
      }
      const bidders = a.bidder ?? [];
      if (bidders.length !== 1) throw new UsageError(`--bidder: a bid log records exactly one bidder — got ${bidders.length}`);
      const { logCommand } = await import('./log-commands.js');
      const r = await logCommand({ config: a.config as string, bidder: bidders[0]!, out: a.out, format: a.format, replication: a.replication, priceScale: a['price-scale'] });
      io.out(`wrote ${r.path}: ${r.auctions} auctions, ${r.clicks} clicks`);
    },
  );
}

/** `bidgym export` */
function exportCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'export <runDir>',
    "Verify a run's policy file for a bidder (checksum, schema version; per-auction or step-level) and copy it for a strategy team",
    (y) =>
      y
        .positional('runDir', { type: 'string', demandOption: true, describe: 'run folder' })
        .option('bidder', { type: 'string', demandOption: true, describe: 'bidder id' })
        .option('out', { type: 'string', describe: 'where to copy the file (default: only verify)' })
        .option('sign', { type: 'string', describe: 'private key (private.pem from keygen): write the copy signed with it' })
        .example('$0 export runs/fp-1a2b3c --bidder learner --out learner.policy.json', 'hand the policy over; loadPolicy(file).bid(obs) needs nothing else'),
    async (a) => {
      const { exportCommand } = await policyCommands();
      const r = exportCommand({ runDir: a.runDir as string, bidder: a.bidder, out: a.out, sign: a.sign });
      io.out(`${r.path}: ${r.file.kind} ${r.file.level === 'step' ? 'step-level ' : ''}policy, schema ${r.file.schemaVersion}, sha256 ${r.file.sha256.slice(0, 16)}…, checksum ok${r.signedBy ? `, signed by key ${r.signedBy.slice(0, 16)}…` : ''}`);
    },
  );
}

/** `bidgym keygen` */
function keygenCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'keygen',
    'Write an Ed25519 key pair for signing policy files: DIR/private.pem (mode 0600) and DIR/public.pem; never overwrites',
    (y) =>
      y
        .option('out', { type: 'string', demandOption: true, describe: 'folder for private.pem and public.pem' })
        .example('$0 keygen --out keys && $0 export runs/fp --bidder learner --sign keys/private.pem --out learner.policy.json', 'then: $0 evaluate --public-key keys/public.pem …'),
    async (a) => {
      const { keygenCommand } = await policyCommands();
      const r = keygenCommand({ out: a.out });
      io.out(`wrote ${r.privateKey} (keep it secret) and ${r.publicKey}; key id ${r.keyId.slice(0, 16)}…`);
    },
  );
}

/** `bidgym validate` */
function validateCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'validate <config>',
    'Check a config as run and sweep will (files it names, sizes, every sweep grid point) and print the estimated work',
    (y) =>
      y
        .positional('config', { type: 'string', demandOption: true, describe: 'config file (YAML or JSON)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the resolved config as JSON' })
        .example('$0 validate experiments/configs/quickstart.yaml', 'exit 0 when valid, 2 with the field at fault otherwise'),
    async (a) => validateCommand(a.config as string, a.json, io.out),
  );
}

/**
 * The checkout (or installed package) this code belongs to: the nearest folder
 * above this module whose package.json names bidgym. Run from the compiled
 * dist/ that is the folder above dist/, not dist/ itself (whose package.json only
 * says "type": "module").
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if ((JSON.parse(readFileSync(p, 'utf8')) as { name?: unknown }).name === 'bidgym') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) return fileURLToPath(new URL('..', import.meta.url));
    dir = up;
  }
}

/** `bidgym bench` */
function benchCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'bench [names..]',
    'Run the benchmarks in bench/ (auction loop, users, interest models, agents, sweeps) and print their tables',
    (y) =>
      y
        .positional('names', { type: 'string', array: true, describe: 'which (file names in bench/ without .ts); default all' })
        .option('quick', { type: 'boolean', default: false, describe: 'smaller sizes, for a smoke run' })
        .example('$0 bench auction-loop', 'only the auction-loop benchmark'),
    (a) => {
      const root = packageRoot();
      if (!existsSync(join(root, 'bench'))) throw new UsageError(`bench: no bench/ folder in ${root} (the benchmarks run from a checkout of bidgym, not from the installed package)`);
      const all = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
      const names = (a.names as string[] | undefined)?.length ? (a.names as string[]) : all;
      for (const n of names) {
        if (!all.includes(n)) throw new UsageError(`bench: no benchmark "${n}" (have ${all.join(', ')})`);
        io.out(`\n## ${n}\n`);
        const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', `${n}.ts`), ...(a.quick ? ['--quick'] : [])], { cwd: root, stdio: 'inherit' });
        if (r.status !== 0) io.setCode(1);
      }
    },
  );
}

/** `bidgym schema` */
function schemaCmd(cli: Argv, io: Io): Argv {
  return cli.command(
    'schema',
    'Regenerate experiments/config.schema.json (for editors) and docs/config-reference.md from the config schema',
    (y) => y.option('check', { type: 'boolean', default: false, describe: 'exit 1 if the files are out of date instead of writing them' }),
    async (a) => {
      const root = packageRoot();
      const { generatedFiles } = await jsonSchema();
      for (const [rel, text] of Object.entries(generatedFiles())) {
        const path = join(root, rel);
        if (a.check) {
          if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
            io.out(`${rel} is out of date: run bidgym schema`);
            io.setCode(1);
          }
        } else {
          writeFileAtomic(path, text);
          io.out(`wrote ${rel}`);
        }
      }
    },
  );
}

/**
 * yargs middleware (yargs 18 passes the instance second): a flag given twice
 * reaches a handler as a list, so it is refused unless the flag is one
 * (log --bidder). @throws UsageError
 */
function refuseRepeatedFlags(a: Record<string, unknown>, y: { getOptions(): { key: Record<string, unknown>; array: string[] } }): void {
  const opts = y.getOptions();
  for (const k of Object.keys(opts.key)) {
    const v = a[k];
    if (Array.isArray(v) && !opts.array.includes(k)) {
      // Each value as its last 40 characters (paths differ at their ends).
      const shown = v.slice(0, 3).map((x) => {
        const t = String(JSON.stringify(x));
        return t.length > 40 ? `…${t.slice(-39)}` : t;
      });
      throw new UsageError(`--${k}: given ${v.length} times (${shown.join(', ')}${v.length > 3 ? ', …' : ''}); give it once`);
    }
  }
}

/** Every command, in the order `--help` lists them. */
const COMMANDS = [runCmd, sweepCmd, reportCmd, workerCmd, trainModelCmd, evaluateCmd, logCmd, exportCmd, keygenCmd, validateCmd, benchCmd, schemaCmd];

/** Runs the CLI on `argv`; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const io: Io = { out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'), setCode: (c) => (code = c) };
  let cli: Argv = yargs(argv)
    .scriptName('bidgym')
    .usage('$0 <command> [options]\n\nA reinforcement-learning ad-auction simulator. Configs are YAML or JSON (see docs/config.md).');
  for (const add of COMMANDS) cli = add(cli, io);
  cli = cli
    .example('$0 run experiments/configs/quickstart.yaml', 'the quickstart market: train, evaluate, print the table, write runs/quickstart-<hash>/')
    .example('$0 validate my.yaml', 'check a config and see the work it asks for, before running it')
    .example('$0 sweep experiments/configs/reserve-sweep.yaml --out runs/reserve', 'every grid point of a sweep: block')
    .example('$0 report runs/reserve --png', 'the HTML report, with PNG charts for a paper')
    .example('$0 <command> --help', "a command's options and examples")
    // A flag given twice reaches a handler as a list (yargs): refuse it, unless the flag is a list (log --bidder).
    .middleware(refuseRepeatedFlags as unknown as Parameters<Argv['middleware']>[0])
    .demandCommand(1, 'Name a command (bidgym --help lists them).')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(BIDGYM_VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  try {
    await cli.parseAsync();
  } catch (e) {
    code = reportError(e);
  }
  return code;
}

