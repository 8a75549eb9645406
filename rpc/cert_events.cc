#include "rpc/cert_events.h"

#include <optional>
#include <string>

#include "contracts/base/enum_names.h"
#include "contracts/certificate/certificate.pb.h"
#include "contracts/certificate/query.h"
#include "crypto/base/bytes.h"
#include "ledger/tx.h"
#include "rpc/codec/certificate.h"

namespace civic::rpc {

namespace json = boost::json;
namespace {

// The certificates whose status the call changes (not the ones it issues).
std::vector<std::string> ChangedIds(const pb::CertificateCall& call) {
  switch (call.call_case()) {
    case pb::CertificateCall::kSuspend: return {call.suspend().id()};
    case pb::CertificateCall::kReinstate: return {call.reinstate().id()};
    case pb::CertificateCall::kRevoke: return {call.revoke().id()};
    case pb::CertificateCall::kRenew: return {call.renew().previous_id()};
    case pb::CertificateCall::kReplace: return {call.replace().previous_id()};
    default: return {};
  }
}

std::optional<json::object> EventOf(const ledger::Chain& chain, const std::string& id, const Bytes& tx_id) {
  auto cert = contracts::GetCertificate(chain.state(), id);
  if (!cert.ok()) return std::nullopt;
  // The certificate's own record of this tx: what it did, when, by whom.
  const pb::CertEvent* mine = nullptr;
  for (const pb::CertEvent& e : cert->events()) {
    if (e.tx_id() == tx_id) mine = &e;
  }
  if (!mine) return std::nullopt;
  json::object out;
  out["id"] = cert->id();
  out["type_code"] = cert->type_code();
  out["issuer_org"] = cert->issuer_org();
  out["status"] = contracts::EnumName(mine->status_after(), "none");
  if (!mine->related_id().empty()) out["next_id"] = mine->related_id();
  out["event"] = CertEventToJson(*mine);
  return out;
}

}  // namespace

std::string CertificateTopic(std::string_view id) { return "certificate:" + std::string(id); }

std::vector<json::object> CertificateEventsOf(const pb::Block& block, const ledger::Chain& chain) {
  std::vector<json::object> events;
  for (const std::string& raw : block.txs()) {
    pb::SignedTx signed_tx;
    pb::TxBody body;
    pb::CertificateCall call;
    if (!signed_tx.ParseFromString(raw) || !body.ParseFromString(signed_tx.body()) ||
        body.contract() != "certificate" || !call.ParseFromString(body.call())) {
      continue;
    }
    Bytes tx_id = ledger::TxId(raw);
    auto record = chain.GetTx(tx_id);
    if (!record.ok() || record->location.result().code() != 0) continue;
    for (const std::string& id : ChangedIds(call)) {
      if (auto event = EventOf(chain, id, tx_id)) events.push_back(std::move(*event));
    }
  }
  return events;
}

}  // namespace civic::rpc
