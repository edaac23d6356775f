/**
 * Authentication of queue jobs and results (HMAC-SHA256 with a shared secret).
 *
 * Anyone who can write to the Redis of a queued sweep can add jobs and replace
 * results. When the sweep and its workers share a secret (`BIDGYM_QUEUE_SECRET`,
 * or a file named by `--queue-secret-file`), every job carries a MAC the workers
 * check before running it, and every result a MAC the sweep checks before
 * writing it: a party with Redis access but without the secret can then neither
 * inject a job nor forge a result. Each MAC covers the job id as well as the
 * content, so a valid job or result cannot be moved to another trial.
 *
 * What it does not do: hide anything (jobs and results are readable by whoever
 * reads the Redis), or stop such a party from deleting or delaying jobs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { canonicalJson } from '../env/canonical-json.js';
import { InputError } from '../env/errors.js';

/** Environment variable holding the queue secret. */
export const SECRET_ENV = 'BIDGYM_QUEUE_SECRET';
/** Fewest characters of a secret (a 128-bit random value in hex is 32). */
const MIN_SECRET_CHARS = 16;

/** A secret that is missing where needed, too short, or unreadable (exit code 2). */
export class QueueAuthError extends InputError {}

/** The shared secret of a sweep and its workers, or null when none is set. */
export type QueueSecret = Buffer | null;

/** Reads a small regular file (no FIFOs or devices), for secrets and TLS files. @throws InputError */
export function readSmallFile(path: string, flag: string, maxBytes = 1 << 20): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new QueueAuthError(`${flag}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new QueueAuthError(`${flag}: ${path} is not a regular file`);
    if (st.size > maxBytes) throw new QueueAuthError(`${flag}: ${path} is ${st.size} bytes, over the cap of ${maxBytes}`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The queue secret: the file `secretFile` (its text, trimmed) when given, else
 * `BIDGYM_QUEUE_SECRET`, else null.
 *
 * @throws QueueAuthError for an unreadable file or a secret shorter than 16 characters
 */
export function queueSecret(secretFile: string | undefined, env: NodeJS.ProcessEnv = process.env): QueueSecret {
  let text: string | undefined;
  let from: string;
  if (secretFile !== undefined) {
    text = readSmallFile(secretFile, '--queue-secret-file', 4096).toString('utf8').trim();
    from = `--queue-secret-file ${secretFile}`;
  } else {
    text = env[SECRET_ENV];
    from = SECRET_ENV;
    if (text === undefined || text === '') return null;
  }
  if (text.length < MIN_SECRET_CHARS) throw new QueueAuthError(`${from}: the queue secret must be at least ${MIN_SECRET_CHARS} characters (e.g. openssl rand -hex 32), got ${text.length}`);
  return Buffer.from(text, 'utf8');
}

function mac(secret: Buffer, kind: 'job' | 'result', jobId: string, content: unknown): string {
  return createHmac('sha256', secret).update(`bidgym-${kind}\0${jobId}\0`).update(canonicalJson(content)).digest('hex');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value without its `mac` field. */
function body<T extends object>(v: T): Omit<T, 'mac'> {
  const { mac: _mac, ...rest } = v as T & { mac?: unknown };
  return rest;
}

/** `data` with the MAC of a job (over the job id and the data without `mac`). */
export function sealJob<T extends object>(secret: Buffer, jobId: string, data: T): T & { mac: string } {
  return { ...body(data), mac: mac(secret, 'job', jobId, body(data)) } as T & { mac: string };
}

/** `payload` with the MAC of a result (over the job id and the payload without `mac`). */
export function sealResult<T extends object>(secret: Buffer, jobId: string, payload: T): T & { mac: string } {
  return { ...body(payload), mac: mac(secret, 'result', jobId, body(payload)) } as T & { mac: string };
}

/** True when `data` carries a valid job MAC for `jobId`. */
export function jobAuthentic(secret: Buffer, jobId: string, data: object): boolean {
  const m = (data as { mac?: unknown }).mac;
  return typeof m === 'string' && same(m, mac(secret, 'job', jobId, body(data)));
}

/** True when `payload` carries a valid result MAC for `jobId`. */
export function resultAuthentic(secret: Buffer, jobId: string, payload: object): boolean {
  const m = (payload as { mac?: unknown }).mac;
  return typeof m === 'string' && same(m, mac(secret, 'result', jobId, body(payload)));
}
