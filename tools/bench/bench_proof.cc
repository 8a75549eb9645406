// civic bench proof: the light client's figures, in process (docs/PERFORMANCE.md).
//
//   1. Proof size: a ledger Chain whose genesis state holds N certificate
//      records (realistic pb::Certificate values under "cert/c/<id>") and four
//      Ed25519 validators; one block is committed on it so that header 1
//      carries the root. For each size of --sizes, the mean protobuf size of a
//      cert proof (light/builder.h: record, siblings, header, commit, validator
//      set) over random ids, and its mean sibling count (~log2 N).
//   2. Offline verification on one core, over distinct proofs of the largest
//      size: "cold" (a fresh client from the genesis each time: header hash,
//      validator set hash, four commit signatures, state proof) and "warm" (a
//      client that verified the header once: the state proof only), against
//      the raw Ed25519 verify rate measured in the same run.
// The HTTP rate of cert_proof against cert_verify is `civic bench verify --proof`.
#include <chrono>
#include <iostream>
#include <random>

#include "contracts/certificate/certificate.pb.h"
#include "contracts/certificate/keys.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/tx.h"
#include "light/builder.h"
#include "light/proof.h"
#include "tools/bench/bench_common.h"
#include "tools/bench/bench_commands.h"
#include "tools/common/errors.h"

namespace civic::tools {
namespace json = boost::json;
using bench::Fixed;
using bench::Grouped;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kChainId[] = "bench-proof";
constexpr int64_t kGenesisTime = 1'735'689'600'000;

struct ProofArgs {
  std::vector<uint64_t> sizes = {1'000, 10'000, 100'000};
  uint64_t samples = 200;
  double seconds = 2;
};

// Validators come from the state key "validators"; blocks carry no txs.
class BenchExecutor : public ledger::TxExecutor {
 public:
  Status Execute(const ledger::TxContext&, ledger::StateView*) override { return Status::Ok(); }
  Status EndBlock(const ledger::BlockContext&, ledger::StateView*) override { return Status::Ok(); }
  Result<pb::ValidatorSet> Validators(const ledger::KvReader& state) const override {
    CIVIC_ASSIGN_OR_RETURN(auto raw, state.Get(ledger::Space::kState, "validators"));
    pb::ValidatorSet set;
    if (!raw || !set.ParseFromString(*raw)) return Status::Corruption("no validators");
    return set;
  }
};

std::string CertId(uint64_t n) {
  char serial[16];
  std::snprintf(serial, sizeof(serial), "%010llu", static_cast<unsigned long long>(n));
  return std::string("1.2.156.3005.2.11510700008207313A001.11510700008207313A.") + serial + ".001.G";
}

// A certificate record of the size the contract writes (eight claims, no events).
Bytes CertRecord(uint64_t n, std::mt19937_64* rng) {
  auto random32 = [&] {
    Bytes b(32, '\0');
    for (char& c : b) c = static_cast<char>((*rng)());
    return b;
  };
  pb::Certificate c;
  c.set_id(CertId(n));
  c.set_type_code("11510700008207313A001");
  c.set_issuer_org("11510700008207313A");
  c.set_issuer_key_algo(1);
  c.set_issuer_key(random32());
  c.set_holder_commitment(random32());
  c.set_claims_digest(random32());
  for (const char* name : {"address", "birth_date", "ethnicity", "id_number", "issuing_office", "name", "photo_hash",
                           "sex"}) {
    pb::ClaimDigest* claim = c.add_claims();
    claim->set_name(name);
    claim->set_digest(random32());
  }
  c.set_issued_at_ms(kGenesisTime - 1000);
  c.set_valid_from_ms(kGenesisTime - 1000);
  c.set_valid_until_ms(kGenesisTime + 20LL * 365 * 24 * 3600 * 1000);
  c.set_status(pb::CERT_ACTIVE);
  c.set_version(1);
  c.set_issuing_tx_id(random32());
  c.set_height(1);
  c.set_serial(std::to_string(n));
  return c.SerializeAsString();
}

struct SizeFigures {
  uint64_t certificates = 0;
  double mean_proof_bytes = 0;
  double mean_siblings = 0;
  double seconds_to_build = 0;
};

struct Network {
  std::vector<crypto::KeyPair> keys;
  pb::ValidatorSet validators;
};

Network MakeNetwork() {
  Network n;
  for (int i = 0; i < 4; ++i) {
    n.keys.push_back(crypto::KeyPair::Generate(crypto::Algo::kEd25519));
    pb::Validator* v = n.validators.add_validators();
    *v->mutable_pub_key() = ledger::ToProto(n.keys.back().public_key());
    v->set_power(10);
    v->set_org("1151070000820731" + std::to_string(10 + i));
  }
  n.validators = ledger::NormaliseValidators(n.validators).value();
  return n;
}

// A chain of `count` certificates at genesis and one committed block; its proofs.
Result<std::vector<pb::LightProof>> BuildProofs(const Network& net, uint64_t count, uint64_t samples,
                                                SizeFigures* figures) {
  const auto start = Clock::now();
  CIVIC_ASSIGN_OR_RETURN(bench::TempDir dir, bench::TempDir::Create("civic-bench-proof-"));
  BenchExecutor executor;
  ledger::ChainOptions options;
  options.chain_id = kChainId;
  options.sync_writes = false;
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Chain> chain, ledger::Chain::Open(dir.path(), options, &executor));
  std::mt19937_64 rng(count);
  ledger::WriteSet genesis;
  genesis.state["validators"] = net.validators.SerializeAsString();
  for (uint64_t i = 0; i < count; ++i) genesis.state[contracts::keys::Cert(CertId(i))] = CertRecord(i, &rng);
  CIVIC_RETURN_IF_ERROR(chain->InitGenesis(kGenesisTime, genesis, "bench-proof-genesis"));
  genesis = {};
  pb::Block block = chain->BuildBlock({}, kGenesisTime + 1000, net.keys[0].public_key(), pb::Commit());
  pb::Commit commit;
  commit.set_height(1);
  commit.set_block_hash(ledger::BlockHash(block));
  for (const crypto::KeyPair& key : net.keys) {
    pb::CommitSig* sig = commit.add_sigs();
    *sig->mutable_validator() = ledger::ToProto(key.public_key());
    sig->set_sig(key.Sign(ledger::VoteSignBytes(kChainId, ledger::kPrecommit, 1, 0, commit.block_hash())));
  }
  CIVIC_RETURN_IF_ERROR(chain->ApplyBlock(block, commit));
  figures->seconds_to_build = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<pb::LightProof> proofs;
  uint64_t bytes = 0, siblings = 0;
  std::uniform_int_distribution<uint64_t> pick(0, count - 1);
  for (uint64_t i = 0; i < samples; ++i) {
    CIVIC_ASSIGN_OR_RETURN(pb::LightProof proof, light::BuildProof(*chain, {contracts::keys::Cert(CertId(pick(rng)))}, 0));
    bytes += proof.ByteSizeLong();
    siblings += static_cast<uint64_t>(proof.entries(0).siblings_size());
    proofs.push_back(std::move(proof));
  }
  figures->certificates = count;
  figures->mean_proof_bytes = static_cast<double>(bytes) / static_cast<double>(samples);
  figures->mean_siblings = static_cast<double>(siblings) / static_cast<double>(samples);
  return proofs;
}

// Runs `op` over and over for about `seconds`; operations per second.
template <typename Op>
double Rate(double seconds, Op op) {
  uint64_t done = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 64; ++i) op(done++);
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return static_cast<double>(done) / elapsed;
}

CmdStatus BenchProof(const ProofArgs& args, bool json_out) {
  if (args.sizes.empty() || args.samples == 0 || args.seconds <= 0) {
    return CmdStatus::Usage(err::BENCH_BAD_ARGUMENT, "--sizes, --samples and --seconds must be positive");
  }
  for (uint64_t size : args.sizes) {
    if (size == 0) return CmdStatus::Usage(err::BENCH_BAD_ARGUMENT, "every --sizes entry must be positive");
  }
  std::ostream& out = json_out ? std::cerr : std::cout;
  const Network net = MakeNetwork();
  std::vector<SizeFigures> sizes;
  std::vector<pb::LightProof> proofs;
  for (uint64_t size : args.sizes) {
    SizeFigures f;
    CIVIC_ASSIGN_OR_RETURN(proofs, BuildProofs(net, size, args.samples, &f));
    out << "  " << Grouped(size) << " certificates: proof " << Fixed(f.mean_proof_bytes, 0) << " bytes (protobuf), "
        << Fixed(f.mean_siblings, 1) << " siblings on average (built in " << Fixed(f.seconds_to_build, 1) << " s)\n";
    sizes.push_back(f);
  }
  auto root = light::TrustGenesis(kChainId, kGenesisTime, net.validators);
  if (!root.ok()) return root.status();
  light::VerifyOptions options;
  for (const pb::LightProof& p : proofs) {
    if (auto v = light::VerifyProof(*root, options, p); !v.ok()) return v.status();
  }
  const Bytes message = ledger::VoteSignBytes(kChainId, ledger::kPrecommit, 1, 0, proofs[0].block().commit().block_hash());
  const Bytes signature = net.keys[0].Sign(message);
  const crypto::PublicKey key = net.keys[0].public_key();
  bool all_ok = true;
  const double ed25519 = Rate(args.seconds, [&](uint64_t) { all_ok &= crypto::Verify(key, message, signature); });
  const double cold = Rate(args.seconds, [&](uint64_t i) {
    all_ok &= light::VerifyProof(*root, options, proofs[i % proofs.size()]).ok();
  });
  light::LightClient client(*root, options);
  const double warm = Rate(args.seconds, [&](uint64_t i) {
    all_ok &= light::VerifyProof(&client, proofs[i % proofs.size()]).ok();
  });
  if (!all_ok) return Status::Internal("a verification failed during the measurement");
  out << "  one core: raw Ed25519 verify " << Fixed(ed25519, 0) << "/s; proof verification cold (4 signatures) "
      << Fixed(cold, 0) << "/s (" << Fixed(cold * 4 / ed25519, 2) << " of the signature bound), warm (header known) "
      << Fixed(warm, 0) << "/s (target >= 5,000/s: cold " << (cold >= 5000 ? "met" : "NOT met") << ")\n";
  if (json_out) {
    json::array size_rows;
    for (const SizeFigures& f : sizes) {
      size_rows.push_back(json::object{{"certificates", f.certificates},
                                       {"mean_proof_bytes", f.mean_proof_bytes},
                                       {"mean_siblings", f.mean_siblings}});
    }
    PrintJson(json::object{{"sizes", std::move(size_rows)},
                           {"ed25519_verify_per_sec", ed25519},
                           {"proof_verify_cold_per_sec", cold},
                           {"proof_verify_warm_per_sec", warm}});
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddBenchProofCommands(CLI::App* bench, CliContext* ctx) {
  auto args = std::make_shared<ProofArgs>();
  CLI::App* cmd = bench->add_subcommand(
      "proof", "Light client figures in process: cert proof size by state size, offline verification rate on one "
               "core against raw Ed25519 verify.");
  cmd->add_option("--sizes", args->sizes, "State sizes in certificates (default 1000 10000 100000)");
  cmd->add_option("--samples", args->samples, "Proofs per size (default 200)");
  cmd->add_option("--seconds", args->seconds, "Seconds per rate measurement (default 2)");
  AddJsonOption(cmd, ctx);
  OnRun(cmd, ctx, [args, ctx] { return BenchProof(*args, ctx->common.json); });
}

}  // namespace civic::tools
