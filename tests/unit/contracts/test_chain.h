// A minimal in-memory chain for contract tests: state in ordered maps, blocks of
// txs executed through the Registry the way ledger::Chain does (each tx in a child
// view merged only on success, EndBlock after the txs), sample Mianyang genesis.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/genesis.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/keys.h"
#include "contracts/registry.h"
#include "ledger/kv.h"
#include "ledger/tx.h"
#include "tools/samples/network.h"

namespace civic::contracts::testing {

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
enum SampleIndex : size_t { kPsb = 0, kHrss = 1, kAmr = 2, kNdrc = 3, kGss = 4 };

class TestChain {
 public:
  static constexpr int64_t kGenesisTime = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
  static constexpr int64_t kBlockInterval = 1000;

  TestChain() : registry_(Registry::CreateDefault()) {
    for (size_t i = 0; i < samples::kSampleOrgCount; ++i) {
      org_keys.push_back(crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Seed(static_cast<char>(1 + i))).value());
    }
    node_key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Seed(100)).value().public_key();
    samples::SampleGenesisInput input;
    input.chain_id = "test-chain";
    input.genesis_time_ms = kGenesisTime;
    for (const auto& k : org_keys) input.org_keys.push_back(k.public_key());
    input.node_keys.push_back(node_key);
    auto text = samples::SampleGenesisText(input);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    auto g = ParseGenesis(*text);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    genesis = std::move(*g);
    state.Apply(genesis.state);
    time_ms = kGenesisTime;
  }

  static Bytes Seed(char c) { return Bytes(32, c); }

  const std::string& code(size_t org) const { return samples::SampleOrgs()[org].code; }

  TxParams Params(size_t org) {
    TxParams p;
    p.chain_id = "test-chain";
    p.org = code(org);
    p.valid_until_height = height + 100;
    p.nonce = "n" + std::to_string(nonce_++);
    return p;
  }

  // Executes `txs` as the next block; returns each tx's status.
  std::vector<Status> Block(const std::vector<Bytes>& txs) {
    ++height;
    time_ms += kBlockInterval;
    ledger::StateView block(&state);
    std::vector<Status> results;
    uint32_t index = 0;
    for (const auto& raw : txs) {
      auto decoded = ledger::DecodeTx(raw, "test-chain");
      if (!decoded.ok()) {
        results.push_back(decoded.status());
        continue;
      }
      ledger::TxContext ctx;
      ctx.chain_id = "test-chain";
      ctx.height = height;
      ctx.block_time_ms = time_ms;
      ctx.tx_index = index++;
      ctx.tx = &*decoded;
      ledger::StateView tx_view(&block);
      Status st = registry_->Execute(ctx, &tx_view);
      if (st.ok()) tx_view.MergeInto(&block);
      results.push_back(st);
    }
    ledger::BlockContext bctx{"test-chain", height, time_ms};
    Status end = registry_->EndBlock(bctx, &block);
    EXPECT_TRUE(end.ok()) << end.ToString();
    last_block_writes = block.writes();
    state.Apply(block.TakeWrites());
    return results;
  }

  Status Exec(const Bytes& raw) { return Block({raw}).front(); }

  // Stateful mempool check of one tx against the current state.
  Status Check(const Bytes& raw) {
    auto decoded = ledger::DecodeTx(raw, "test-chain");
    if (!decoded.ok()) return decoded.status();
    ledger::TxContext ctx;
    ctx.chain_id = "test-chain";
    ctx.height = height + 1;
    ctx.block_time_ms = time_ms + kBlockInterval;
    ctx.tx = &*decoded;
    return registry_->CheckTx(ctx, state);
  }

  // Runs `action` as a governance proposal that every ADMIN org votes for.
  // Returns the final proposal status name and any action error.
  pb::Proposal PassProposal(const pb::GovernanceCall& propose, size_t proposer = kGss) {
    uint64_t id = NextProposalId();
    Status st = Exec(GovernanceTx(Params(proposer), propose, org_keys[proposer]));
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (size_t org = 0; org < samples::kSampleOrgCount; ++org) {
      auto p = GetProposal(state, id);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      if (!p.ok() || p->status() != pb::PROPOSAL_OPEN) break;
      if (org == proposer) continue;
      auto voter = GetOrg(state, code(org));
      if (!voter.ok() || !HasRole(*voter, pb::ROLE_ADMIN)) continue;
      st = Exec(VoteTx(Params(org), id, true, org_keys[org]));
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    return GetProposal(state, id).value();
  }

  uint64_t NextProposalId() const {
    auto raw = state.Get(ledger::Space::kState, keys::kNextProposal);
    return raw.ok() && raw->has_value() ? GetBigEndian64(**raw) : 1;
  }

  Registry& registry() { return *registry_; }

  std::vector<crypto::KeyPair> org_keys;
  crypto::PublicKey node_key;
  Genesis genesis;
  MemState state;
  uint64_t height = 0;
  int64_t time_ms = 0;
  ledger::WriteSet last_block_writes;

 private:
  std::unique_ptr<Registry> registry_;
  uint64_t nonce_ = 0;
};

}  // namespace civic::contracts::testing
