// Offline verification of a LightProof: follow its validator path and its block
// from what the client trusts, then check every state proof against the state
// root that block's header carries (block height + 1 carries the root after
// block height). The same rules as light/proof.h.
import { blockHash, decodeHeader, equal, verifyStateProof } from './ledger.js';
import { refuse } from './errors.js';

export function verifyProof(client, proof) {
  const trusted = client.latest();
  if (proof.chain_id !== trusted.chainId) {
    throw refuse('LIGHT_WRONG_CHAIN', `the proof is for chain '${proof.chain_id.slice(0, 64)}', the client follows '${trusted.chainId}'`);
  }
  if (proof.entries.length === 0) throw refuse('LIGHT_MALFORMED', 'the proof holds no state entries');
  if (!proof.block?.header?.length) throw refuse('LIGHT_MALFORMED', "the proof's header does not decode");
  const header = decodeHeader(proof.block.header);
  if (header.height !== proof.height + 1) {
    throw refuse('LIGHT_HEIGHT_MISMATCH', `the proof is for the state after block ${proof.height} but comes with header ${header.height}`);
  }
  for (const step of proof.validator_path) {
    if (decodeHeader(step.header).height < client.latest().height) continue;
    client.update(step);
  }
  const { signatures } = client.update(proof.block);
  const entries = proof.entries.map((entry, i) => {
    if (entry.version !== proof.height) {
      throw refuse('LIGHT_HEIGHT_MISMATCH', `entry ${i} is for version ${entry.version}, the proof for ${proof.height}`);
    }
    if (!equal(entry.root, header.state_root)) {
      throw refuse('LIGHT_ROOT_MISMATCH', `entry ${i} is against another root than header ${header.height}'s state_root`);
    }
    if (!verifyStateProof(entry)) throw refuse('LIGHT_STATE_PROOF_INVALID', `entry ${i} does not hash to its root`);
    return { key: entry.key, exists: entry.exists, value: entry.exists ? entry.value : new Uint8Array(0) };
  });
  return {
    chainId: proof.chain_id, height: proof.height, stateRoot: header.state_root, blockHash: blockHash(proof.block.header),
    blockTimeMs: header.time_ms, provenUntilMs: header.time_ms - 1, entries, signatures,
  };
}

export function findEntry(proven, key) {
  return proven.entries.find((e) => equal(e.key, key)) ?? null;
}
