/**
 * How the command line prints an error: an input error as one line (exit code
 * 2), anything else with its stack (exit code 1). Its own module so that the
 * bin's fast paths can use it without loading yargs.
 */
import { isInputError } from '../env/errors.js';

/** Longest error line printed, characters. */
const MAX_MESSAGE = 300;

/** Prints an error the way users should see it; returns the exit code. */
export function reportError(e: unknown): number {
  if (isInputError(e)) {
    // One line, and at most a short excerpt of whatever input the message quotes.
    const one = e.message.replace(/\s+/g, ' ').trim();
    process.stderr.write(`bidgym: ${one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE)}…` : one}\n`);
    return 2;
  }
  const err = e as Error | undefined;
  process.stderr.write(`bidgym: internal error: ${err?.stack ?? String(e)}\n`);
  return 1;
}
