/**
 * The bin's fast path for the plain forms of `validate` (`validate FILE`,
 * `validate FILE --json`): validates, prints, returns the exit code, exactly as
 * the full command line does (experiments/cli.ts uses the same two modules).
 *
 * The build (experiments/build.mjs) replaces the compiled dist/experiments/validate-fast.js
 * by a bundle of this module's whole graph (our modules, zod, yaml) in a few files:
 * Node then compiles a handful of files instead of resolving, reading and linking
 * some 220 modules, which is most of what a plain start of `validate` costs.
 */
import { reportError } from './report-error.js';
import { validateCommand } from './validate-command.js';

/** Runs `validate file [--json]`; returns the process exit code. */
export async function runValidate(file: string, json: boolean): Promise<number> {
  try {
    await validateCommand(file, json, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
