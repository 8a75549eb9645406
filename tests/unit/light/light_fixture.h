// A chain of four validators on a temp dir (tests/unit/ledger/test_util.h) with
// a few state keys, and the trust root of its genesis, for the light tests.
#pragma once

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "light/builder.h"
#include "light/proof.h"
#include "tests/unit/ledger/test_util.h"

namespace civic::light::testing {

using ledger::testing::KeyFromSeed;
using ledger::testing::SignCommit;
using ledger::testing::TempDir;
using ledger::testing::TestChain;

constexpr int64_t kGenesisTime = 1000;  // TestChain's

struct LightFixture {
  LightFixture() : t(dir.path(), 4) {}

  TrustedState Genesis() const {
    return TrustGenesis(t.opts.chain_id, kGenesisTime, ledger::testing::MakeValidatorSet(genesis_keys)).value();
  }
  // Applies `n` blocks writing "k<i> v<i>" for a counter i.
  void Grow(int n) {
    for (int i = 0; i < n; ++i, ++counter) {
      ASSERT_TRUE(t.Apply({t.Tx("put k" + std::to_string(counter) + " v" + std::to_string(counter),
                                std::to_string(counter))})
                      .ok());
    }
  }
  pb::LightProof Proof(std::vector<std::string> keys, std::optional<uint64_t> height = std::nullopt) {
    auto proof = BuildProof(*t.chain, keys, height);
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    return proof.ok() ? *proof : pb::LightProof();
  }
  static VerifyOptions Options() {
    VerifyOptions o;
    o.now_ms = 0;
    return o;
  }

  TempDir dir;
  TestChain t;
  std::vector<crypto::KeyPair> genesis_keys = t.keys;
  int counter = 0;
};

}  // namespace civic::light::testing
