// Transactions: sign bytes, ids, decoding and stateless checks.
#pragma once

#include <string_view>

#include "crypto/signature.h"
#include "ledger/ledger.pb.h"

namespace civic::ledger {

// Largest accepted serialized SignedTx (a batch of thousands of certificates fits).
constexpr size_t kMaxTxBytes = 8 * 1024 * 1024;

// "civicledger/tx/v1\0" || chain_id || "\0" || body
Bytes TxSignBytes(std::string_view chain_id, std::string_view body);
// SHA-256 of the serialized SignedTx.
Bytes TxId(std::string_view signed_tx_bytes);

crypto::PublicKey FromProto(const pb::PublicKey& key);
pb::PublicKey ToProto(const crypto::PublicKey& key);

// A decoded transaction: the raw bytes, id, body and signer.
struct DecodedTx {
  Bytes raw;
  Bytes id;
  pb::SignedTx signed_tx;
  pb::TxBody body;
  crypto::PublicKey signer;
};

// Parses and checks what needs no state: size, encoding, chain id, non-empty
// contract, the signature (unless `verify_signature` is false because the
// mempool verified it already). Typed errors: TX_TOO_LARGE, TX_MALFORMED,
// WRONG_CHAIN_ID, BAD_SIGNATURE.
Result<DecodedTx> DecodeTx(std::string_view raw, std::string_view chain_id,
                           bool verify_signature = true);

// Builds and signs a tx (for clients, tools and tests).
Bytes SignTx(const pb::TxBody& body, const crypto::KeyPair& key);

}  // namespace civic::ledger
