// The trust root an app holds: the chain's genesis file (the JSON every node
// starts from). Only chain_id, genesis_time and validators are read.
import { fromHex } from './ledger.js';
import { refuse } from './errors.js';
import { trustGenesis } from './light.js';

const ALGOS = { ed25519: 1, secp256k1: 2, sm2: 3 };

function bad(why) {
  return refuse('LIGHT_MALFORMED', `genesis: ${why}`);
}

export function parseGenesisTime(value) {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw bad('genesis_time must be RFC 3339 or integer milliseconds');
}

// genesis: the file's text or its parsed object. Returns the trust root.
export function trustFromGenesis(genesis) {
  let g = genesis;
  if (typeof g === 'string') {
    try {
      g = JSON.parse(g);
    } catch {
      throw bad('not JSON');
    }
  }
  if (!g || typeof g.chain_id !== 'string' || !Array.isArray(g.validators)) throw bad('chain_id and validators are required');
  const validators = g.validators.map((v, i) => {
    const m = typeof v?.pub_key === 'string' ? v.pub_key.match(/^([a-z0-9]+):([0-9a-fA-F]+)$/) : null;
    if (!m || !ALGOS[m[1]]) throw bad(`validators[${i}].pub_key must be "<algo>:<hex>"`);
    if (!Number.isSafeInteger(v.power) || v.power < 1) throw bad(`validators[${i}].power must be a positive integer`);
    return { pub_key: { algo: ALGOS[m[1]], key: fromHex(m[2]) }, power: BigInt(v.power), org: String(v.org ?? '') };
  });
  return trustGenesis(g.chain_id, parseGenesisTime(g.genesis_time), { validators });
}
