/**
 * Policy files on disk: {@link loadPolicy} (read with a size cap, parse,
 * validate, optionally verify the signature), {@link writePolicyFile} and the
 * key files of signed policies. This is the one part of agents/ that reads and
 * writes files: policy files are the way out of the simulator for people who do
 * not run it.
 *
 * What a load proves: without a public key, that the file is a valid policy
 * whose content matches its own `sha256` (an accident check: anyone who can edit
 * the file can recompute it). With a public key, also that the holder of the
 * matching private key signed exactly this content.
 */
import { makeDirs, writeJsonAtomic } from '../env/io/atomic.js';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { dirname } from 'node:path';
import { sentInput } from '../env/io/sent-inputs.js';
import type { Policy } from './core.js';
import { loadedPolicy, type LoadedPolicy } from './policy-agent.js';
import { describePolicy, policyChecksum, PolicyError, POLICY_SCHEMA_VERSION, validateDocument, type PolicyFile, type Provenance } from './policy-format.js';
import { parsePrivateKey, parsePublicKey, PolicyKeyError, verifyPolicySignature } from './policy-signature.js';

/** Default cap on the size of a policy file read by {@link loadPolicy}: 8 MiB (a default learner's file is a few kB). */
export const DEFAULT_MAX_POLICY_BYTES = 8 * 1024 * 1024;
/** Cap on the size of a key file. */
const MAX_KEY_BYTES = 64 * 1024;

/**
 * The size cap of policy files: `BIDGYM_MAX_POLICY_BYTES` when set (a positive
 * integer), else {@link DEFAULT_MAX_POLICY_BYTES}.
 */
export function policyMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.BIDGYM_MAX_POLICY_BYTES;
  if (v === undefined || v === '') return DEFAULT_MAX_POLICY_BYTES;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new PolicyError(`BIDGYM_MAX_POLICY_BYTES: expected a positive whole number of bytes, got ${JSON.stringify(v)}`);
  return n;
}

function kindOfFile(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a regular file of at most `maxBytes` bytes. The file is opened without
 * blocking (a FIFO cannot stall the reader) and checked with fstat before a
 * byte is read: FIFOs, devices (/dev/zero) and folders are refused, and so is
 * a file over the cap, or one that grows past it while being read.
 *
 * @param what "policy file", "public key", … for messages
 * @throws PolicyError
 */
export function readRegularFile(path: string, maxBytes: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new PolicyError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new PolicyError(`${path}: ${kindOfFile(st)}; a ${what} is read only from a regular file`);
    if (st.size > maxBytes) throw new PolicyError(`${path}: ${st.size} bytes, over the ${maxBytes}-byte cap on a ${what}${what === 'policy file' ? ' (raise it with BIDGYM_MAX_POLICY_BYTES or loadPolicy(file, { maxBytes }))' : ''}`);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) throw new PolicyError(`${path}: grew past the ${maxBytes}-byte cap on a ${what} while being read`);
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof PolicyError) throw e;
    throw new PolicyError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses an Ed25519 public key file (PEM). @throws PolicyError */
export function readPublicKey(path: string): KeyObject {
  return parsePublicKey(readRegularFile(path, MAX_KEY_BYTES, 'public key'), path);
}

/** Reads and parses an Ed25519 private key file (PEM, PKCS#8). @throws PolicyError */
export function readPrivateKey(path: string): KeyObject {
  return parsePrivateKey(readRegularFile(path, MAX_KEY_BYTES, 'private key'), path);
}

/**
 * The policy document of a frozen policy, checksum included. It is validated as
 * a reader would validate it, so a file that cannot be loaded is never written.
 *
 * @param policy a frozen policy (`agent.policy()`)
 * @param provenance where it came from
 * @throws PolicyError when the policy's parameters are out of the file format's ranges
 */
export function policyDocument(policy: Pick<Policy, 'kind' | 'params'>, provenance: Provenance): PolicyFile {
  const params = JSON.parse(JSON.stringify(policy.params())) as PolicyFile['params'];
  const { features, action } = describePolicy(policy.kind, params);
  const body: Omit<PolicyFile, 'sha256'> = { schemaVersion: POLICY_SCHEMA_VERSION, kind: policy.kind, features, action, params, provenance };
  const doc = { ...body, sha256: policyChecksum(body) };
  validateDocument(JSON.parse(JSON.stringify(doc)), 'policy');
  return doc;
}

/**
 * Writes a policy document as JSON (2-space indent), atomically (env/io/atomic.ts:
 * temporary file, fsync, rename).
 */
export function writePolicyDocument(path: string, doc: PolicyFile): void {
  makeDirs(dirname(path));
  writeJsonAtomic(path, doc);
}

/**
 * Writes `policies/<bidder>.json`-style files: the policy document, atomically.
 *
 * @returns the document written
 * @example writePolicyFile('runs/x/policies/learner.json', agent.policy(), { configHash, seed, bidder: 'learner', training: {} })
 */
export function writePolicyFile(path: string, policy: Pick<Policy, 'kind' | 'params'>, provenance: Provenance): PolicyFile {
  const doc = policyDocument(policy, provenance);
  writePolicyDocument(path, doc);
  return doc;
}

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /**
   * Trusted Ed25519 public key: a KeyObject, PEM text, or the path of a PEM
   * file. When given, a file that is unsigned, signed by another key or changed
   * after it was signed is refused.
   */
  publicKey?: KeyObject | string;
  /** Size cap in bytes (default {@link policyMaxBytes}: `BIDGYM_MAX_POLICY_BYTES` or 8 MiB). */
  maxBytes?: number;
}

function publicKeyOf(k: KeyObject | string): KeyObject {
  if (typeof k !== 'string') {
    if (k.type !== 'public') throw new PolicyKeyError(`publicKey: expected a public key, got a ${k.type} key`);
    return parsePublicKey(k.export({ type: 'spki', format: 'pem' }), 'publicKey');
  }
  return k.trimStart().startsWith('-----BEGIN') ? parsePublicKey(k, 'publicKey') : readPublicKey(k);
}

/**
 * Reads, verifies and loads a policy file.
 *
 * Refuses (PolicyError, exit code 2 in the CLI) a file that is not a regular
 * file or is over the size cap; a document that is not JSON; whose
 * `schemaVersion` is not {@link POLICY_SCHEMA_VERSION}; whose checksum does not
 * match its content; that holds a non-finite or out-of-range number, a
 * `__proto__`/`constructor`/`prototype` key, parameters that do not fit
 * together, or features and an action mapping other than those its parameters
 * imply. With `publicKey`, also (PolicySignatureError) a file that is unsigned,
 * signed by another key, or changed after it was signed.
 *
 * Without a key the checksum only detects accidents: a file edited and
 * re-hashed by anyone is accepted if it is valid.
 *
 * @param source a file path, a JSON string, or the parsed document
 * @example loadPolicy('learner.json', { publicKey: 'keys/public.pem' }).bid({ value: 1.2, budgetLeft: 0.5, timeLeft: 0.5 })
 */
export function loadPolicy(source: string | object, opts: LoadPolicyOptions = {}): LoadedPolicy {
  const { raw, where } = readPolicySource(source, opts);
  return loadPolicyDocument(raw, where, opts);
}

/**
 * The parsed JSON of a policy source (a path, a JSON string or the parsed
 * document) and its name for messages, read as {@link loadPolicy} reads it:
 * the size cap, regular files only, a sent input (env/io/sent-inputs.ts)
 * instead of the path when there is one. Shared by every level of policy file.
 * @throws PolicyError
 */
export function readPolicySource(source: string | object, opts: LoadPolicyOptions = {}): { raw: unknown; where: string } {
  const maxBytes = capOf(opts);
  if (typeof source !== 'string') return { raw: source, where: 'policy' };
  if (source.trimStart().startsWith('{')) return { raw: parsePolicyText(source, 'policy', opts), where: 'policy' };
  // A queue worker's trial, or evaluate's verified bytes: the file as handed, never the path (env/io/sent-inputs.ts).
  const sent = sentInput(source, 'policy file');
  if (sent !== null) return { raw: parsePolicyText('bytes' in sent ? Buffer.from(sent.bytes).toString('utf8') : readRegularFile(sent.path, maxBytes, 'policy file').toString('utf8'), source, opts), where: source };
  return { raw: parsePolicyText(readRegularFile(source, maxBytes, 'policy file').toString('utf8'), source, opts), where: source };
}

/**
 * The key id whose signature of `raw` was verified against `opts.publicKey`,
 * or null without a key. Checked before anything else: with a key, a file that
 * is not the signed one is refused as such, whatever else is wrong with it.
 * @throws PolicySignatureError, PolicyKeyError
 */
export function verifiedKeyOf(raw: unknown, where: string, opts: LoadPolicyOptions): string | null {
  const key = opts.publicKey === undefined ? null : publicKeyOf(opts.publicKey);
  return key ? verifyPolicySignature(raw, key, where) : null;
}

function capOf(opts: LoadPolicyOptions): number {
  const maxBytes = opts.maxBytes ?? policyMaxBytes();
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) throw new PolicyError(`maxBytes: expected a positive whole number of bytes, got ${maxBytes}`);
  return maxBytes;
}

/**
 * {@link loadPolicy} of a policy file's text (never taken as a path).
 *
 * @param where the file's name, to start each message with
 */
export function loadPolicyText(text: string, where: string, opts: LoadPolicyOptions = {}): LoadedPolicy {
  return loadPolicyDocument(parsePolicyText(text, where, opts), where, opts);
}

/** A policy file's text parsed (size cap; a message that never quotes the content). @throws PolicyError */
export function parsePolicyText(text: string, where: string, opts: LoadPolicyOptions = {}): unknown {
  const maxBytes = capOf(opts);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) throw new PolicyError(`${where}: ${size} bytes, over the ${maxBytes}-byte cap on a policy file`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // Not the parser's message: it quotes the text it failed on, and an error must never carry a file's content.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new PolicyError(`${where}: not valid JSON${at === undefined ? '' : ` (at byte ${at})`}`);
  }
  return raw;
}

function loadPolicyDocument(raw: unknown, where: string, opts: LoadPolicyOptions): LoadedPolicy {
  const verifiedKey = verifiedKeyOf(raw, where, opts);
  const { doc, policy } = validateDocument(raw, where);
  return loadedPolicy(doc, policy, verifiedKey);
}
