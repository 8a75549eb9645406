// An in-memory chain behind the NodeApi seam, for importer and CLI helper tests.
// It checks txs as a node would (signature, chain id, expiry, duplicate ids),
// applies certificate issue calls (a duplicate serial fails the whole tx, as
// CERT_EXISTS does on chain), and can be told to fail in the ways a real node
// and network fail: go down after applying a tx, go down before applying one,
// lose a tx (timeout), or jump ahead in height.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "contracts/certificate/certificate.pb.h"
#include "ledger/tx.h"
#include "tools/common/node_api.h"

namespace civic::tools::testing {

namespace json = boost::json;

class FakeChain : public NodeApi {
 public:
  struct Committed {
    uint64_t height = 0;
    Status result;
    std::vector<std::string> serials;
  };

  std::string chain_id = "test-chain";
  json::array types;

  // Fault injection (guarded by mu_ through the accessors below).
  int crash_after_applying = -1;  // the Nth (0-based) commit from now is applied, then the node is down
  int crash_before_applying = -1; // the Nth commit from now is not applied, and the node is down
  int lose_next = 0;              // tx_commit of the next n txs times out without applying them
  uint64_t jump_on_next_status = 0;  // the next chain_status first advances the height by this much
  std::set<std::string> taken_serials;  // serials already on chain (issued elsewhere)

  void SetDown(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  size_t certificate_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return serial_to_commitment_.size();
  }
  std::map<std::string, std::string> certificates() {
    std::lock_guard<std::mutex> lock(mu_);
    return serial_to_commitment_;
  }
  std::map<std::string, Committed> committed() {
    std::lock_guard<std::mutex> lock(mu_);
    return txs_;
  }
  uint64_t height() {
    std::lock_guard<std::mutex> lock(mu_);
    return height_;
  }

  Result<json::value> Call(std::string_view method, json::value params) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (down_) return Status::Unavailable("CONNECTION_REFUSED", "the fake node is down");
    const json::object& p = params.as_object();
    if (method == "chain_status") {
      height_ += jump_on_next_status;
      jump_on_next_status = 0;
      return json::value(json::object{{"chain_id", chain_id}, {"height", height_}});
    }
    if (method == "cert_types") return json::value(types);
    if (method == "chain_getTx") {
      std::string id(p.at("id").as_string());
      auto it = txs_.find(id);
      if (it == txs_.end()) return Status::NotFound("TX_NOT_FOUND", "no tx " + id);
      return TxJson(id, it->second);
    }
    if (method == "tx_commit") return Commit(std::string(p.at("tx").as_string()));
    return Status(Code::kNotFound, "METHOD_NOT_FOUND", std::string(method));
  }

 private:
  json::value TxJson(const std::string& id, const Committed& c) {
    json::object result{{"code", static_cast<int>(c.result.code())},
                        {"app_code", c.result.ok() ? "" : c.result.app_code()},
                        {"message", c.result.message()}};
    return json::object{{"id", id}, {"height", c.height}, {"index", 0}, {"result", std::move(result)}};
  }

  Result<json::value> Commit(const std::string& hex) {
    auto raw = FromHex(hex);
    if (!raw) return Status::InvalidArgument("TX_MALFORMED", "not hex");
    CIVIC_ASSIGN_OR_RETURN(ledger::DecodedTx tx, ledger::DecodeTx(*raw, chain_id));
    std::string id = ToHex(tx.id);
    if (crash_before_applying == 0) {
      crash_before_applying = -1;
      down_ = true;
      return Status::Unavailable("CONNECTION_LOST", "the fake node went down");
    }
    if (crash_before_applying > 0) --crash_before_applying;
    if (txs_.count(id)) return Status::AlreadyExists("TX_ALREADY_COMMITTED", "tx " + id + " is committed");
    if (tx.body.valid_until_height() < height_ + 1) {
      return Status::FailedPrecondition("TX_EXPIRED", "valid_until_height has passed");
    }
    if (lose_next > 0) {
      --lose_next;
      return Status::DeadlineExceeded("TIMEOUT", "tx not committed in time");
    }
    pb::CertificateCall call;
    if (!call.ParseFromString(tx.body.call()) || !call.has_issue()) {
      return Status::InvalidArgument("CALL_MALFORMED", "not an issue call");
    }
    Committed c;
    c.height = ++height_;
    std::set<std::string> in_tx;
    for (const auto& item : call.issue().certificates()) {
      if (serial_to_commitment_.count(item.serial()) || taken_serials.count(item.serial()) ||
          !in_tx.insert(item.serial()).second) {
        c.result = Status::AlreadyExists("CERT_EXISTS", "certificate with serial " + item.serial() + " exists");
        break;
      }
    }
    if (c.result.ok()) {
      for (const auto& item : call.issue().certificates()) {
        serial_to_commitment_[item.serial()] = ToHex(item.holder_commitment());
        c.serials.push_back(item.serial());
      }
    }
    txs_[id] = c;
    json::value answer = TxJson(id, c);
    if (crash_after_applying == 0) {
      crash_after_applying = -1;
      down_ = true;
      return Status::Unavailable("CONNECTION_LOST", "the fake node went down after applying the tx");
    }
    if (crash_after_applying > 0) --crash_after_applying;
    return answer;
  }

  std::mutex mu_;
  bool down_ = false;
  uint64_t height_ = 10;
  std::map<std::string, Committed> txs_;
  std::map<std::string, std::string> serial_to_commitment_;
};

}  // namespace civic::tools::testing
