#include "rpc/codec/chain.h"

#include <sodium.h>

#include "contracts/base/time_format.h"
#include "crypto/base/bytes.h"
#include "crypto/signature.h"
#include "ledger/block.h"
#include "ledger/tx.h"

namespace civic::rpc {

std::string KeyString(const pb::PublicKey& key) {
  switch (key.algo()) {
    case pb::ED25519:
    case pb::SECP256K1:
    case pb::SM2:
      return std::string(crypto::AlgoName(static_cast<crypto::Algo>(static_cast<int>(key.algo())))) + ":" +
             ToHex(key.key());
    default:
      return "unknown:" + ToHex(key.key());
  }
}

std::string TimeString(int64_t ms) { return contracts::FormatRfc3339(ms); }

json::object TxResultJson(const pb::TxResult& result) {
  json::object out;
  out["ok"] = result.code() == 0;
  out["code"] = result.code();
  Code code = result.code() <= static_cast<uint32_t>(Code::kInternal) ? static_cast<Code>(result.code())
                                                                       : Code::kInternal;
  out["code_name"] = CodeName(code);
  out["app_code"] = result.code() == 0 && result.app_code().empty() ? std::string("OK") : result.app_code();
  out["message"] = result.message();
  return out;
}

json::object HeaderJson(const pb::BlockHeader& h) {
  json::object out;
  out["chain_id"] = h.chain_id();
  out["height"] = h.height();
  out["time_ms"] = h.time_ms();
  out["time"] = TimeString(h.time_ms());
  out["prev_block_hash"] = ToHex(h.prev_block_hash());
  out["tx_root"] = ToHex(h.tx_root());
  out["state_root"] = ToHex(h.state_root());
  out["last_results_hash"] = ToHex(h.last_results_hash());
  out["validators_hash"] = ToHex(h.validators_hash());
  out["next_validators_hash"] = ToHex(h.next_validators_hash());
  out["proposer"] = KeyString(h.proposer());
  out["last_commit_hash"] = ToHex(h.last_commit_hash());
  out["tx_count"] = h.tx_count();
  out["evidence_hash"] = ToHex(h.evidence_hash());
  return out;
}

json::object CommitJson(const pb::Commit& commit) {
  json::object out;
  out["height"] = commit.height();
  out["round"] = commit.round();
  out["block_hash"] = ToHex(commit.block_hash());
  json::array sigs;
  for (const pb::CommitSig& sig : commit.sigs()) {
    json::object s;
    s["validator"] = KeyString(sig.validator());
    s["sig"] = ToHex(sig.sig());
    sigs.emplace_back(std::move(s));
  }
  out["signatures"] = std::move(sigs);
  return out;
}

json::array ValidatorsJson(const pb::ValidatorSet& set) {
  json::array out;
  for (const pb::Validator& v : set.validators()) {
    json::object o;
    o["pub_key"] = KeyString(v.pub_key());
    o["power"] = v.power();
    o["org"] = v.org();
    out.emplace_back(std::move(o));
  }
  return out;
}

Result<json::object> BlockEventJson(const pb::Block& block) {
  pb::BlockHeader header;
  if (!header.ParseFromString(block.header())) return Status::Corruption("a stored block header does not decode");
  json::object out;
  out["height"] = header.height();
  out["hash"] = ToHex(ledger::BlockHash(block));
  out["time_ms"] = header.time_ms();
  out["time"] = TimeString(header.time_ms());
  out["tx_count"] = block.txs_size();
  out["proposer"] = KeyString(header.proposer());
  return out;
}

namespace {

// What a block listing shows of a tx: contract, call name and org ("" for what
// does not decode).
struct TxSummary {
  std::string contract;
  std::string method;
  std::string org;
};

TxSummary Summarize(std::string_view raw, const MethodTable* decoders) {
  pb::SignedTx signed_tx;
  pb::TxBody body;
  if (!signed_tx.ParseFromArray(raw.data(), static_cast<int>(raw.size())) || !body.ParseFromString(signed_tx.body())) {
    return {};
  }
  TxSummary out{body.contract(), "", body.org()};
  const CallDecoder* decoder = decoders ? decoders->FindCallDecoder(body.contract()) : nullptr;
  if (decoder) {
    auto call = (*decoder)(body.call(), contracts::Viewer::kPublic);
    if (call.ok()) out.method = call->method;
  }
  return out;
}

}  // namespace

Result<json::object> BlockJson(const ledger::Chain& chain, const pb::StoredBlock& stored,
                               const MethodTable* decoders) {
  const pb::Block& block = stored.block();
  pb::BlockHeader header;
  if (!header.ParseFromString(block.header())) return Status::Corruption("a stored block header does not decode");
  json::object out;
  out["height"] = header.height();
  out["hash"] = ToHex(ledger::BlockHash(block));
  out["header"] = HeaderJson(header);
  json::array txs;
  for (int i = 0; i < block.txs_size(); ++i) {
    const std::string& raw = block.txs(i);
    Bytes id = ledger::TxId(raw);
    json::object tx;
    tx["id"] = ToHex(id);
    tx["index"] = i;
    TxSummary summary = Summarize(raw, decoders);
    tx["contract"] = summary.contract;
    tx["method"] = summary.method;
    tx["org"] = summary.org;
    tx["size"] = raw.size();
    auto record = chain.GetTx(id);
    if (record.ok()) {
      tx["result"] = TxResultJson(record->location.result());
    } else {
      tx["result"] = nullptr;
    }
    txs.emplace_back(std::move(tx));
  }
  out["txs"] = std::move(txs);
  out["last_commit"] = CommitJson(block.last_commit());
  out["commit"] = CommitJson(stored.commit());
  out["evidence_count"] = block.evidence_size();
  return out;
}

json::object TxJson(std::string_view raw, const pb::TxLocation& location, const MethodTable* decoders,
                    bool include_raw, contracts::Viewer viewer) {
  json::object out;
  out["id"] = ToHex(ledger::TxId(raw));
  out["height"] = location.height();
  out["index"] = location.index();
  out["result"] = TxResultJson(location.result());
  out["size"] = raw.size();
  bool redacted = false;
  pb::SignedTx signed_tx;
  pb::TxBody body;
  if (signed_tx.ParseFromArray(raw.data(), static_cast<int>(raw.size())) && body.ParseFromString(signed_tx.body())) {
    out["signer"] = KeyString(signed_tx.sig().signer());
    out["signature"] = ToHex(signed_tx.sig().sig());
    json::object b;
    b["chain_id"] = body.chain_id();
    b["valid_until_height"] = body.valid_until_height();
    b["org"] = body.org();
    b["nonce"] = ToHex(body.nonce());
    b["contract"] = body.contract();
    const CallDecoder* decoder = decoders ? decoders->FindCallDecoder(body.contract()) : nullptr;
    Result<DecodedCall> call = Status::Internal("the call decoder failed");
    if (decoder) {
      try {
        call = (*decoder)(body.call(), viewer);
      } catch (const std::exception& e) {
        call = Status::Internal(std::string("the call decoder failed: ") + e.what());
      }
      redacted = call.ok() ? call->redacted : viewer != contracts::Viewer::kAuditor;
      if (call.ok()) b["method"] = call->method;
    }
    if (!redacted) b["call_hex"] = ToHex(body.call());
    if (decoder && call.ok()) {
      b["call"] = std::move(call->call);
    } else if (decoder) {
      b["call_error"] = call.status().ToString();
    }
    out["body"] = std::move(b);
  } else {
    out["decode_error"] = "the stored tx does not decode";
    redacted = viewer != contracts::Viewer::kAuditor;
  }
  out["redacted"] = redacted;
  if (include_raw && !redacted) out["raw_hex"] = ToHex(raw);
  return out;
}

Result<Bytes> DecodeBinary(std::string_view text, std::string_view what, std::string_view app_code) {
  std::string_view hex = text;
  if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
  if (auto bytes = FromHex(hex)) return *bytes;
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    Bytes out(text.size(), '\0');
    size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &len, &end, variant) == 0 &&
        end == text.data() + text.size()) {
      out.resize(len);
      return out;
    }
  }
  return Status::InvalidArgument(std::string(app_code),
                                 "parameter \"" + std::string(what) + "\" must be hex or base64");
}

}  // namespace civic::rpc
