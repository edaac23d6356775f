import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generatePolicyKeys,
  keyFingerprint,
  loadPolicy,
  parsePrivateKey,
  parsePublicKey,
  policyChecksum,
  PolicyKeyError,
  PolicySignatureError,
  signPolicyDocument,
  type PolicyFile,
} from '../../agents/policy.js';
import { InputError } from '../../env/errors.js';
import { OBS, OBS_SIZE } from '../../env/observation.js';
import { rehashed, tableDocument } from './policy-fixtures.js';

const keys = () => {
  const k = generatePolicyKeys();
  return { ...k, priv: parsePrivateKey(k.privatePem), pub: parsePublicKey(k.publicPem) };
};

/** The signature error of loading `doc` with `publicKey`. */
function signatureError(doc: unknown, publicKey: Parameters<typeof loadPolicy>[1]): PolicySignatureError {
  try {
    loadPolicy(doc as object, publicKey);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicySignatureError);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    expect((e as Error).message).not.toMatch(/\n/);
    return e as PolicySignatureError;
  }
  throw new Error('expected the file to be refused');
}

describe('signed policy files (Ed25519)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bidgym-sign-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const alice = keys();
  const mallory = keys();
  const doc = tableDocument();
  const signed = signPolicyDocument(doc, alice.priv);

  it('sign → verify: the signed file loads with the signer’s public key (object, PEM text or file) and bids as the unsigned one', () => {
    expect(signed.signature).toMatchObject({ algorithm: 'ed25519', keyId: keyFingerprint(alice.pub) });
    expect(signed.sha256).toBe(doc.sha256);
    const pemPath = join(dir, 'public.pem');
    writeFileSync(pemPath, alice.publicPem);
    const path = join(dir, 'signed.json');
    writeFileSync(path, JSON.stringify(signed, null, 2));
    const o = new Float64Array(OBS_SIZE);
    o[OBS.value] = 1.3;
    o[OBS.budgetLeft] = 0.2;
    o[OBS.timeLeft] = 0.7;
    for (const publicKey of [alice.pub, alice.publicPem, pemPath]) {
      const loaded = loadPolicy(path, { publicKey });
      expect(loaded.verifiedKey).toBe(keyFingerprint(alice.pub));
      expect(loaded.bid(o)).toBe(loadPolicy(doc).bid(o));
    }
    // Without a key the signature is not checked, and the load says so.
    expect(loadPolicy(signed).verifiedKey).toBeNull();
  });

  it('refuses an unsigned file when a key is given', () => {
    const e = signatureError(doc, { publicKey: alice.pub });
    expect(e.reason).toBe('unsigned');
    expect(e.message).toMatch(/^policy: unsigned — the file has no signature/);
  });

  it('refuses a file signed by another key', () => {
    const e = signatureError(signPolicyDocument(doc, mallory.priv), { publicKey: alice.pub });
    expect(e.reason).toBe('other-key');
    expect(e.message).toMatch(new RegExp(`signed by another key — the file was signed by key ${keyFingerprint(mallory.pub).slice(0, 16)}…, not by the given key ${keyFingerprint(alice.pub).slice(0, 16)}`));
  });

  it('refuses a file changed after signing and re-hashed (so the checksum matches)', () => {
    // Always bid the top multiplier: Q-values of the last action raised, checksum recomputed, signature kept.
    const tampered = rehashed(signed, (d) => {
      const q = d.params.q as number[];
      for (let i = 15; i < q.length; i += 16) q[i] = 10;
    });
    expect(tampered.sha256).toBe(policyChecksum(tampered));
    expect(loadPolicy(tampered).verifiedKey).toBeNull(); // valid and re-hashed: without a key it loads
    const e = signatureError(tampered, { publicKey: alice.pub });
    expect(e.reason).toBe('changed');
    expect(e.message).toMatch(/changed after it was signed — the signature of key [0-9a-f]{16}… does not match the content/);
    // A provenance edit, not re-hashed, is refused as changed too (before the checksum is looked at).
    const edited = JSON.parse(JSON.stringify(signed)) as PolicyFile;
    edited.provenance.bidder = 'someone-else';
    expect(signatureError(edited, { publicKey: alice.pub }).reason).toBe('changed');
    // Another key id claimed for the same signature: still refused as changed (the signature does not verify).
    const claimed = JSON.parse(JSON.stringify(signPolicyDocument(doc, mallory.priv))) as PolicyFile;
    claimed.signature!.keyId = keyFingerprint(alice.pub);
    expect(signatureError(claimed, { publicKey: alice.pub }).reason).toBe('changed');
  });

  it('refuses keys that are not Ed25519 public keys where one is expected', () => {
    expect(() => loadPolicy(signed, { publicKey: alice.privatePem })).toThrow(PolicyKeyError);
    expect(() => loadPolicy(signed, { publicKey: alice.privatePem })).toThrow(/this is a private key; give the public key/);
    expect(() => loadPolicy(signed, { publicKey: alice.priv })).toThrow(/expected a public key, got a private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => loadPolicy(signed, { publicKey: rsa.publicKey })).toThrow(/expected an Ed25519 public key, got rsa/);
    expect(() => parsePrivateKey('not a key')).toThrow(/not a PEM private key/);
    expect(() => loadPolicy(signed, { publicKey: join(dir, 'nope.pem') })).toThrow(/cannot read public key .*nope\.pem: ENOENT/);
  });
});
