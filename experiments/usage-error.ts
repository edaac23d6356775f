/** The command line's error for how a command was called (exit code 2); its own module so that the bin's fast paths can throw it without loading yargs. */
import { InputError } from '../env/errors.js';

/** An error in how the command was called (exit code 2). */
export class UsageError extends InputError {}
