#include "ledger/chain.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/merkle.h"
#include "ledger/state_hash.h"
#include "test_util.h"

namespace civic::ledger {
namespace {

using testing::KeyFromSeed;
using testing::MakeTx;
using testing::MakeValidatorSet;
using testing::SignCommit;
using testing::TempDir;
using testing::TestChain;
using testing::TestExecutor;

std::optional<Bytes> Read(const KvReader& r, std::string_view key, Space space = Space::kState) {
  auto v = r.Get(space, key);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : std::nullopt;
}

pb::BlockHeader HeaderOf(const pb::Block& block) {
  pb::BlockHeader h;
  EXPECT_TRUE(h.ParseFromString(block.header()));
  return h;
}

pb::Block WithHeader(pb::Block block, const std::function<void(pb::BlockHeader*)>& edit) {
  pb::BlockHeader h = HeaderOf(block);
  edit(&h);
  block.set_header(h.SerializeAsString());
  return block;
}

TEST(ChainOpenTest, RejectsBadOptions) {
  TempDir dir;
  TestExecutor exec;
  ChainOptions o;
  EXPECT_EQ(Chain::Open(dir.path(), o, &exec).status().app_code(), "BAD_OPTIONS");
  o.chain_id = "c";
  EXPECT_EQ(Chain::Open(dir.path(), o, nullptr).status().app_code(), "BAD_OPTIONS");
  o.replay_window = 0;
  EXPECT_EQ(Chain::Open(dir.path(), o, &exec).status().app_code(), "BAD_OPTIONS");
}

TEST(ChainOpenTest, RefusesDatabaseOfAnotherChain) {
  TempDir dir;
  TestExecutor exec;
  ChainOptions o = TestChain::Defaults();
  { ASSERT_TRUE(Chain::Open(dir.path(), o, &exec).ok()); }
  o.chain_id = "another-chain";
  auto other = Chain::Open(dir.path(), o, &exec);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().app_code(), "WRONG_CHAIN_ID");
}

TEST(ChainOpenTest, SecondOpenOfSameDirectoryFails) {
  TempDir dir;
  TestExecutor exec;
  auto first = Chain::Open(dir.path(), TestChain::Defaults(), &exec);
  ASSERT_TRUE(first.ok());
  auto second = Chain::Open(dir.path(), TestChain::Defaults(), &exec);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().app_code(), "DB_OPEN_FAILED");
}

TEST(ChainOpenTest, NothingWorksBeforeGenesis) {
  TempDir dir;
  TestExecutor exec;
  auto chain = Chain::Open(dir.path(), TestChain::Defaults(), &exec).value();
  EXPECT_FALSE(chain->initialised());
  pb::Block block;
  EXPECT_EQ(chain->ApplyBlock(block, pb::Commit()).app_code(), "NOT_INITIALISED");
  EXPECT_EQ(chain->ValidateBlock(block).app_code(), "NOT_INITIALISED");
  EXPECT_EQ(chain->Prove("k", 0).status().app_code(), "NOT_INITIALISED");
  EXPECT_EQ(chain->GetBlock(1).status().code(), Code::kNotFound);
}

TEST(ChainGenesisTest, WritesGenesisStateAndTip) {
  TempDir dir;
  TestChain t(dir.path(), 3);
  Tip tip = t.chain->tip();
  EXPECT_TRUE(t.chain->initialised());
  EXPECT_EQ(tip.height, 0u);
  EXPECT_TRUE(tip.block_hash.empty());
  EXPECT_EQ(tip.time_ms, 1000);
  EXPECT_EQ(tip.last_results_hash, ResultsHash({}));
  EXPECT_EQ(tip.last_commit_hash, CommitHash(pb::Commit()));
  EXPECT_EQ(ValidatorSetHash(tip.validators), ValidatorSetHash(tip.next_validators));
  EXPECT_EQ(tip.validators.validators_size(), 3);
  EXPECT_EQ(Read(t.chain->state(), "genesis/hello"), "world");
  EXPECT_EQ(Read(t.chain->state(), "idx/genesis", Space::kIndex), "1");
  EXPECT_EQ(t.chain->StateRootAt(0).value(), tip.app_state_root);
  EXPECT_EQ(ValidatorSetHash(t.chain->ValidatorsAt(1).value()), ValidatorSetHash(tip.validators));
  EXPECT_TRUE(t.chain->VerifyState().ok());
}

TEST(ChainGenesisTest, IdempotentForSameHashOnly) {
  TempDir dir;
  TestChain t(dir.path());
  auto genesis = testing::GenesisState(MakeValidatorSet(t.keys));
  EXPECT_TRUE(t.chain->InitGenesis(1000, genesis, "genesis-hash").ok());
  Status other = t.chain->InitGenesis(1000, genesis, "another-genesis");
  EXPECT_EQ(other.app_code(), "ALREADY_INITIALISED");
  t.Reopen();
  EXPECT_TRUE(t.chain->InitGenesis(1000, genesis, "genesis-hash").ok());
  EXPECT_EQ(t.chain->InitGenesis(1000, genesis, "x").app_code(), "ALREADY_INITIALISED");
}

TEST(ChainGenesisTest, GenesisWithoutValidatorsFails) {
  TempDir dir;
  TestExecutor exec;
  auto chain = Chain::Open(dir.path(), TestChain::Defaults(), &exec).value();
  WriteSet ws;
  ws.state["a"] = "b";
  EXPECT_FALSE(chain->InitGenesis(1, ws, "g").ok());
  EXPECT_FALSE(chain->initialised());
  ws.state["validators"] = pb::ValidatorSet().SerializeAsString();
  EXPECT_EQ(chain->InitGenesis(1, ws, "g").app_code(), "BAD_VALIDATOR_SET");
}

TEST(ChainApplyTest, AppliesBlocksAndServesReads) {
  TempDir dir;
  TestChain t(dir.path());
  Bytes tx1 = t.Tx("put a 1\nput b 2\nidx ix/a a");
  Bytes tx2 = t.Tx("put c 3\ndel genesis/hello");
  const Bytes root0 = t.chain->tip().app_state_root;
  pb::Block block = t.Build({tx1, tx2}, 5000);
  ASSERT_TRUE(t.ApplyBuilt(block).ok());

  Tip tip = t.chain->tip();
  EXPECT_EQ(tip.height, 1u);
  EXPECT_EQ(tip.block_hash, BlockHash(block));
  EXPECT_EQ(tip.time_ms, 5000);
  EXPECT_NE(tip.app_state_root, root0);
  EXPECT_EQ(tip.last_commit_hash, CommitHash(t.last_commit));
  EXPECT_EQ(Read(t.chain->state(), "a"), "1");
  EXPECT_EQ(Read(t.chain->state(), "c"), "3");
  EXPECT_EQ(Read(t.chain->state(), "meta/height"), "1");
  EXPECT_EQ(Read(t.chain->state(), "genesis/hello"), std::nullopt);
  EXPECT_EQ(Read(t.chain->state(), "ix/a", Space::kIndex), "a");
  EXPECT_EQ(HeaderOf(block).state_root(), root0);  // pipelined: root after block 0

  auto stored = t.chain->GetBlock(1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->block().SerializeAsString(), block.SerializeAsString());
  EXPECT_EQ(stored->commit().SerializeAsString(), t.last_commit.SerializeAsString());
  EXPECT_EQ(t.chain->GetHeader(1)->height(), 1u);
  EXPECT_EQ(t.chain->GetHeightByHash(BlockHash(block)).value(), 1u);
  EXPECT_EQ(t.chain->GetHeightByHash("nope").status().app_code(), "BLOCK_NOT_FOUND");
  EXPECT_EQ(t.chain->GetBlock(2).status().app_code(), "BLOCK_NOT_FOUND");

  auto rec = t.chain->GetTx(TxId(tx2));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->raw, tx2);
  EXPECT_EQ(rec->location.height(), 1u);
  EXPECT_EQ(rec->location.index(), 1u);
  EXPECT_EQ(rec->location.result().code(), 0u);
  EXPECT_EQ(t.chain->GetTx(crypto::Sha256("x")).status().app_code(), "TX_NOT_FOUND");

  // The next block carries the root and results of this one.
  pb::Block next = t.Build({});
  EXPECT_EQ(HeaderOf(next).state_root(), tip.app_state_root);
  EXPECT_EQ(HeaderOf(next).last_results_hash(), tip.last_results_hash);
  ASSERT_TRUE(t.ApplyBuilt(next).ok());
  EXPECT_EQ(t.chain->StateRootAt(1).value(), tip.app_state_root);
  EXPECT_TRUE(t.chain->VerifyState().ok());
  EXPECT_EQ(t.chain->last_apply_stats().height, 2u);
}

TEST(ChainApplyTest, FailingTxChangesNothingAndKeepsItsResult) {
  TempDir dir;
  TestChain t(dir.path());
  Bytes ok1 = t.Tx("put x 1");
  Bytes bad = t.Tx("put x 2\nput y 2\nidx iy 1\nfail");
  Bytes ok2 = t.Tx("put z 3");
  ASSERT_TRUE(t.Apply({ok1, bad, ok2}).ok());
  EXPECT_EQ(Read(t.chain->state(), "x"), "1");
  EXPECT_EQ(Read(t.chain->state(), "y"), std::nullopt);
  EXPECT_EQ(Read(t.chain->state(), "iy", Space::kIndex), std::nullopt);
  EXPECT_EQ(Read(t.chain->state(), "z"), "3");
  auto rec = t.chain->GetTx(TxId(bad));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->location.result().app_code(), "TEST_FAIL");
  EXPECT_EQ(rec->location.result().code(), static_cast<uint32_t>(Code::kFailedPrecondition));
  EXPECT_FALSE(rec->location.result().message().empty());
  pb::TxResult okr, badr;
  badr.set_code(static_cast<uint32_t>(Code::kFailedPrecondition));
  badr.set_app_code("TEST_FAIL");
  EXPECT_EQ(t.chain->tip().last_results_hash, ResultsHash({okr, badr, okr}));
  EXPECT_EQ(t.chain->last_apply_stats().failed_txs, 1u);
  EXPECT_TRUE(t.chain->VerifyState().ok());
}

TEST(ChainApplyTest, ReopenContinuesAtTheSameTip) {
  TempDir dir;
  TestChain t(dir.path());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(t.Apply({t.Tx("put k" + std::to_string(i) + " v", "n")}).ok());
  Tip before = t.chain->tip();
  std::vector<Bytes> roots;
  for (uint64_t v = 0; v <= before.height; ++v) roots.push_back(t.chain->StateRootAt(v).value());
  t.Reopen();
  Tip after = t.chain->tip();
  EXPECT_EQ(after.height, before.height);
  EXPECT_EQ(after.block_hash, before.block_hash);
  EXPECT_EQ(after.app_state_root, before.app_state_root);
  EXPECT_EQ(after.last_results_hash, before.last_results_hash);
  EXPECT_EQ(after.last_commit_hash, before.last_commit_hash);
  EXPECT_EQ(ValidatorSetHash(after.last_validators), ValidatorSetHash(before.last_validators));
  for (uint64_t v = 0; v <= before.height; ++v) EXPECT_EQ(t.chain->StateRootAt(v).value(), roots[v]);
  ASSERT_TRUE(t.Apply({t.Tx("put more yes")}).ok());
  EXPECT_EQ(t.chain->tip().height, before.height + 1);
  EXPECT_EQ(Read(t.chain->state(), "k3"), "v");
  EXPECT_TRUE(t.chain->VerifyState().ok());
}

TEST(ChainReplayTest, CheckTxWindowAndCommittedIds) {
  TempDir dir;
  TestChain t(dir.path());  // replay window 100
  ASSERT_TRUE(t.Apply({}).ok());
  ASSERT_TRUE(t.Apply({}).ok());  // height 2
  auto decode = [&](uint64_t valid_until, const std::string& call = "put a b") {
    return DecodeTx(MakeTx("test-chain", t.keys[0], valid_until, call), "test-chain").value();
  };
  EXPECT_EQ(t.chain->CheckTx(decode(2)).app_code(), "TX_EXPIRED");
  EXPECT_EQ(t.chain->CheckTx(decode(0)).app_code(), "TX_EXPIRED");
  EXPECT_TRUE(t.chain->CheckTx(decode(3)).ok());
  EXPECT_TRUE(t.chain->CheckTx(decode(102)).ok());
  EXPECT_EQ(t.chain->CheckTx(decode(103)).app_code(), "TX_VALID_UNTIL_TOO_FAR");
  EXPECT_EQ(t.chain->CheckTx(decode(50, "reject please")).app_code(), "TEST_REJECT");

  DecodedTx tx = decode(10);
  ASSERT_TRUE(t.Apply({tx.raw}).ok());
  EXPECT_EQ(t.chain->CheckTx(tx).app_code(), "TX_ALREADY_COMMITTED");
}

TEST(ChainReplayTest, BlocksWithReplayedExpiredOrDuplicateTxsAreRejected) {
  TempDir dir;
  TestChain t(dir.path());
  Bytes tx = t.Tx("put a 1");
  ASSERT_TRUE(t.Apply({tx}).ok());  // height 1

  Status replay = t.chain->ValidateBlock(t.Build({tx}));
  EXPECT_EQ(replay.app_code(), "TX_ALREADY_COMMITTED");
  EXPECT_NE(replay.message().find("tx 0"), std::string::npos);

  Bytes fresh = t.Tx("put b 2", "x");
  EXPECT_EQ(t.chain->ValidateBlock(t.Build({fresh, fresh})).app_code(), "DUPLICATE_TX");

  Bytes expired = MakeTx("test-chain", t.keys[0], 1, "put c 3");
  EXPECT_EQ(t.chain->ValidateBlock(t.Build({expired})).app_code(), "TX_EXPIRED");
  Bytes boundary = MakeTx("test-chain", t.keys[0], 2, "put c 3");  // valid through block 2
  EXPECT_TRUE(t.chain->ValidateBlock(t.Build({boundary})).ok());
  Bytes too_far = MakeTx("test-chain", t.keys[0], 1 + 101, "put c 3");
  EXPECT_EQ(t.chain->ValidateBlock(t.Build({too_far})).app_code(), "TX_VALID_UNTIL_TOO_FAR");

  Bytes other_chain = MakeTx("other", t.keys[0], 5, "put c 3");
  EXPECT_EQ(t.chain->ValidateBlock(t.Build({other_chain})).app_code(), "WRONG_CHAIN_ID");
  pb::SignedTx forged;
  forged.ParseFromString(fresh);
  forged.mutable_sig()->mutable_sig()->at(0) ^= 1;
  Bytes forged_raw = forged.SerializeAsString();
  EXPECT_EQ(t.chain->ValidateBlock(t.Build({forged_raw})).app_code(), "BAD_SIGNATURE");
  // A signature the caller verified already is not checked again.
  EXPECT_TRUE(t.chain->ValidateBlock(t.Build({forged_raw}), [&](const Bytes& id) { return id == TxId(forged_raw); }).ok());
  EXPECT_EQ(t.chain->ValidateBlock(t.Build({"garbage"})).app_code(), "TX_MALFORMED");

  // ApplyBlock refuses them the same way and writes nothing.
  Tip before = t.chain->tip();
  EXPECT_EQ(t.ApplyBuilt(t.Build({tx})).app_code(), "TX_ALREADY_COMMITTED");
  EXPECT_EQ(t.chain->tip().height, before.height);
  EXPECT_EQ(t.chain->GetBlock(2).status().code(), Code::kNotFound);
}

class ValidateHeaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t = std::make_unique<TestChain>(dir.path(), 4);
    ASSERT_TRUE(t->Apply({t->Tx("put a 1")}, 2000).ok());  // height 1
    good = t->Build({t->Tx("put b 2", "n")}, 3000);
    ASSERT_TRUE(t->chain->ValidateBlock(good).ok());
  }
  void ExpectBadBlock(const pb::Block& block, const std::string& mentions) {
    Status st = t->chain->ValidateBlock(block);
    ASSERT_FALSE(st.ok()) << mentions;
    EXPECT_EQ(st.app_code(), "BAD_BLOCK") << st.ToString();
    EXPECT_NE(st.message().find(mentions), std::string::npos) << st.ToString();
    Tip before = t->chain->tip();
    pb::Commit commit = t->CommitFor(block);
    EXPECT_EQ(t->chain->ApplyBlock(block, commit).app_code(), "BAD_BLOCK");
    EXPECT_EQ(t->chain->tip().height, before.height);
  }
  TempDir dir;
  std::unique_ptr<TestChain> t;
  pb::Block good;
};

TEST_F(ValidateHeaderTest, RejectsEachMalformedField) {
  Bytes junk = crypto::Sha256("junk");
  ExpectBadBlock(WithHeader(good, [](auto* h) { h->set_chain_id("other"); }), "chain");
  ExpectBadBlock(WithHeader(good, [](auto* h) { h->set_height(3); }), "height");
  ExpectBadBlock(WithHeader(good, [](auto* h) { h->set_height(1); }), "height");
  ExpectBadBlock(WithHeader(good, [](auto* h) { h->set_time_ms(2000); }), "time");
  ExpectBadBlock(WithHeader(good, [](auto* h) { h->set_time_ms(1999); }), "time");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_prev_block_hash(junk); }), "prev_block_hash");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_state_root(junk); }), "state_root");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_last_results_hash(junk); }), "last_results_hash");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_validators_hash(junk); }), "validators_hash");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_next_validators_hash(junk); }), "next_validators_hash");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { *h->mutable_proposer() = ToProto(KeyFromSeed(50).public_key()); }),
                 "proposer");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_last_commit_hash(junk); }), "last_commit_hash");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_tx_root(junk); }), "tx_root");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_tx_count(2); }), "tx_count");
  ExpectBadBlock(WithHeader(good, [&](auto* h) { h->set_evidence_hash(junk); }), "evidence_hash");
  pb::Block garbage = good;
  garbage.set_header("\xff\xff not a header");
  ExpectBadBlock(garbage, "header");
  pb::Block extra_tx = good;
  extra_tx.add_txs(t->Tx("put extra 1", "e"));
  ExpectBadBlock(extra_tx, "tx_count");
}

TEST_F(ValidateHeaderTest, RejectsAnInvalidLastCommit) {
  // A last commit with too few signatures, with a header that matches it.
  pb::Commit weak = SignCommit("test-chain", {t->keys[0], t->keys[1]}, 1, t->chain->tip().block_hash);
  pb::Block block = t->chain->BuildBlock({}, 3000, t->keys[0].public_key(), weak);
  ExpectBadBlock(block, "last commit");
  pb::Commit wrong_block = SignCommit("test-chain", t->keys, 1, crypto::Sha256("x"));
  ExpectBadBlock(t->chain->BuildBlock({}, 3000, t->keys[0].public_key(), wrong_block), "last commit");
  ExpectBadBlock(t->chain->BuildBlock({}, 3000, t->keys[0].public_key(), pb::Commit()), "last commit");
}

TEST_F(ValidateHeaderTest, BlockOneNeedsAnEmptyLastCommit) {
  TempDir other;
  TestChain fresh(other.path());
  pb::Commit bogus = SignCommit("test-chain", fresh.keys, 0, crypto::Sha256("x"));
  pb::Block block = fresh.chain->BuildBlock({}, 0, fresh.keys[0].public_key(), bogus);
  EXPECT_EQ(fresh.chain->ValidateBlock(block).app_code(), "BAD_BLOCK");
}

TEST_F(ValidateHeaderTest, ApplyVerifiesTheCommit) {
  Tip before = t->chain->tip();
  pb::Commit few = SignCommit("test-chain", {t->keys[0], t->keys[1]}, 2, BlockHash(good));
  EXPECT_EQ(t->chain->ApplyBlock(good, few).app_code(), "BAD_COMMIT");
  pb::Commit other_hash = SignCommit("test-chain", t->keys, 2, crypto::Sha256("x"));
  EXPECT_EQ(t->chain->ApplyBlock(good, other_hash).app_code(), "BAD_COMMIT");
  pb::Commit outsiders = SignCommit("test-chain", {KeyFromSeed(40), KeyFromSeed(41), KeyFromSeed(42)}, 2, BlockHash(good));
  EXPECT_EQ(t->chain->ApplyBlock(good, outsiders).app_code(), "BAD_COMMIT");
  EXPECT_EQ(t->chain->tip().height, before.height);
  EXPECT_EQ(t->chain->tip().app_state_root, before.app_state_root);
  pb::Commit three = SignCommit("test-chain", {t->keys[0], t->keys[2], t->keys[3]}, 2, BlockHash(good));
  EXPECT_TRUE(t->chain->ApplyBlock(good, three).ok());
}

TEST(ChainTimeTest, BuildBlockKeepsTimeIncreasing) {
  TempDir dir;
  TestChain t(dir.path());
  ASSERT_TRUE(t.Apply({}, 50000).ok());
  pb::Block block = t.Build({}, 10);  // clock behind: block time still moves forward
  EXPECT_EQ(HeaderOf(block).time_ms(), 50001);
  ASSERT_TRUE(t.ApplyBuilt(block).ok());
}

TEST(ChainValidatorTest, ChangesTakeEffectTwoBlocksLater) {
  TempDir dir;
  TestChain t(dir.path(), 1);  // validator: seed 0
  Bytes old_hash = ValidatorSetHash(t.chain->tip().validators);
  ASSERT_TRUE(t.Apply({t.Tx("vals 5,6,7")}).ok());  // block 1 changes the set
  std::vector<crypto::KeyPair> next = {KeyFromSeed(5), KeyFromSeed(6), KeyFromSeed(7)};
  Tip tip1 = t.chain->tip();
  EXPECT_EQ(ValidatorSetHash(tip1.validators), old_hash);  // signs block 2
  EXPECT_EQ(tip1.next_validators.validators_size(), 3);  // signs block 3
  EXPECT_EQ(ValidatorSetHash(t.chain->ValidatorsAt(2).value()), old_hash);
  EXPECT_EQ(t.chain->ValidatorsAt(3)->validators_size(), 3);
  EXPECT_EQ(t.chain->ValidatorsAt(4).status().code(), Code::kNotFound);

  ASSERT_TRUE(t.Apply({}).ok());  // block 2, signed by seed 0
  Tip tip2 = t.chain->tip();
  EXPECT_EQ(tip2.validators.validators_size(), 3);
  EXPECT_EQ(ValidatorSetHash(tip2.last_validators), old_hash);

  // Block 3 needs the new set: the old key alone no longer commits.
  pb::Block b3 = t.chain->BuildBlock({}, 0, next[0].public_key(), t.last_commit);
  pb::Commit by_old = SignCommit("test-chain", {t.keys[0]}, 3, BlockHash(b3));
  EXPECT_EQ(t.chain->ApplyBlock(b3, by_old).app_code(), "BAD_COMMIT");
  pb::Block by_old_proposer = t.chain->BuildBlock({}, 0, t.keys[0].public_key(), t.last_commit);
  EXPECT_EQ(t.chain->ValidateBlock(by_old_proposer).app_code(), "BAD_BLOCK");
  pb::Commit by_new = SignCommit("test-chain", next, 3, BlockHash(b3));
  ASSERT_TRUE(t.chain->ApplyBlock(b3, by_new).ok());

  // Block 4's last commit is checked against the set that signed block 3.
  pb::Block b4 = t.chain->BuildBlock({}, 0, next[1].public_key(), by_new);
  EXPECT_TRUE(t.chain->ValidateBlock(b4).ok());
  pb::Block b4_bad = t.chain->BuildBlock({}, 0, next[1].public_key(), by_old);
  EXPECT_EQ(t.chain->ValidateBlock(b4_bad).app_code(), "BAD_BLOCK");
}

TEST(ChainProofTest, InclusionAndNonInclusionAtCurrentAndOldVersions) {
  TempDir dir;
  TestChain t(dir.path());
  ASSERT_TRUE(t.Apply({t.Tx("put cert/1 active\nput cert/2 active")}).ok());            // v1
  ASSERT_TRUE(t.Apply({t.Tx("put cert/1 revoked\ndel cert/2\nput cert/3 active")}).ok());  // v2
  ASSERT_TRUE(t.Apply({t.Tx("put cert/1 active")}).ok());                              // v3

  struct Case {
    std::string key;
    uint64_t version;
    std::optional<std::string> value;
  };
  std::vector<Case> cases = {
      {"cert/1", 1, "active"}, {"cert/1", 2, "revoked"}, {"cert/1", 3, "active"},
      {"cert/2", 1, "active"}, {"cert/2", 2, std::nullopt}, {"cert/2", 0, std::nullopt},
      {"cert/3", 1, std::nullopt}, {"cert/3", 3, "active"}, {"genesis/hello", 0, "world"},
      {"never", 3, std::nullopt},
  };
  for (const Case& c : cases) {
    auto proof = t.chain->Prove(c.key, c.version);
    ASSERT_TRUE(proof.ok()) << c.key << "@" << c.version << ": " << proof.status().ToString();
    EXPECT_EQ(proof->exists(), c.value.has_value()) << c.key << "@" << c.version;
    if (c.value) {
      EXPECT_EQ(proof->value(), *c.value) << c.key << "@" << c.version;
    }
    EXPECT_EQ(proof->root(), t.chain->StateRootAt(c.version).value());
    EXPECT_EQ(proof->version(), c.version);
    EXPECT_TRUE(VerifyStateProof(*proof)) << c.key << "@" << c.version;
  }
  EXPECT_EQ(t.chain->Prove("cert/1", 4).status().code(), Code::kNotFound);
}

TEST(ChainProofTest, TamperedProofsAreRejected) {
  TempDir dir;
  TestChain t(dir.path());
  std::string call;
  for (int i = 0; i < 200; ++i) call += "put k" + std::to_string(i) + " v" + std::to_string(i) + "\n";
  ASSERT_TRUE(t.Apply({t.Tx(call)}).ok());

  pb::StateProof in = t.chain->Prove("k7", 1).value();
  ASSERT_TRUE(VerifyStateProof(in));
  ASSERT_GT(in.depth(), 0u);
  std::vector<std::pair<std::string, std::function<void(pb::StateProof*)>>> edits = {
      {"value", [](auto* p) { p->set_value("v8"); }},
      {"key", [](auto* p) { p->set_key("k8"); }},
      {"exists", [](auto* p) { p->set_exists(false); p->clear_value(); }},
      {"sibling", [](auto* p) { (*p->mutable_siblings(0))[4] ^= 1; }},
      {"root", [](auto* p) { (*p->mutable_root())[0] ^= 1; }},
      {"depth", [](auto* p) { p->set_depth(p->depth() + 1); }},
      {"drop sibling", [](auto* p) { p->mutable_siblings()->RemoveLast(); p->set_depth(p->depth() - 1); }},
      {"short sibling", [](auto* p) { p->set_siblings(0, "abc"); }},
      {"short root", [](auto* p) { p->set_root("abc"); }},
  };
  for (const auto& [name, edit] : edits) {
    pb::StateProof p = in;
    edit(&p);
    EXPECT_FALSE(VerifyStateProof(p)) << name;
  }

  // Non-inclusion proofs of both kinds, and their tampered forms.
  int ended_at_leaf = 0, ended_empty = 0;
  for (int i = 0; i < 200; ++i) {
    pb::StateProof out = t.chain->Prove("absent" + std::to_string(i), 1).value();
    ASSERT_FALSE(out.exists());
    ASSERT_TRUE(VerifyStateProof(out));
    pb::StateProof claim = out;
    claim.set_exists(true);
    claim.set_value("x");
    claim.clear_leaf_path();
    claim.clear_leaf_value_hash();
    EXPECT_FALSE(VerifyStateProof(claim));
    if (!out.leaf_path().empty()) {
      ++ended_at_leaf;
      pb::StateProof moved = out;
      (*moved.mutable_leaf_path())[0] ^= 0x80;  // a leaf outside the key's subtree
      EXPECT_FALSE(VerifyStateProof(moved));
      pb::StateProof other_hash = out;
      (*other_hash.mutable_leaf_value_hash())[0] ^= 1;
      EXPECT_FALSE(VerifyStateProof(other_hash));
      pb::StateProof hidden = out;  // pretend the subtree is empty
      hidden.clear_leaf_path();
      hidden.clear_leaf_value_hash();
      EXPECT_FALSE(VerifyStateProof(hidden));
    } else {
      ++ended_empty;
    }
  }
  EXPECT_GT(ended_at_leaf, 0);
  EXPECT_GT(ended_empty, 0);
  // A key that exists cannot be proven absent with its own leaf.
  pb::StateProof self = in;
  self.set_exists(false);
  self.clear_value();
  self.set_leaf_path(ToBytes(StatePath("k7")));
  self.set_leaf_value_hash(ToBytes(StateValueHash("v7")));
  EXPECT_FALSE(VerifyStateProof(self));
}

TEST(ChainPruneTest, PrunedVersionsAreGoneNewerOnesStillProve) {
  TempDir dir;
  TestChain t(dir.path());
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(t.Apply({t.Tx("put status s" + std::to_string(i))}).ok());
  EXPECT_EQ(t.chain->Prune(11).app_code(), "BAD_PRUNE_HEIGHT");
  ASSERT_TRUE(t.chain->Prune(6).ok());
  EXPECT_EQ(t.chain->prune_floor(), 6u);
  for (uint64_t v = 0; v < 6; ++v) {
    EXPECT_EQ(t.chain->Prove("status", v).status().code(), Code::kNotFound);
    EXPECT_EQ(t.chain->StateRootAt(v).status().code(), Code::kNotFound);
  }
  for (uint64_t v = 6; v <= 10; ++v) {
    auto p = t.chain->Prove("status", v);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->value(), "s" + std::to_string(v));  // archived values still there
    EXPECT_TRUE(VerifyStateProof(*p));
  }
  t.Reopen();
  EXPECT_EQ(t.chain->prune_floor(), 6u);
  EXPECT_EQ(t.chain->Prove("status", 5).status().code(), Code::kNotFound);
  EXPECT_EQ(t.chain->Prove("status", 7)->value(), "s7");
  ASSERT_TRUE(t.Apply({t.Tx("put status s11")}).ok());
  EXPECT_TRUE(t.chain->VerifyState().ok());
}

TEST(ChainPruneTest, KeepStateVersionsPrunesAsBlocksApply) {
  TempDir dir;
  ChainOptions o = TestChain::Defaults();
  o.keep_state_versions = 3;
  TestChain t(dir.path(), 1, o);
  for (int i = 1; i <= 8; ++i) ASSERT_TRUE(t.Apply({t.Tx("put status s" + std::to_string(i))}).ok());
  EXPECT_EQ(t.chain->prune_floor(), 6u);
  EXPECT_EQ(t.chain->Prove("status", 5).status().code(), Code::kNotFound);
  EXPECT_EQ(t.chain->Prove("status", 6)->value(), "s6");
  EXPECT_TRUE(t.chain->VerifyState().ok());
}

TEST(ChainReadTest, ScanHonoursPrefixAndStart) {
  TempDir dir;
  TestChain t(dir.path());
  ASSERT_TRUE(t.Apply({t.Tx("put p/a 1\nput p/b 2\nput p/c 3\nput q/a 4\nput p 0")}).ok());
  auto scan = [&](std::string_view prefix, std::string_view start) {
    std::vector<std::string> keys;
    EXPECT_TRUE(t.chain->state().Scan(Space::kState, prefix, start, [&](std::string_view k, std::string_view) {
      keys.emplace_back(k);
      return true;
    }).ok());
    return keys;
  };
  EXPECT_EQ(scan("p/", ""), (std::vector<std::string>{"p/a", "p/b", "p/c"}));
  EXPECT_EQ(scan("p/", "p/b"), (std::vector<std::string>{"p/b", "p/c"}));
  EXPECT_EQ(scan("p/", "a"), (std::vector<std::string>{"p/a", "p/b", "p/c"}));
  EXPECT_EQ(scan("p/", "z"), std::vector<std::string>{});
  EXPECT_EQ(scan("q/", ""), std::vector<std::string>{"q/a"});
  int seen = 0;
  EXPECT_TRUE(t.chain->state().Scan(Space::kState, "p/", "", [&](auto, auto) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
}

TEST(ChainConcurrencyTest, ReadersSeeWholeBlocksDuringApply) {
  TempDir dir;
  TestChain t(dir.path());
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::atomic<int> failures{0};
  auto reader = [&] {
    while (!done.load()) {
      Tip tip = t.chain->tip();
      if (tip.height > 0) {
        auto block = t.chain->GetBlock(tip.height);
        if (!block.ok() || BlockHash(block->block()) != tip.block_hash) ++failures;
      }
      auto root = t.chain->StateRootAt(tip.height);
      if (!root.ok() || *root != tip.app_state_root) ++failures;
      // A snapshot's tip and state agree, and every scan sees one block's writes.
      auto snap = t.chain->Snapshot();
      auto h = snap->Get(Space::kState, "meta/height");
      if (snap->tip().height > 0 && (!h.ok() || !h->has_value() || **h != std::to_string(snap->tip().height))) {
        ++failures;
      }
      std::set<std::string> values;
      Status st = t.chain->state().Scan(Space::kState, "c/", "", [&](std::string_view, std::string_view v) {
        values.emplace(v);
        return true;
      });
      if (!st.ok() || values.size() > 1) ++failures;
      ++checks;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int h = 1; h <= 30; ++h) {
    std::string call;
    for (int k = 0; k < 50; ++k) call += "put c/" + std::to_string(k) + " " + std::to_string(h) + "\n";
    ASSERT_TRUE(t.Apply({t.Tx(call)}).ok());
  }
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(checks.load(), 0);
}

// Snapshot() hands out one view per block, taken when the block commits; a view
// held across later blocks still reads as of its own block.
TEST(ChainSnapshotTest, OneViewPerBlockThatStaysAsOfItsBlock) {
  TempDir dir;
  TestChain t(dir.path());
  ASSERT_TRUE(t.Apply({t.Tx("put s/a 1\n", "1")}).ok());
  auto first = t.chain->Snapshot();
  EXPECT_EQ(first.get(), t.chain->Snapshot().get());
  EXPECT_EQ(first->tip().height, t.chain->tip().height);
  ASSERT_TRUE(t.Apply({t.Tx("put s/a 2\n", "2")}).ok());
  auto second = t.chain->Snapshot();
  EXPECT_NE(first.get(), second.get());
  EXPECT_EQ(second->tip().height, first->tip().height + 1);
  EXPECT_EQ(second->tip().block_hash, t.chain->tip().block_hash);
  auto old_value = first->Get(Space::kState, "s/a");
  auto new_value = second->Get(Space::kState, "s/a");
  ASSERT_TRUE(old_value.ok() && old_value->has_value() && new_value.ok() && new_value->has_value());
  EXPECT_EQ(std::string(**old_value), "1");
  EXPECT_EQ(std::string(**new_value), "2");
}

TEST(ChainScaleTest, LargeTxAndManyTxBlocksStayConsistent) {
  TempDir dir;
  TestChain t(dir.path());
  std::string call;
  for (int i = 0; i < 5000; ++i) call += "put big/" + std::to_string(i) + " value-" + std::to_string(i) + "\n";
  ASSERT_TRUE(t.Apply({t.Tx(call)}).ok());
  EXPECT_EQ(t.chain->last_apply_stats().state_writes, 5001u);  // + meta/height
  std::vector<Bytes> txs;
  for (int i = 0; i < 500; ++i) txs.push_back(t.Tx("put many/" + std::to_string(i) + " x", std::to_string(i)));
  ASSERT_TRUE(t.Apply(txs).ok());
  EXPECT_EQ(t.chain->GetBlock(2)->block().txs_size(), 500);
  EXPECT_EQ(t.chain->GetTx(TxId(txs[321]))->location.index(), 321u);
  EXPECT_TRUE(t.chain->VerifyState().ok());
  auto p = t.chain->Prove("big/4321", 2);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->value(), "value-4321");
  EXPECT_TRUE(VerifyStateProof(*p));
}

TEST(ChainValidateCacheTest, ValidatedBlockIsNotDecodedAgainButStillChecked) {
  TempDir dir;
  TestChain t(dir.path());
  pb::Block block = t.Build({t.Tx("put a 1")});
  ASSERT_TRUE(t.chain->ValidateBlock(block).ok());
  // A different block at the same height is still validated in full.
  pb::Block other = WithHeader(block, [](auto* h) { h->set_tx_count(5); });
  EXPECT_EQ(t.chain->ApplyBlock(other, t.CommitFor(other)).app_code(), "BAD_BLOCK");
  ASSERT_TRUE(t.ApplyBuilt(block).ok());
  EXPECT_EQ(Read(t.chain->state(), "a"), "1");

  // Same header, different body: the earlier validation does not carry over.
  pb::Block b2 = t.Build({t.Tx("put b 2")});
  ASSERT_TRUE(t.chain->ValidateBlock(b2).ok());
  pb::Block other_commit = b2;
  other_commit.mutable_last_commit()->set_round(7);
  EXPECT_EQ(t.chain->ApplyBlock(other_commit, t.CommitFor(other_commit)).app_code(), "BAD_BLOCK");
  ASSERT_TRUE(t.chain->ValidateBlock(b2).ok());
  pb::Block other_txs = b2;
  other_txs.set_txs(0, t.Tx("put b 3"));
  EXPECT_EQ(t.chain->ApplyBlock(other_txs, t.CommitFor(other_txs)).app_code(), "BAD_BLOCK");
  ASSERT_TRUE(t.ApplyBuilt(b2).ok());
  EXPECT_EQ(Read(t.chain->state(), "b"), "2");
}

}  // namespace
}  // namespace civic::ledger
