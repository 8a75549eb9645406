// An in-memory chain for credit contract tests: the default registry plus the
// credit contract, the sample Mianyang genesis, blocks executed the way
// ledger::Chain executes them (each tx in a child view merged only on success,
// EndBlock after the txs), a block clock the test can move, and every block's
// writes and txs kept for inspection.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"
#include "contracts/base/identifiers.h"
#include "contracts/credit/calls.h"
#include "contracts/credit/contract.h"
#include "contracts/credit/keys.h"
#include "contracts/credit/query.h"
#include "contracts/credit/rules.h"
#include "contracts/credit/subjects.h"
#include "contracts/genesis.h"
#include "contracts/governance/query.h"
#include "contracts/registry.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/keys.h"
#include "crypto/hash.h"
#include "ledger/kv.h"
#include "ledger/tx.h"
#include "tools/samples/network.h"
#include "tools/samples/credit_sample.h"

namespace civic::contracts::credit_testing {

class MemState final : public ledger::KvReader {
 public:
  Result<std::optional<Bytes>> Get(ledger::Space space, std::string_view key) const override {
    const auto& m = map(space);
    auto it = m.find(key);
    if (it == m.end()) return std::optional<Bytes>();
    return std::optional<Bytes>(it->second);
  }
  Status Scan(ledger::Space space, std::string_view prefix, std::string_view start,
              const ledger::ScanFn& fn) const override {
    const auto& m = map(space);
    for (auto it = m.lower_bound(start.empty() ? prefix : start); it != m.end(); ++it) {
      if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
      if (!fn(it->first, it->second)) break;
    }
    return Status::Ok();
  }
  void Apply(const ledger::WriteSet& writes) {
    for (ledger::Space s : {ledger::Space::kState, ledger::Space::kIndex}) {
      for (const auto& [k, v] : writes.of(s)) {
        if (v.has_value()) {
          map(s)[k] = *v;
        } else {
          map(s).erase(k);
        }
      }
    }
  }
  std::map<Bytes, Bytes, std::less<>>& map(ledger::Space s) { return s == ledger::Space::kState ? state_ : index_; }
  const std::map<Bytes, Bytes, std::less<>>& map(ledger::Space s) const {
    return s == ledger::Space::kState ? state_ : index_;
  }
  bool operator==(const MemState& o) const { return state_ == o.state_ && index_ == o.index_; }

 private:
  std::map<Bytes, Bytes, std::less<>> state_;
  std::map<Bytes, Bytes, std::less<>> index_;
};

// Index of each sample org in SampleOrgs().
enum Org : size_t { kPsb = 0, kHrss = 1, kAmr = 2, kNdrc = 3, kGss = 4 };

class CreditChain {
 public:
  static constexpr int64_t kGenesisTime = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
  static constexpr int64_t kBlockInterval = 1000;
  static constexpr const char* kChainId = "credit-test";

  CreditChain() : registry_(Registry::CreateDefault()) {
    if (registry_->Find(kCreditContract) == nullptr) registry_->Add(std::make_unique<CreditContract>());
    for (size_t i = 0; i < samples::kSampleOrgCount; ++i) {
      org_keys.push_back(crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, static_cast<char>(1 + i))).value());
    }
    samples::SampleGenesisInput input;
    input.chain_id = kChainId;
    input.genesis_time_ms = kGenesisTime;
    for (const auto& k : org_keys) input.org_keys.push_back(k.public_key());
    input.node_keys.push_back(crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, 100)).value().public_key());
    auto text = samples::SampleGenesisText(input);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    auto g = ParseGenesis(*text);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    genesis = std::move(*g);
    state.Apply(genesis.state);
    time_ms = kGenesisTime;
  }

  const std::string& code(size_t org) const { return samples::SampleOrgs()[org].code; }

  TxParams Params(size_t org) {
    TxParams p;
    p.chain_id = kChainId;
    p.org = code(org);
    p.valid_until_height = height + 100;
    p.nonce = "n" + std::to_string(nonce_++);
    return p;
  }

  Bytes Tx(size_t org, const pb::CreditCall& call) { return CreditTx(Params(org), call, org_keys[org]); }

  // Executes `txs` as the next block at time `time_ms + kBlockInterval` (or
  // `at_ms` when given); returns each tx's status.
  std::vector<Status> Block(const std::vector<Bytes>& txs, int64_t at_ms = 0) {
    ++height;
    time_ms = at_ms != 0 ? at_ms : time_ms + kBlockInterval;
    ledger::StateView block(&state);
    std::vector<Status> results;
    uint32_t index = 0;
    for (const auto& raw : txs) {
      all_txs.push_back(raw);
      auto decoded = ledger::DecodeTx(raw, kChainId);
      if (!decoded.ok()) {
        results.push_back(decoded.status());
        continue;
      }
      ledger::TxContext ctx;
      ctx.chain_id = kChainId;
      ctx.height = height;
      ctx.block_time_ms = time_ms;
      ctx.tx_index = index++;
      ctx.tx = &*decoded;
      ledger::StateView tx_view(&block);
      Status st = registry_->Execute(ctx, &tx_view);
      if (st.ok()) tx_view.MergeInto(&block);
      results.push_back(st);
    }
    ledger::BlockContext bctx{kChainId, height, time_ms};
    Status end = registry_->EndBlock(bctx, &block);
    EXPECT_TRUE(end.ok()) << end.ToString();
    last_block_writes = block.writes();
    state.Apply(block.TakeWrites());
    return results;
  }

  Status Exec(const Bytes& raw, int64_t at_ms = 0) { return Block({raw}, at_ms).front(); }
  Status Exec(size_t org, const pb::CreditCall& call, int64_t at_ms = 0) { return Exec(Tx(org, call), at_ms); }

  // The admission check of one tx against the current state (as the mempool runs it).
  Status Check(const Bytes& raw) {
    auto decoded = ledger::DecodeTx(raw, kChainId);
    if (!decoded.ok()) return decoded.status();
    ledger::TxContext ctx;
    ctx.chain_id = kChainId;
    ctx.height = height + 1;
    ctx.block_time_ms = time_ms;
    ctx.tx = &*decoded;
    return registry_->CheckTx(ctx, state);
  }

  // Passes `action` through governance: proposed by the supervision bureau and
  // voted yes by every other ADMIN org until decided. Returns the proposal.
  pb::Proposal Govern(const pb::CreditCall& action, const std::string& title = "credit registration") {
    uint64_t id = NextProposalId();
    Status st = Exec(GovernanceTx(Params(kGss), ProposeCreditCall(title, action), org_keys[kGss]));
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (size_t org = 0; org < samples::kSampleOrgCount; ++org) {
      auto p = GetProposal(state, id);
      if (!p.ok() || p->status() != pb::PROPOSAL_OPEN) break;
      if (org == kGss) continue;
      st = Exec(GovernanceTx(Params(org), VoteCall(id, true), org_keys[org]));
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    return GetProposal(state, id).value();
  }

  uint64_t NextProposalId() const {
    auto raw = state.Get(ledger::Space::kState, keys::kNextProposal);
    return raw.ok() && raw->has_value() ? GetBigEndian64(**raw) : 1;
  }

  // Runs a tx that must fail with `app_code` and checks that it changed nothing
  // but the block's own bookkeeping (the credit contract's EndBlock may record
  // due expiries; none are due in these tests).
  void ExpectRejected(const Bytes& raw, const std::string& app_code) {
    MemState before = state;
    Status st = Exec(raw);
    EXPECT_EQ(st.app_code(), app_code) << st.ToString();
    EXPECT_TRUE(last_block_writes.empty()) << "a rejected tx wrote state";
    EXPECT_TRUE(state == before) << "a rejected tx changed state";
  }

  Registry& registry() { return *registry_; }

  std::vector<crypto::KeyPair> org_keys;
  Genesis genesis;
  MemState state;
  uint64_t height = 0;
  int64_t time_ms = 0;
  ledger::WriteSet last_block_writes;
  std::vector<Bytes> all_txs;

 private:
  std::unique_ptr<Registry> registry_;
  uint64_t nonce_ = 0;
};

// ---- Building blocks

inline pb::CreditCategory Category(std::string code, pb::CreditList list, std::vector<std::string> deciders,
                                   int64_t min_days, int64_t max_days, bool repairable,
                                   pb::CreditSeverity severity = pb::CREDIT_SEVERITY_SERIOUS) {
  pb::CreditCategory c;
  c.set_code(code);
  c.set_name("类别 " + code);
  c.set_list(list);
  for (auto& d : deciders) c.add_deciding_orgs(d);
  c.set_severity(severity);
  c.set_min_publicity_ms(min_days * kDayMs);
  c.set_max_publicity_ms(max_days * kDayMs);
  c.set_repairable(repairable);
  return c;
}

inline pb::CreditMeasure Measure(std::string category, std::string code, std::string org, std::string matter,
                                 std::string description = "限制参加政府采购活动") {
  pb::CreditMeasure m;
  m.set_category(std::move(category));
  m.set_code(std::move(code));
  m.set_org(std::move(org));
  m.set_matter(std::move(matter));
  m.set_description(std::move(description));
  return m;
}

inline std::string ValidUscc(std::string_view first17) { return std::string(first17) + UsccCheckChar(first17).value(); }

inline pb::CreditListing Listing(const pb::CreditSubject& subject, std::string category, std::string doc_no,
                                 int64_t decided_at = 0, int64_t end = 0) {
  pb::CreditListing l;
  *l.mutable_subject() = subject;
  l.set_category(std::move(category));
  l.set_reason("违法事实 " + doc_no);
  l.set_legal_basis("《示例条例》第十条");
  l.set_decision_doc_digest(crypto::Sha256("document " + doc_no));
  l.set_decision_doc_no(std::move(doc_no));
  l.set_decided_at_ms(decided_at);
  l.set_publicity_end_ms(end);
  return l;
}

inline pb::CreditSubject Enterprise(std::string_view uscc) { return EnterpriseSubject(uscc, "示例企业").value(); }

// Commits the sample credit data (SampleCreditBlocks) on a fresh chain; every tx must succeed.
inline void CommitSample(CreditChain* chain) {
  samples::CreditSampleInput in;
  in.chain_id = CreditChain::kChainId;
  in.org_keys = chain->org_keys;
  in.now_ms = chain->time_ms;
  in.first_proposal_id = chain->NextProposalId();
  in.valid_until_height = chain->height + 100;
  auto blocks = samples::SampleCreditBlocks(in);
  ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
  for (const auto& block : *blocks) {
    for (const Status& st : chain->Block(block)) ASSERT_TRUE(st.ok()) << st.ToString();
  }
}

}  // namespace civic::contracts::credit_testing
