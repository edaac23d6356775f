/**
 * The one rule for names that become file names and object keys: a config's
 * `name`, bidder ids (and the `-1 … -n` ids of copies), run and sweep folders.
 * Local runs, local sweeps and queued sweeps apply the same rule, so an id that
 * works on one machine works on every worker.
 *
 * An id starts with a letter or digit, continues with letters, digits, `_` or
 * `-`, is at most {@link ID_MAX_LENGTH} characters, and is none of the names an
 * object already has (`constructor`, `toString`, …) or that Windows reserves
 * for devices (`con`, `nul`, `com1`, …). So it cannot start with `.` (temporary
 * and hidden files), contain `/`, `\`, `..` or spaces, or overflow a file name.
 */

/** Longest id, in characters (copies add `-<n>`; file names stay far below 255 bytes). */
export const ID_MAX_LENGTH = 64;

/** Letters, digits, `_`, `-`; the first a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Names every JavaScript object already has. */
const OBJECT_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Device names Windows reserves as file names, with or without an extension. */
const DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** Why `id` is not a valid id (a short phrase), or null when it is. */
export function idProblem(id: unknown): string | null {
  if (typeof id !== 'string') return `expected a string, got ${typeof id}`;
  if (id.length === 0) return 'must not be empty';
  if (id.length > ID_MAX_LENGTH) return `at most ${ID_MAX_LENGTH} characters, got ${id.length}`;
  if (!ID_PATTERN.test(id)) return 'expected letters, digits, _ and - (starting with a letter or digit)';
  if (OBJECT_NAMES.has(id)) return `"${id}" is reserved (a property every object has)`;
  if (DEVICE.test(id)) return `"${id}" is reserved (a device name on Windows)`;
  return null;
}

/** True when `id` follows the id rule. */
export function isValidId(id: unknown): id is string {
  return idProblem(id) === null;
}
