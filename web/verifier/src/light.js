// The light client: trust from the genesis (or a trusted block), follow
// validator-set changes through headers and commits, sequential and skipping
// verification with a trust period, fork detection. The same rules as the C++
// light client (light/verifier.h, light/client.h); every refusal is a
// VerifyError with the same named reason.
import { blockHash, compare, decodeHeader, equal, hex, totalPower, validatorSetHash, verifyCommit } from './ledger.js';
import { refuse } from './errors.js';

export const DAY_MS = 24 * 3600 * 1000;
export const defaultOptions = Object.freeze({ nowMs: 0, trustPeriodMs: 14 * DAY_MS, maxClockDriftMs: 10_000 });

function normalise(set) {
  const validators = [...set.validators].sort((a, b) =>
    (a.pub_key.algo - b.pub_key.algo) || compare(a.pub_key.key, b.pub_key.key));
  if (validators.length === 0) throw refuse('LIGHT_MALFORMED', 'the validator set is empty');
  validators.forEach((v, i) => {
    if (v.power === 0n) throw refuse('LIGHT_MALFORMED', 'a validator has no voting power');
    if (i > 0 && validators[i - 1].pub_key.algo === v.pub_key.algo && equal(validators[i - 1].pub_key.key, v.pub_key.key)) {
      throw refuse('LIGHT_MALFORMED', 'a validator is listed twice');
    }
  });
  return { validators };
}

// The trust root of a genesis: its chain id, time and validators (which sign
// blocks 1 and 2). A root from the genesis does not expire.
export function trustGenesis(chainId, genesisTimeMs, validatorSet) {
  return { chainId, height: 0, blockHash: new Uint8Array(0), timeMs: genesisTimeMs, nextValidators: normalise(validatorSet), fromGenesis: true };
}

// Checks a light block on its own: header of this chain, commit for its hash and
// height with > 2/3 of its validators' power, validator sets hash to the header's.
export function verifyLightBlock(chainId, block) {
  if (!block?.header?.length) throw refuse('LIGHT_MALFORMED', 'the header does not decode');
  const header = decodeHeader(block.header);
  if (header.chain_id !== chainId) throw refuse('LIGHT_WRONG_CHAIN', `header of chain '${header.chain_id.slice(0, 64)}', expected '${chainId}'`);
  const at = `block ${header.height}`;
  if (header.height === 0) throw refuse('LIGHT_MALFORMED', 'a header has height 0');
  const commit = block.commit ?? { height: 0, round: 0, block_hash: new Uint8Array(0), sigs: [] };
  if (commit.height !== header.height) throw refuse('LIGHT_HEIGHT_MISMATCH', `${at}: the commit is for height ${commit.height}`);
  const hash = blockHash(block.header);
  if (!equal(commit.block_hash, hash)) throw refuse('LIGHT_HEADER_HASH_MISMATCH', `${at}: the commit is for another block hash`);
  const validators = block.validators ?? { validators: [] };
  if (!equal(validatorSetHash(validators), header.validators_hash)) {
    throw refuse('LIGHT_VALIDATORS_HASH_MISMATCH', `${at}: the validator set does not hash to validators_hash`);
  }
  const next = block.next_validators ?? { validators: [] };
  if (next.validators.length && !equal(validatorSetHash(next), header.next_validators_hash)) {
    throw refuse('LIGHT_VALIDATORS_HASH_MISMATCH', `${at}: the next validator set does not hash to next_validators_hash`);
  }
  const signatures = verifyCommit(chainId, validators, commit, header.height, hash);
  return { header, hash, signatures };
}

function nextValidatorsOf(header, block) {
  if (block.next_validators?.validators.length) return block.next_validators;
  if (equal(header.next_validators_hash, header.validators_hash)) return block.validators;
  return null;
}

function powerOfTrustedSigners(trusted, commit) {
  const powerOf = new Map(trusted.validators.map((v) => [`${v.pub_key.algo}:${hex(v.pub_key.key)}`, v.power]));
  let power = 0n;
  for (const sig of commit.sigs) {
    const id = `${sig.validator.algo}:${hex(sig.validator.key)}`;
    if (!powerOf.has(id)) continue;
    power += powerOf.get(id);
    powerOf.delete(id);
  }
  return power;
}

// Checks `block` against `trusted` (sequential when adjacent, skipping with > 1/3
// trusted power among its signers otherwise) and returns the state trusted after it.
export function verifyAgainstTrust(trusted, block, options = defaultOptions) {
  const { header, hash, signatures } = verifyLightBlock(trusted.chainId, block);
  if (header.height === trusted.height) {
    if (equal(hash, trusted.blockHash)) return { state: trusted, header, signatures };
    throw refuse('FORK_DETECTED', `block ${header.height} has a valid commit but another hash than the trusted block`);
  }
  if (header.height < trusted.height) throw refuse('LIGHT_HEIGHT_MISMATCH', `block ${header.height} is below the trusted height ${trusted.height}`);
  if (header.time_ms <= trusted.timeMs) {
    throw refuse('LIGHT_TIME_NOT_MONOTONIC', `header ${header.height} has time ${header.time_ms}, not after the trusted ${trusted.timeMs}`);
  }
  if (options.nowMs > 0 && header.time_ms > options.nowMs + options.maxClockDriftMs) {
    throw refuse('LIGHT_HEADER_IN_FUTURE', `header ${header.height} has time ${header.time_ms}, ahead of now ${options.nowMs}`);
  }
  if (header.height === trusted.height + 1) {
    if (!equal(header.validators_hash, validatorSetHash(trusted.nextValidators))) {
      throw refuse('LIGHT_UNTRUSTED_VALIDATORS', `header ${header.height} is signed by another set than the trusted header named next`);
    }
    if (trusted.height > 0 && !equal(header.prev_block_hash, trusted.blockHash)) {
      throw refuse('LIGHT_PREV_HASH_MISMATCH', `header ${header.height} does not link to the trusted block ${trusted.height}`);
    }
  } else {
    if (!trusted.fromGenesis && options.trustPeriodMs > 0 && options.nowMs > 0 && options.nowMs - trusted.timeMs >= options.trustPeriodMs) {
      throw refuse('LIGHT_TRUST_EXPIRED', `the trusted header ${trusted.height} is older than the trust period`);
    }
    const total = totalPower(trusted.nextValidators);
    const vouched = powerOfTrustedSigners(trusted.nextValidators, block.commit);
    if (total === 0n || vouched * 3n <= total) {
      throw refuse('LIGHT_TRUST_OVERLAP_TOO_LOW', `trusted validators hold ${vouched} of ${total} power among the signers; more than 1/3 is needed`);
    }
  }
  const state = {
    chainId: trusted.chainId, height: header.height, blockHash: hash, timeMs: header.time_ms,
    nextValidators: nextValidatorsOf(header, block) ?? { validators: [] }, fromGenesis: trusted.fromGenesis,
  };
  return { state, header, signatures };
}

// Follows a chain from a trust root; remembers what it verified (at most
// maxRemembered blocks) and keeps the first fork it sees as evidence.
export class LightClient {
  constructor(root, options = defaultOptions, maxRemembered = 4096) {
    this.options = { ...defaultOptions, ...options };
    this.rootHeight = root.height;
    this.max = maxRemembered;
    this.states = new Map([[root.height, { state: root, block: null }]]);
    this.fork = null;
  }

  heights() {
    return [...this.states.keys()].sort((a, b) => a - b);
  }

  latest() {
    const hs = this.heights();
    return this.states.get(hs[hs.length - 1]).state;
  }

  // Verifies `block` against the nearest trusted state below it and remembers it.
  update(block) {
    const header = decodeHeader(block.header);
    if (header.height < this.rootHeight) throw refuse('LIGHT_HEIGHT_MISMATCH', `block ${header.height} is below the trust root`);
    const held = this.states.get(header.height);
    if (held) {
      if (equal(held.state.blockHash, blockHash(block.header))) return { state: held.state, header, signatures: null };
      const below = this.heights().filter((h) => h < header.height);
      if (below.length) verifyAgainstTrust(this.states.get(below[below.length - 1]).state, block, this.options);
      else verifyLightBlock(held.state.chainId, block);
      this.fork ??= { a: held.block, b: block };
      throw refuse('FORK_DETECTED', `two valid commits for height ${header.height} name different blocks`);
    }
    const hs = this.heights();
    const below = hs.filter((h) => h < header.height).pop();
    const result = verifyAgainstTrust(this.states.get(below).state, block, this.options);
    const above = this.states.get(header.height + 1);
    if (above && !equal(decodeHeader(above.block.header).prev_block_hash, result.state.blockHash)) {
      this.fork ??= { a: above.block, b: block };
      throw refuse('FORK_DETECTED', `block ${header.height} has a valid commit but the trusted block after it links to another`);
    }
    this.states.set(header.height, { state: result.state, block });
    while (this.states.size > this.max) {
      const oldest = this.heights().find((h) => h !== this.rootHeight);
      if (oldest === header.height) break;
      this.states.delete(oldest);
    }
    return result;
  }
}
