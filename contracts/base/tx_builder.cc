#include "contracts/base/tx_builder.h"

#include <sodium.h>

#include "ledger/tx.h"

namespace civic::contracts {

pb::TxBody MakeBody(const TxParams& params, std::string_view contract, std::string_view call) {
  pb::TxBody body;
  body.set_chain_id(params.chain_id);
  body.set_valid_until_height(params.valid_until_height);
  body.set_org(params.org);
  if (params.nonce.empty()) {
    Bytes nonce(12, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    body.set_nonce(nonce);
  } else {
    body.set_nonce(params.nonce);
  }
  body.set_contract(std::string(contract));
  body.set_call(std::string(call));
  return body;
}

Bytes SignCallTx(const TxParams& params, std::string_view contract, const google::protobuf::MessageLite& call,
                 const crypto::KeyPair& key) {
  return ledger::SignTx(MakeBody(params, contract, call.SerializeAsString()), key);
}

}  // namespace civic::contracts
