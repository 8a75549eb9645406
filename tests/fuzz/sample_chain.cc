#include "tests/fuzz/sample_chain.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include "contracts/base/tx_builder.h"
#include "contracts/certificate/calls.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "tools/samples/network.h"

namespace civic::fuzz {
namespace {

crypto::KeyPair SeedKey(char seed) {
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, seed)).value();
}

contracts::TxParams IssuerParams(const std::string& nonce) {
  contracts::TxParams params;
  params.chain_id = SampleChain::kChainId;
  params.org = samples::SampleOrgs()[0].code;
  params.valid_until_height = 100;
  params.nonce = nonce;
  return params;
}

}  // namespace

SampleChain& SampleChain::Get() {
  // Destroyed at exit, which closes the chain and removes its folder.
  static std::unique_ptr<SampleChain> instance = [] {
    std::unique_ptr<SampleChain> chain(new SampleChain());
    Status st = chain->Build();
    if (!st.ok()) {
      std::fprintf(stderr, "fuzz: the sample chain cannot be built: %s\n", st.ToString().c_str());
      std::abort();
    }
    return chain;
  }();
  return *instance;
}

SampleChain::SampleChain() : node_key_(SeedKey('\x07')) {}

SampleChain::~SampleChain() {
  chain_.reset();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

Status SampleChain::Build() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("civic-fuzz-" + std::to_string(rd()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir_);

  samples::SampleGenesisInput input;
  input.chain_id = kChainId;
  input.genesis_time_ms = kGenesisTimeMs;
  for (char seed = 1; seed <= static_cast<char>(samples::kSampleOrgCount); ++seed) {
    org_keys_.push_back(SeedKey(seed));
    input.org_keys.push_back(org_keys_.back().public_key());
  }
  input.node_keys.push_back(node_key_.public_key());
  CIVIC_ASSIGN_OR_RETURN(boost::json::object json, samples::SampleGenesis(input));
  CIVIC_ASSIGN_OR_RETURN(genesis_, contracts::ParseGenesisJson(boost::json::value(json)));
  registry_ = contracts::Registry::CreateDefault();
  ledger::ChainOptions options;
  options.chain_id = kChainId;
  options.replay_window = 100;
  options.sync_writes = false;
  options.block_cache_mb = 4;
  options.tree_cache_mb = 4;
  options.write_buffer_mb = 1;
  CIVIC_ASSIGN_OR_RETURN(chain_, ledger::Chain::Open((dir_ / "chain").string(), options, registry_.get()));
  CIVIC_RETURN_IF_ERROR(chain_->InitGenesis(genesis_.genesis_time_ms, genesis_.state, genesis_.hash));

  const std::string& psb = samples::SampleOrgs()[0].code;
  for (const pb::CertType& t : genesis_.cert_types) {
    bool by_psb = std::find(t.issuer_orgs().begin(), t.issuer_orgs().end(), psb) != t.issuer_orgs().end();
    if (by_psb && t.holder_code_type() == "citizen_id" && citizen_type_ == nullptr) citizen_type_ = &t;
  }
  if (citizen_type_ == nullptr) return Status::NotFound("NO_CERT_TYPE", "the sample genesis has no citizen type");
  holder_cert_.type_code = citizen_type_->code();
  holder_cert_.issuer_org = psb;
  holder_cert_.holder_code_type = "citizen_id";
  holder_cert_.holder_code = "11010519491231002X";
  holder_cert_.holder_salt = "hS2fWq8sLr0xBv5nKc3pYa";
  for (const pb::CertFieldSpec& f : citizen_type_->fields()) {
    holder_cert_.fields.push_back({f.name(), "示例", "salt-" + f.name() + "-0001"});
  }
  issue_tx_ = MakeIssueTx("fuzz-issue-1");

  block1_ = chain_->BuildBlock({issue_tx_}, kGenesisTimeMs + 1000, node_key_.public_key(), pb::Commit());
  const Bytes hash = ledger::BlockHash(block1_);
  commit1_.set_height(1);
  commit1_.set_round(0);
  commit1_.set_block_hash(hash);
  pb::CommitSig* sig = commit1_.add_sigs();
  *sig->mutable_validator() = ledger::ToProto(node_key_.public_key());
  sig->set_sig(node_key_.Sign(ledger::VoteSignBytes(kChainId, ledger::kPrecommit, 1, 0, hash)));
  return chain_->ApplyBlock(block1_, commit1_);
}

Bytes SampleChain::MakeIssueTx(const std::string& nonce) const {
  contracts::HolderCertificate cert = holder_cert_;
  cert.holder_salt += nonce;
  auto item = contracts::MakeIssueItem(cert);
  if (!item.ok()) {
    std::fprintf(stderr, "fuzz: issue item: %s\n", item.status().ToString().c_str());
    std::abort();
  }
  return contracts::IssueTx(IssuerParams(nonce), {*item}, org_keys_[0]);
}

rpc::NodeInfo FuzzNode::info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rpc::NodeInfo{SampleChain::kChainId, SampleChain::Get().node_key().public_key().ToString(), "psb", true,
                       mempool_.size(), 0};
}

Result<Bytes> FuzzNode::SubmitTx(Bytes raw) {
  CIVIC_ASSIGN_OR_RETURN(ledger::DecodedTx tx, ledger::DecodeTx(raw, SampleChain::kChainId));
  CIVIC_RETURN_IF_ERROR(chain().CheckTx(tx));
  std::lock_guard<std::mutex> lock(mu_);
  if (mempool_.count(tx.id)) return Status::AlreadyExists("TX_IN_MEMPOOL", "the tx is already waiting in the mempool");
  if (mempool_.size() >= kMaxMempool) return Status::ResourceExhausted("MEMPOOL_FULL", "the mempool is full");
  mempool_.insert(tx.id);
  return tx.id;
}

void FuzzNode::AwaitCommit(const Bytes&, std::chrono::milliseconds,
                           std::function<void(Result<pb::TxLocation>)> done) {
  done(Status::DeadlineExceeded("TX_WAIT_TIMEOUT", "not committed in time"));
}

}  // namespace civic::fuzz
