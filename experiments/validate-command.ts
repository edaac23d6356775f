/**
 * `bidgym validate <config> [--json]`: checks a config as run and sweep will
 * (files it names, sizes, every sweep grid point) and prints the estimated work.
 * Its own module, without yargs, so that the bin answers the plain forms
 * (`validate FILE`, `validate FILE --json`) without loading the whole CLI.
 */
import { isAutoBidConfig, resolveAutoBidConfig } from './autobid-config.js';
import { configHash, loadConfigFrom, readRawConfig } from './config.js';
import { bytesText, checkFiles, checkSizes, countText, secondsText } from './preflight.js';

/**
 * Validates `file`; writes one line (or the resolved config as JSON) through `out`.
 * @throws {InputError} naming the field at fault
 */
export async function validateCommand(file: string, json: boolean, out: (s: string) => void): Promise<void> {
  const io = { out };
  const raw = readRawConfig(file);
  if (isAutoBidConfig(raw)) {
    const c = resolveAutoBidConfig(raw);
    if (json) io.out(JSON.stringify(c, null, 2));
    else io.out(`${file}: valid (${c.bidders.length} auto-bidders, ${c.steps} steps, ${c.exchange.slots} slots gsp, config hash ${(await import('./autobid-run.js')).autoBidConfigHash(c)})`);
    return;
  }
  const cfg = loadConfigFrom(raw, file);
  // A log market: its files are read and every bidder checked against them.
  if (cfg.log) (await import('./log-run.js')).preflightLogMarket(cfg);
  let work = checkSizes(cfg);
  checkFiles(cfg);
  let grid = '';
  if (raw !== null && typeof raw === 'object' && 'sweep' in raw) {
    // The sweep's own checks, exactly as `bidgym sweep` makes them, and the work of every grid point.
    const { expandSweep } = await import('./sweep/index.js');
    const { resolvePoint } = await import('./sweep/grid.js');
    const points = expandSweep(raw);
    const per = points.map((p) => {
      const c = resolvePoint(p);
      checkFiles(c);
      return checkSizes(c);
    });
    work = { auctions: per.reduce((t, w) => t + w.auctions, 0), cpuSeconds: per.reduce((t, w) => t + w.cpuSeconds, 0), bytes: Math.max(...per.map((w) => w.bytes)) };
    grid = `, sweep of ${points.length} grid points`;
  }
  if (json) io.out(JSON.stringify(cfg, null, 2));
  else {
    io.out(
      `${file}: valid (${cfg.bidders.length} bidders, ${cfg.log ? `log market: ${cfg.log.format} log ${cfg.log.path}` : cfg.exchange.mechanism}, config hash ${configHash(cfg)}${grid}); ` +
        `work: ${countText(work.auctions)} auctions (at least ${secondsText(work.cpuSeconds)} of CPU), about ${bytesText(work.bytes)} of memory per replication`,
    );
  }
}
