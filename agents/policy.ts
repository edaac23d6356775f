/**
 * Policy files, the way out of the simulator for people who do not run it:
 * this module gathers the public API of its parts.
 *
 * - policy-format.ts: the document (schema version, features, action, params,
 *   provenance, `sha256`, optional `signature`), its checksum and its validation;
 * - policy-kinds.ts: the one table of policy kinds (params schema with ranges,
 *   declared features and action, how to rebuild the frozen policy);
 * - policy-signature.ts: Ed25519 keys, signing and verifying;
 * - policy-io.ts: {@link loadPolicy} (size cap, regular files only) and
 *   {@link writePolicyFile};
 * - policy-agent.ts: {@link LoadedPolicy}, {@link checkPolicyFits}, {@link PolicyAgent}.
 *
 * Without a public key, `loadPolicy` checks that a file is a valid policy whose
 * `sha256` matches its content: an accident check, not a defence against an
 * edit (anyone can recompute the hash). With `{ publicKey }` it also refuses a
 * file that is unsigned, signed by another key, or changed after it was signed.
 */
export { checkPolicyFits, PolicyAgent, type BidderSetting, type LoadedPolicy } from './policy-agent.js';
export {
  canonicalJson,
  describePolicy,
  policyChecksum,
  PolicyError,
  POLICY_SCHEMA_VERSION,
  validateDocument,
  type PolicyAction,
  type PolicyFeature,
  type PolicyFile,
  type PolicySignature,
  type Provenance,
} from './policy-format.js';
export {
  DEFAULT_MAX_POLICY_BYTES,
  loadPolicy,
  loadPolicyText,
  policyDocument,
  policyMaxBytes,
  readPrivateKey,
  readPublicKey,
  readRegularFile,
  writePolicyDocument,
  writePolicyFile,
  type LoadPolicyOptions,
} from './policy-io.js';
export { POLICY_KINDS, POLICY_LIMITS } from './policy-kinds.js';
export {
  generatePolicyKeys,
  keyFingerprint,
  parsePrivateKey,
  parsePublicKey,
  PolicyKeyError,
  PolicySignatureError,
  signPolicyDocument,
  verifyPolicySignature,
  type SignatureFailure,
} from './policy-signature.js';
