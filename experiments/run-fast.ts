/**
 * The bin's fast path for the plain forms of `run`: `run CONFIG` with any of
 * `--out DIR`, `--quiet`, `--json`, `--report` / `--no-report`, `--workers N`
 * (N a positive integer) and `--force`, each at most once. It calls the same
 * handler as the yargs command (run-command.ts), so it does exactly what the
 * full command line does, without loading yargs or building the help of every
 * command. Anything else is not a plain form: parseRunArgs (run-args.ts, which
 * the bin loads first) returns null and the bin hands the arguments to yargs
 * (experiments/cli.ts), which gives its usual messages.
 *
 * The build (experiments/build.mjs) replaces the compiled dist/experiments/run-fast.js
 * by a bundle of this module's graph, as for validate-fast.ts.
 */
import { reportError } from './report-error.js';
import { runCommand, type RunArgs } from './run-command.js';

export { parseRunArgs } from './run-args.js';

/** Runs a plain `run` (from parseRunArgs); returns the process exit code. */
export async function runRun(a: RunArgs): Promise<number> {
  let code = 0;
  try {
    await runCommand(a, { out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`), setCode: (c) => (code = c) });
  } catch (e) {
    code = reportError(e);
  }
  return code;
}
