#include "light/proof.h"

#include "crypto/hash.h"
#include "ledger/chain.h"
#include "light/errors.h"

namespace civic::light {
namespace {

Status Refuse(const char* code, std::string message) { return Status::InvalidArgument(code, std::move(message)); }

Status CheckEntry(const pb::StateProof& entry, uint64_t height, const pb::BlockHeader& header, int index) {
  const std::string which = "entry " + std::to_string(index);
  if (entry.version() != height) {
    return Refuse(err::LIGHT_HEIGHT_MISMATCH, which + " is for version " + std::to_string(entry.version()) +
                                                  ", the proof for " + std::to_string(height));
  }
  if (entry.root() != header.state_root()) {
    return Refuse(err::LIGHT_ROOT_MISMATCH, which + " is against another root than header " +
                                                std::to_string(header.height()) + "'s state_root");
  }
  if (!ledger::VerifyStateProof(entry)) {
    return Refuse(err::LIGHT_STATE_PROOF_INVALID, which + " does not hash to its root");
  }
  return Status::Ok();
}

}  // namespace

Result<ProvenState> VerifyProof(LightClient* client, const pb::LightProof& proof) {
  const TrustedState& trusted = client->latest();
  if (proof.chain_id() != trusted.chain_id) {
    return Refuse(err::LIGHT_WRONG_CHAIN, "the proof is for chain '" + proof.chain_id().substr(0, 64) +
                                              "', the client follows '" + trusted.chain_id + "'");
  }
  if (proof.entries_size() == 0) return Refuse(err::LIGHT_MALFORMED, "the proof holds no state entries");
  pb::BlockHeader header;
  if (!proof.has_block() || !header.ParseFromString(proof.block().header())) {
    return Refuse(err::LIGHT_MALFORMED, "the proof's header does not decode");
  }
  if (header.height() != proof.height() + 1) {
    return Refuse(err::LIGHT_HEIGHT_MISMATCH, "the proof is for the state after block " +
                                                  std::to_string(proof.height()) + " but comes with header " +
                                                  std::to_string(header.height()));
  }
  for (const pb::LightBlock& step : proof.validator_path()) {
    pb::BlockHeader h;
    if (!h.ParseFromString(step.header())) return Refuse(err::LIGHT_MALFORMED, "a validator path header does not decode");
    if (h.height() < client->latest().height) continue;  // already past it
    CIVIC_RETURN_IF_ERROR(client->Update(step));
  }
  CIVIC_RETURN_IF_ERROR(client->Update(proof.block()));

  ProvenState out;
  out.chain_id = proof.chain_id();
  out.height = proof.height();
  out.state_root = header.state_root();
  out.block_hash = crypto::Sha256(proof.block().header());
  out.proven_until_ms = header.time_ms() - 1;
  for (int i = 0; i < proof.entries_size(); ++i) {
    const pb::StateProof& entry = proof.entries(i);
    CIVIC_RETURN_IF_ERROR(CheckEntry(entry, proof.height(), header, i));
    out.entries.push_back(ProvenEntry{entry.key(), entry.exists(), entry.exists() ? entry.value() : Bytes()});
  }
  return out;
}

Result<ProvenState> VerifyProof(const TrustedState& trusted, const VerifyOptions& options,
                                const pb::LightProof& proof) {
  LightClient client(trusted, options);
  return VerifyProof(&client, proof);
}

const ProvenEntry* FindEntry(const ProvenState& state, std::string_view key) {
  for (const ProvenEntry& e : state.entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

}  // namespace civic::light
