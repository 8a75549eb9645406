// Building signed txs on the client side: the body that names who sends a call to
// which contract, signed by one of the sender's keys. Every contract's call
// builders (contracts/<name>/calls.h) end here.
//
// Thread safety: pure functions apart from the random nonce (thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include "crypto/base/bytes.h"
#include "crypto/signature.h"
#include "ledger/ledger.pb.h"

namespace civic::contracts {

// Who sends a tx. An empty nonce is replaced by 12 random bytes.
struct TxParams {
  std::string chain_id;
  std::string org;                  // USCC of the signing org
  uint64_t valid_until_height = 0;  // replay protection window end
  Bytes nonce;
};

pb::TxBody MakeBody(const TxParams& params, std::string_view contract, std::string_view call);
// Serializes `call`, builds the body for `contract` and signs it: the serialized SignedTx.
Bytes SignCallTx(const TxParams& params, std::string_view contract, const google::protobuf::MessageLite& call,
                 const crypto::KeyPair& key);

}  // namespace civic::contracts
