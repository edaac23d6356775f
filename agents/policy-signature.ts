/**
 * Ed25519 signatures of policy files (node:crypto, no other dependency).
 *
 * A signed document carries `signature: { algorithm: "ed25519", keyId, value }`:
 * `value` signs the canonical JSON (policy-format.ts) of the whole document
 * without its `signature` field (so `sha256` and every parameter are covered),
 * and `keyId` is the SHA-256 of the signer's public key (SPKI DER), so that a
 * reader can tell "signed by another key" from "changed after it was signed".
 *
 * The checksum alone is an accident check: anyone can edit a file and recompute
 * it. A signature checked against a public key the reader trusts (obtained from
 * the signer, not from the file) shows that the holder of the private key
 * signed exactly this content.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, PolicyError, type PolicyFile, type PolicySignature } from './policy-format.js';

/** Why a policy file is refused when a public key is given. */
export type SignatureFailure = 'unsigned' | 'other-key' | 'changed';

/** A policy file refused by its signature: unsigned, signed by another key, or changed after it was signed. */
export class PolicySignatureError extends PolicyError {
  constructor(
    message: string,
    readonly reason: SignatureFailure,
  ) {
    super(message);
  }
}

/** A key that is not an Ed25519 key of the expected type, or cannot be parsed. */
export class PolicyKeyError extends PolicyError {}

/** SHA-256 (hex) of a public key's SPKI DER encoding: the `keyId` of its signatures. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** A new Ed25519 key pair as PEM text (PKCS#8 private key, SPKI public key). */
export function generatePolicyKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function ed25519(key: KeyObject, what: string, where: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new PolicyKeyError(`${where}: expected an Ed25519 ${what} key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

/**
 * Parses a PEM public key (an Ed25519 SPKI key; a private key is refused, so a
 * secret is never passed where a public key belongs by mistake).
 *
 * @param where the key's file name, for messages
 */
export function parsePublicKey(pem: string | Buffer, where = 'public key'): KeyObject {
  let key: KeyObject;
  try {
    if (/PRIVATE KEY/.test(pem.toString('utf8'))) throw new PolicyKeyError(`${where}: this is a private key; give the public key (public.pem) to verify`);
    key = createPublicKey(pem);
  } catch (e) {
    if (e instanceof PolicyKeyError) throw e;
    throw new PolicyKeyError(`${where}: not a PEM public key (${(e as Error).message.split('\n')[0]})`);
  }
  return ed25519(key, 'public', where);
}

/** Parses a PEM private key (Ed25519, PKCS#8). @param where the key's file name, for messages */
export function parsePrivateKey(pem: string | Buffer, where = 'private key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new PolicyKeyError(`${where}: not a PEM private key (${(e as Error).message.split('\n')[0]})`);
  }
  return ed25519(key, 'private', where);
}

/** The bytes a signature covers: the canonical JSON of the document without `signature`. */
function signedBytes(doc: object): Buffer {
  const { signature: _sig, ...rest } = doc as Record<string, unknown>;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/**
 * The document signed with `privateKey` (a previous signature is replaced).
 * The document must already be valid and checksummed.
 */
export function signPolicyDocument(doc: PolicyFile, privateKey: KeyObject): PolicyFile {
  ed25519(privateKey, 'private', 'sign');
  const { signature: _old, ...rest } = doc;
  const signature: PolicySignature = {
    algorithm: 'ed25519',
    keyId: keyFingerprint(createPublicKey(privateKey)),
    value: sign(null, signedBytes(rest), privateKey).toString('base64'),
  };
  return { ...rest, signature };
}

/**
 * Checks the signature of a parsed document against a trusted public key.
 *
 * @param raw the parsed JSON, as read (the signature covers all of it)
 * @param where the file name, to start each message with
 * @returns the key id of the (valid) signature
 * @throws PolicySignatureError saying whether the file is unsigned, signed by another key, or changed after it was signed
 */
export function verifyPolicySignature(raw: unknown, publicKey: KeyObject, where: string): string {
  const want = keyFingerprint(publicKey);
  const sig = (raw as { signature?: PolicySignature } | null)?.signature;
  if (sig === undefined || sig === null) {
    throw new PolicySignatureError(`${where}: unsigned — the file has no signature, but a public key (${want.slice(0, 16)}…) was given; sign it with bidgym export --sign`, 'unsigned');
  }
  if (typeof sig !== 'object' || sig.algorithm !== 'ed25519' || typeof sig.keyId !== 'string' || typeof sig.value !== 'string') {
    throw new PolicySignatureError(`${where}: signature: expected { algorithm: "ed25519", keyId, value }`, 'changed');
  }
  if (sig.keyId !== want) {
    throw new PolicySignatureError(`${where}: signed by another key — the file was signed by key ${sig.keyId.slice(0, 16)}…, not by the given key ${want.slice(0, 16)}…`, 'other-key');
  }
  const ok = verify(null, signedBytes(raw as object), publicKey, Buffer.from(sig.value, 'base64'));
  if (!ok) throw new PolicySignatureError(`${where}: changed after it was signed — the signature of key ${want.slice(0, 16)}… does not match the content`, 'changed');
  return sig.keyId;
}
