// Validator-set changes through governance while the network runs: a new
// department's node, not admitted at first, is added as a validator, connects,
// syncs and signs; an original validator is removed, loses its connections and
// is no longer needed for a quorum. No node restarts.
#include <gtest/gtest.h>

#include "contracts/certificate/holder.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/genesis.h"
#include "ledger/tx.h"
#include "tests/unit/bft/cluster.h"
#include "tools/samples/network.h"

namespace civic::testing::bft {
namespace {

// Commits `raw` through node `via` and checks the tx's own result.
void CommitOk(Cluster& c, size_t via, const Bytes& raw) {
  const Bytes id = c.Submit(via, raw);
  ASSERT_TRUE(WaitFor([&] { return c.node(via).chain().GetTx(id).ok(); }, 30s));
  auto record = c.node(via).chain().GetTx(id);
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->location.result().code(), 0u) << record->location.result().app_code() << ": "
                                                   << record->location.result().message();
}

// Proposal `id` by org 0 with yes votes of orgs 1..3: more than 2/3 of the five
// ADMIN orgs of the sample genesis.
void PassProposal(Cluster& c, size_t via, const pb::GovernanceCall& call, uint64_t id) {
  const auto& orgs = samples::SampleOrgs();
  auto params = [&](size_t org) {
    contracts::TxParams p;
    p.chain_id = c.net().sample.chain_id;
    p.org = orgs[org].code;
    p.valid_until_height = c.MaxHeight() + 200;
    return p;
  };
  CommitOk(c, via, contracts::ProposeTx(params(0), "validator change", call, c.net().sample.org_keys[0]));
  if (::testing::Test::HasFatalFailure()) return;
  for (size_t org = 1; org <= 3; ++org) {
    CommitOk(c, via, contracts::VoteTx(params(org), id, true, c.net().sample.org_keys[org]));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

pb::GovernanceCall SetValidator(const Cluster& c, size_t node, uint64_t power) {
  pb::GovernanceCall call;
  auto* set = call.mutable_set_validator();
  set->set_org(samples::SampleOrgs()[node % samples::kSampleOrgCount].code);
  set->set_algo(static_cast<uint32_t>(crypto::Algo::kEd25519));
  set->set_key(c.net().node_keys[node].public_key().key);
  set->set_power(power);
  return call;
}

bool SignedACommit(TestNode& n, const crypto::PublicKey& key) {
  for (uint64_t h = n.height(); h >= 1; --h) {
    auto stored = n.chain().GetBlock(h);
    if (!stored.ok()) return false;
    for (const auto& sig : stored->commit().sigs()) {
      if (ledger::FromProto(sig.validator()) == key) return true;
    }
    if (h + 20 < n.height()) break;
  }
  return false;
}

TEST(BftMembership, GovernanceAddsAJoiningValidatorAndRemovesAnother) {
  // Node 4 is nobody's observer: only governance can admit it.
  Cluster c(4, 1, [](size_t, node::BftOptions* o) { o->observers.clear(); });
  for (size_t i = 0; i < 4; ++i) c.Start(i);
  ASSERT_TRUE(c.WaitHeight(2));
  c.Start(4);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(c.node(4).engine().peer_count(), 0u) << "an unadmitted node connected";
  EXPECT_EQ(c.node(4).height(), 0u);

  PassProposal(c, 1, SetValidator(c, 4, 10), /*id=*/1);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(WaitFor([&] { return c.node(4).engine().is_validator(); }, 30s))
      << "node 4 height " << c.node(4).height() << " cluster " << c.MaxHeight();
  const crypto::PublicKey joined = c.net().node_keys[4].public_key();
  ASSERT_TRUE(WaitFor([&] { return SignedACommit(c.node(1), joined); }, 30s)) << "node 4 does not sign";
  EXPECT_EQ(c.CheckConsistent(), "");

  PassProposal(c, 1, SetValidator(c, 0, 0), /*id=*/2);
  ASSERT_FALSE(HasFatalFailure());
  const crypto::PublicKey removed = c.net().node_keys[0].public_key();
  ASSERT_TRUE(WaitFor([&] {
    auto tip = c.node(1).chain().tip();
    for (const auto* set : {&tip.last_validators, &tip.validators, &tip.next_validators}) {
      for (const auto& v : set->validators()) {
        if (ledger::FromProto(v.pub_key()) == removed) return false;
      }
    }
    return true;
  }, 30s)) << "validator 0 is still in a set";
  // Out of every set: the others drop it.
  ASSERT_TRUE(WaitFor([&] { return c.node(0).engine().peer_count() == 0; }, 15s))
      << "the removed validator is still connected";
  EXPECT_FALSE(c.node(0).engine().is_validator());
  c.Stop(0);

  // 1, 2, 3, 4 are the validators now: three of them are a quorum.
  c.Stop(2);
  const uint64_t h = c.MaxHeight();
  ASSERT_TRUE(c.WaitHeight(h + 3)) << "no quorum without the removed validator; min " << c.MinHeight();
  EXPECT_EQ(c.CheckConsistent(), "");
  for (size_t i : {1, 3, 4}) EXPECT_FALSE(c.node(i).fatal().has_value());
}

}  // namespace
}  // namespace civic::testing::bft
