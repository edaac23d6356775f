/**
 * The error hierarchy of bidgym (Gymnasium's `error` module in spirit). Every
 * error that means "the input is wrong" — a config field, a command-line
 * argument, a policy or log file, a queue URL — is an {@link InputError}: the
 * command line prints its one-line message and exits with code 2, before any
 * work is done. Anything else is a bug (exit code 1, with a stack trace).
 *
 * Lives in env/ (the lowest layer) so that env/, agents/, models/ and
 * experiments/ can all throw it without importing upwards.
 */

/** Bad input: one line, exit code 2. */
export class InputError extends Error {
  /** The process exit code the command line uses for it. */
  readonly exitCode = 2 as const;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * True for an {@link InputError}. One thrown in a worker thread is one on this
 * side too: the thread launcher (experiments/threads.ts) rebuilds it.
 */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
