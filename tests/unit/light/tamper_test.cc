// Every single-field and single-bit tampering of a proof is refused with a named
// reason: the entries (record, key, siblings, root, version), the header (every
// field, every bit), the commit (every signature byte, signer, height, round,
// hash), the validator sets and the validator path. One table; one proof.
#include <gtest/gtest.h>

#include <functional>

#include "light/errors.h"
#include "tests/unit/light/light_fixture.h"

namespace civic::light::testing {
namespace {

struct Case {
  std::string name;
  std::function<void(pb::LightProof*)> mutate;
  std::string code;  // empty: any refusal
};

void FlipBit(std::string* bytes, size_t bit) { (*bytes)[bit / 8] ^= static_cast<char>(1 << (bit % 8)); }

// A proof of one present and one absent key after a change of all validators,
// so that the validator path is part of it.
struct TamperFixture : LightFixture {
  TamperFixture() {
    EXPECT_TRUE(t.Apply({t.Tx("vals 4,5,6,7", "vals")}).ok());
    Grow(1);
    t.keys = {KeyFromSeed(4), KeyFromSeed(5), KeyFromSeed(6), KeyFromSeed(7)};
    Grow(40);
    proof = Proof({"k7", "absent-key"});
  }
  pb::LightProof proof;
};

void AddEntryCases(std::vector<Case>* cases, const pb::LightProof& proof, int e) {
  const std::string at = "entry" + std::to_string(e) + ".";
  auto add = [&](std::string name, std::function<void(pb::StateProof*)> f, std::string code) {
    cases->push_back({at + name, [e, f](pb::LightProof* p) { f(p->mutable_entries(e)); }, std::move(code)});
  };
  add("key", [](pb::StateProof* s) { FlipBit(s->mutable_key(), 0); }, err::LIGHT_STATE_PROOF_INVALID);
  add("exists", [](pb::StateProof* s) { s->set_exists(!s->exists()); }, err::LIGHT_STATE_PROOF_INVALID);
  add("version+1", [](pb::StateProof* s) { s->set_version(s->version() + 1); }, err::LIGHT_HEIGHT_MISMATCH);
  add("version-1", [](pb::StateProof* s) { s->set_version(s->version() - 1); }, err::LIGHT_HEIGHT_MISMATCH);
  add("root", [](pb::StateProof* s) { FlipBit(s->mutable_root(), 3); }, err::LIGHT_ROOT_MISMATCH);
  add("depth", [](pb::StateProof* s) { s->set_depth(s->depth() + 1); }, err::LIGHT_STATE_PROOF_INVALID);
  add("sibling removed", [](pb::StateProof* s) { s->mutable_siblings()->RemoveLast(); s->set_depth(s->depth() - 1); },
      err::LIGHT_STATE_PROOF_INVALID);
  add("sibling added", [](pb::StateProof* s) { s->add_siblings(Bytes(32, '\0')); s->set_depth(s->depth() + 1); },
      err::LIGHT_STATE_PROOF_INVALID);
  const pb::StateProof& entry = proof.entries(e);
  if (entry.exists()) {
    for (size_t bit = 0; bit < entry.value().size() * 8; ++bit) {
      add("value bit " + std::to_string(bit), [bit](pb::StateProof* s) { FlipBit(s->mutable_value(), bit); },
          err::LIGHT_STATE_PROOF_INVALID);
    }
  }
  if (!entry.leaf_path().empty()) {
    add("leaf_path", [](pb::StateProof* s) { FlipBit(s->mutable_leaf_path(), 255); }, err::LIGHT_STATE_PROOF_INVALID);
    add("leaf_value_hash", [](pb::StateProof* s) { FlipBit(s->mutable_leaf_value_hash(), 0); },
        err::LIGHT_STATE_PROOF_INVALID);
  }
  for (int i = 0; i < entry.siblings_size(); ++i) {
    for (size_t bit : {size_t{0}, size_t{129}, size_t{255}}) {
      add("sibling " + std::to_string(i) + " bit " + std::to_string(bit),
          [i, bit](pb::StateProof* s) { FlipBit(s->mutable_siblings(i), bit); }, err::LIGHT_STATE_PROOF_INVALID);
    }
  }
}

// Each header field changed (the header re-encoded): the commit no longer covers it.
void AddHeaderFieldCases(std::vector<Case>* cases) {
  const auto* descriptor = pb::BlockHeader::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    std::string code = err::LIGHT_HEADER_HASH_MISMATCH;
    if (field->name() == "chain_id") code = err::LIGHT_WRONG_CHAIN;
    if (field->name() == "height") code = err::LIGHT_HEIGHT_MISMATCH;
    cases->push_back({"header." + field->name(),
                      [field](pb::LightProof* p) {
                        pb::BlockHeader h;
                        h.ParseFromString(p->block().header());
                        const auto* refl = h.GetReflection();
                        switch (field->cpp_type()) {
                          case google::protobuf::FieldDescriptor::CPPTYPE_STRING: {
                            std::string v = refl->GetString(h, field);
                            v.empty() ? v.push_back('x') : FlipBit(&v, 0);
                            refl->SetString(&h, field, v);
                            break;
                          }
                          case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
                            refl->SetUInt64(&h, field, refl->GetUInt64(h, field) + 1);
                            break;
                          case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
                            refl->SetInt64(&h, field, refl->GetInt64(h, field) + 1);
                            break;
                          case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
                            refl->SetUInt32(&h, field, refl->GetUInt32(h, field) + 1);
                            break;
                          case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
                            FlipBit(h.mutable_proposer()->mutable_key(), 0);
                            break;
                          default:
                            ADD_FAILURE() << "no tampering for header field " << field->name();
                        }
                        p->mutable_block()->set_header(h.SerializeAsString());
                      },
                      code});
  }
}

void AddCommitCases(std::vector<Case>* cases, const pb::LightProof& proof) {
  auto add = [&](std::string name, std::function<void(pb::Commit*)> f, std::string code) {
    cases->push_back({"commit." + name, [f](pb::LightProof* p) { f(p->mutable_block()->mutable_commit()); },
                      std::move(code)});
  };
  add("height", [](pb::Commit* c) { c->set_height(c->height() + 1); }, err::LIGHT_HEIGHT_MISMATCH);
  add("round", [](pb::Commit* c) { c->set_round(c->round() + 1); }, err::LIGHT_COMMIT_INVALID);
  add("block_hash", [](pb::Commit* c) { FlipBit(c->mutable_block_hash(), 7); }, err::LIGHT_HEADER_HASH_MISMATCH);
  add("no signatures", [](pb::Commit* c) { c->clear_sigs(); }, err::LIGHT_COMMIT_INVALID);
  add("two signatures only", [](pb::Commit* c) { c->mutable_sigs()->DeleteSubrange(0, 2); },
      err::LIGHT_COMMIT_INVALID);
  add("a signature twice", [](pb::Commit* c) { *c->mutable_sigs(1) = c->sigs(0); }, err::LIGHT_COMMIT_INVALID);
  add("a stranger's signature", [](pb::Commit* c) {
        *c->mutable_sigs(0)->mutable_validator() = ledger::ToProto(KeyFromSeed(20).public_key());
      }, err::LIGHT_COMMIT_INVALID);
  const pb::Commit& commit = proof.block().commit();
  for (int i = 0; i < commit.sigs_size(); ++i) {
    for (size_t bit = 0; bit < commit.sigs(i).sig().size() * 8; bit += 3) {
      add("sig " + std::to_string(i) + " bit " + std::to_string(bit),
          [i, bit](pb::Commit* c) { FlipBit(c->mutable_sigs(i)->mutable_sig(), bit); }, err::LIGHT_COMMIT_INVALID);
    }
    add("sig " + std::to_string(i) + " signer key",
        [i](pb::Commit* c) { FlipBit(c->mutable_sigs(i)->mutable_validator()->mutable_key(), 0); },
        err::LIGHT_COMMIT_INVALID);
  }
}

void AddValidatorCases(std::vector<Case>* cases, const pb::LightProof& proof) {
  auto add = [&](std::string name, std::function<void(pb::ValidatorSet*)> f) {
    cases->push_back({"validators." + name, [f](pb::LightProof* p) { f(p->mutable_block()->mutable_validators()); },
                      err::LIGHT_VALIDATORS_HASH_MISMATCH});
  };
  for (int i = 0; i < proof.block().validators().validators_size(); ++i) {
    const std::string at = std::to_string(i);
    add(at + ".power", [i](pb::ValidatorSet* s) { s->mutable_validators(i)->set_power(1000); });
    add(at + ".key", [i](pb::ValidatorSet* s) { FlipBit(s->mutable_validators(i)->mutable_pub_key()->mutable_key(), 9); });
    add(at + ".algo", [i](pb::ValidatorSet* s) { s->mutable_validators(i)->mutable_pub_key()->set_algo(pb::SM2); });
    add(at + ".org", [i](pb::ValidatorSet* s) { s->mutable_validators(i)->set_org("EVIL"); });
  }
  add("one removed", [](pb::ValidatorSet* s) { s->mutable_validators()->RemoveLast(); });
  add("one added", [](pb::ValidatorSet* s) { *s->add_validators() = s->validators(0); });
  add("order", [](pb::ValidatorSet* s) { s->mutable_validators()->SwapElements(0, 1); });
  cases->push_back({"next_validators claimed", [](pb::LightProof* p) {
                      *p->mutable_block()->mutable_next_validators() = p->block().validators();
                      p->mutable_block()->mutable_next_validators()->mutable_validators(0)->set_power(1);
                    }, err::LIGHT_VALIDATORS_HASH_MISMATCH});
}

void AddPathCases(std::vector<Case>* cases, const pb::LightProof& proof) {
  cases->push_back({"path removed", [](pb::LightProof* p) { p->clear_validator_path(); },
                    err::LIGHT_TRUST_OVERLAP_TOO_LOW});
  cases->push_back({"path change block only", [](pb::LightProof* p) {
                      p->mutable_validator_path()->DeleteSubrange(0, 1);
                    }, err::LIGHT_TRUST_OVERLAP_TOO_LOW});
  cases->push_back({"path next set dropped", [](pb::LightProof* p) {
                      p->mutable_validator_path(0)->clear_next_validators();
                    }, err::LIGHT_UNTRUSTED_VALIDATORS});
  for (int b = 0; b < proof.validator_path_size(); ++b) {
    const std::string at = "path" + std::to_string(b) + ".";
    cases->push_back({at + "sig", [b](pb::LightProof* p) {
                        FlipBit(p->mutable_validator_path(b)->mutable_commit()->mutable_sigs(0)->mutable_sig(), 100);
                      }, err::LIGHT_COMMIT_INVALID});
    cases->push_back({at + "header", [b](pb::LightProof* p) {
                        FlipBit(p->mutable_validator_path(b)->mutable_header(), 8 * 20);
                      }, ""});
    cases->push_back({at + "power", [b](pb::LightProof* p) {
                        p->mutable_validator_path(b)->mutable_validators()->mutable_validators(0)->set_power(99);
                      }, err::LIGHT_VALIDATORS_HASH_MISMATCH});
  }
}

std::vector<Case> AllCases(const pb::LightProof& proof) {
  std::vector<Case> cases;
  cases.push_back({"chain_id", [](pb::LightProof* p) { p->set_chain_id("other"); }, err::LIGHT_WRONG_CHAIN});
  cases.push_back({"height+1", [](pb::LightProof* p) { p->set_height(p->height() + 1); }, err::LIGHT_HEIGHT_MISMATCH});
  cases.push_back({"height-1", [](pb::LightProof* p) { p->set_height(p->height() - 1); }, err::LIGHT_HEIGHT_MISMATCH});
  cases.push_back({"no entries", [](pb::LightProof* p) { p->clear_entries(); }, err::LIGHT_MALFORMED});
  cases.push_back({"no block", [](pb::LightProof* p) { p->clear_block(); }, err::LIGHT_MALFORMED});
  for (int e = 0; e < proof.entries_size(); ++e) AddEntryCases(&cases, proof, e);
  AddHeaderFieldCases(&cases);
  for (size_t bit = 0; bit < proof.block().header().size() * 8; ++bit) {
    cases.push_back({"header bit " + std::to_string(bit),
                     [bit](pb::LightProof* p) { FlipBit(p->mutable_block()->mutable_header(), bit); }, ""});
  }
  AddCommitCases(&cases, proof);
  AddValidatorCases(&cases, proof);
  AddPathCases(&cases, proof);
  return cases;
}

TEST(LightTamperTest, EveryTamperingIsRefusedWithItsReason) {
  TamperFixture f;
  ASSERT_TRUE(f.proof.entries(0).exists());
  ASSERT_FALSE(f.proof.entries(1).exists());
  ASSERT_EQ(f.proof.validator_path_size(), 2);
  ASSERT_TRUE(VerifyProof(f.Genesis(), f.Options(), f.proof).ok());
  std::vector<Case> cases = AllCases(f.proof);
  size_t named = 0;
  for (const Case& c : cases) {
    pb::LightProof tampered = f.proof;
    c.mutate(&tampered);
    ASSERT_NE(tampered.SerializeAsString(), f.proof.SerializeAsString()) << c.name << " changed nothing";
    auto result = VerifyProof(f.Genesis(), f.Options(), tampered);
    EXPECT_FALSE(result.ok()) << c.name << " was accepted";
    if (result.ok()) continue;
    EXPECT_TRUE(result.status().app_code().starts_with("LIGHT_") || result.status().app_code() == err::FORK_DETECTED)
        << c.name << ": " << result.status().ToString();
    if (!c.code.empty()) {
      ++named;
      EXPECT_EQ(result.status().app_code(), c.code) << c.name << ": " << result.status().ToString();
    }
  }
  EXPECT_GT(cases.size(), 3000u);
  EXPECT_GT(named, 250u);
}

}  // namespace
}  // namespace civic::light::testing
