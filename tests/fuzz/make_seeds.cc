// Writes the seed corpus of every fuzz target: valid examples made from the sample
// network (the same chain the targets run against), the documented JSON-RPC
// examples and hand-written import files, plus a few near misses.
// Usage: civic_fuzz_seeds <corpus folder> <docs/RPC.md>
// Writes <corpus folder>/<target>/seed-<what>; existing files of the same name are
// replaced, others (regression inputs) are left alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "consensus/messages.h"
#include "consensus/validator_set.h"
#include "contracts/certificate/calls.h"
#include "contracts/credit/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/sharing/calls.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/bft.pb.h"
#include "node/config.h"
#include "node/p2p/handshake.h"
#include "node/p2p/p2p.pb.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/doc_examples.h"
#include "rpc/methods.h"
#include "tests/fuzz/sample_chain.h"
#include "tools/samples/network.h"

namespace civic::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path g_root;
int g_written = 0;

void Write(const std::string& target, const std::string& name, std::string_view bytes) {
  const fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ++g_written;
}

std::string Record(uint8_t kind, std::string_view bytes) {
  std::string out;
  out.push_back(static_cast<char>(kind));
  out.push_back(static_cast<char>((bytes.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(bytes.size() & 0xff));
  out.append(bytes);
  return out;
}

crypto::KeyPair SeedKey(char seed) {
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, seed)).value();
}

std::string CallOf(const Bytes& signed_tx) {
  pb::SignedTx tx;
  pb::TxBody body;
  tx.ParseFromString(signed_tx);
  body.ParseFromString(tx.body());
  return body.call();
}

void TxSeeds(SampleChain& sample) {
  Write("tx", "issue", sample.issue_tx());
  Write("tx", "issue-next", sample.MakeIssueTx("seed-next"));
  pb::SignedTx tx;
  tx.ParseFromString(sample.issue_tx());
  std::string bad_sig = tx.sig().sig();
  bad_sig[0] ^= 1;
  tx.mutable_sig()->set_sig(bad_sig);
  Write("tx", "bad-signature", tx.SerializeAsString());
  pb::TxBody body;
  tx.ParseFromString(sample.issue_tx());
  body.ParseFromString(tx.body());
  body.set_chain_id("other-1");
  Write("tx", "wrong-chain", ledger::SignTx(body, sample.org_keys()[0]));
}

void ContractCallSeeds(SampleChain& sample) {
  // Selector: contract = byte % 4 (governance, certificate, credit, sharing); org = (byte >> 2) % 5.
  auto write = [](const std::string& name, uint8_t selector, const std::string& call) {
    Write("contract_call", name, std::string(1, static_cast<char>(selector)) + call);
  };
  write("certificate-issue", 1, CallOf(sample.issue_tx()));
  write("governance-vote", 0, contracts::VoteCall(1, true).SerializeAsString());
  write("governance-remove-org", 0, contracts::RemoveOrgCall(samples::SampleOrgs()[4].code).SerializeAsString());
  write("credit-delist", 2 | (1 << 2), contracts::DelistCall(1, "corrected").SerializeAsString());
  write("credit-repair", 2, contracts::RepairApplyCall(1, std::string(32, 'd'), "paid").SerializeAsString());
  write("sharing-reject", 3, contracts::RejectGrantCall("g-1", "no").SerializeAsString());
  write("sharing-log", 3 | (2 << 2), contracts::LogAccessCall({}).SerializeAsString());
}

void BlockSeeds(SampleChain& sample) {
  ledger::Chain& chain = sample.chain();
  pb::Block next = chain.BuildBlock({sample.MakeIssueTx("seed-block-2")}, SampleChain::kGenesisTimeMs + 2000,
                                    sample.node_key().public_key(), sample.commit1());
  Write("block", "height-2", next.SerializeAsString());
  Write("block", "height-1", sample.block1().SerializeAsString());
  pb::Block empty = chain.BuildBlock({}, SampleChain::kGenesisTimeMs + 2000, sample.node_key().public_key(),
                                     sample.commit1());
  Write("block", "height-2-empty", empty.SerializeAsString());

  pb::StoredBlock stored;
  *stored.mutable_block() = sample.block1();
  *stored.mutable_commit() = sample.commit1();
  Write("stored_block", "height-1", stored.SerializeAsString());
  pb::StoredBlock second;
  *second.mutable_block() = next;
  const Bytes hash = ledger::BlockHash(next);
  second.mutable_commit()->set_height(2);
  second.mutable_commit()->set_block_hash(hash);
  pb::CommitSig* sig = second.mutable_commit()->add_sigs();
  *sig->mutable_validator() = ledger::ToProto(sample.node_key().public_key());
  sig->set_sig(sample.node_key().Sign(ledger::VoteSignBytes(SampleChain::kChainId, ledger::kPrecommit, 2, 0, hash)));
  Write("stored_block", "height-2", second.SerializeAsString());

  // Sync channel (selector 0), mempool gossip (1), evidence (2).
  pb::BftSyncMessage status;
  status.mutable_status()->set_height(5);
  Write("sync", "status", std::string(1, '\0') + status.SerializeAsString());
  pb::BftSyncMessage request;
  request.mutable_request()->set_from_height(1);
  request.mutable_request()->set_count(8);
  Write("sync", "request", std::string(1, '\0') + request.SerializeAsString());
  pb::BftSyncMessage blocks;
  blocks.mutable_blocks()->add_stored_blocks(stored.SerializeAsString());
  blocks.mutable_blocks()->add_stored_blocks(second.SerializeAsString());
  Write("sync", "blocks", std::string(1, '\0') + blocks.SerializeAsString());
  pb::BftSyncMessage none;
  none.mutable_no_blocks()->set_from_height(9);
  none.mutable_no_blocks()->set_height(1);
  Write("sync", "no-blocks", std::string(1, '\0') + none.SerializeAsString());
  pb::BftTxs txs;
  txs.add_txs(sample.issue_tx());
  txs.add_txs(sample.MakeIssueTx("seed-gossip"));
  Write("sync", "txs", std::string(1, '\1') + txs.SerializeAsString());
  consensus::KeyPairSigner signer(sample.node_key());
  pb::Vote a = consensus::MakeVote(SampleChain::kChainId, consensus::VoteType::kPrevote, 2, 0, Bytes(32, 'a'), signer);
  pb::Vote b = consensus::MakeVote(SampleChain::kChainId, consensus::VoteType::kPrevote, 2, 0, Bytes(32, 'b'), signer);
  pb::BftEvidence evidence;
  evidence.add_evidence(consensus::MakeEvidence(a, b).SerializeAsString());
  Write("sync", "evidence", std::string(1, '\2') + evidence.SerializeAsString());
}

// Consensus: four validators seeds 1..4 with the stand-in signature (the key bytes).
void ConsensusSeeds() {
  std::vector<crypto::PublicKey> keys;
  std::vector<consensus::ValidatorSet::Member> members;
  for (char seed = 1; seed <= 4; ++seed) {
    keys.push_back(SeedKey(seed).public_key());
    members.push_back({keys.back(), 1});
  }
  consensus::ValidatorSet set = consensus::ValidatorSet::Create(members).value();
  const std::string chain_id = "fuzz-consensus-1";
  const Bytes block = "a block";
  const Bytes hash = crypto::Sha256(block);
  auto vote = [&](const crypto::PublicKey& key, uint32_t type, uint32_t round, const Bytes& h) {
    pb::ConsensusMessage m;
    pb::Vote* v = m.mutable_vote();
    v->set_type(type);
    v->set_height(1);
    v->set_round(round);
    v->set_block_hash(h);
    *v->mutable_validator() = ledger::ToProto(key);
    v->set_sig(key.key);
    return Record(0, m.SerializeAsString());
  };
  auto proposal = [&](uint32_t round) {
    pb::ConsensusMessage m;
    pb::BlockProposal* p = m.mutable_proposal();
    p->set_height(1);
    p->set_round(round);
    p->set_pol_round(-1);
    p->set_block(block);
    p->set_block_hash(hash);
    const crypto::PublicKey& proposer = set.Proposer(1, round);
    *p->mutable_proposer() = ledger::ToProto(proposer);
    p->set_sig(proposer.key);
    return Record(0, m.SerializeAsString());
  };
  std::string decide = proposal(0) + Record(2, "\1");
  for (const auto& key : keys) decide += vote(key, 1, 0, hash);
  for (const auto& key : keys) decide += vote(key, 2, 0, hash);
  Write("consensus", "decide-round-0", decide);
  std::string skip;
  for (const auto& key : keys) skip += vote(key, 1, 3, "");
  skip += Record(1, "\2") + Record(1, "\3") + proposal(3) + Record(2, "\0");
  Write("consensus", "nil-votes-round-3", skip);
  pb::Commit commit;
  commit.set_height(1);
  commit.set_block_hash(hash);
  for (const auto& key : keys) {
    pb::CommitSig* s = commit.add_sigs();
    *s->mutable_validator() = ledger::ToProto(key);
    s->set_sig(key.key);
  }
  Write("consensus", "commit-received", proposal(0) + Record(3, commit.SerializeAsString()));
  Write("consensus", "timeouts", Record(1, "\0") + Record(1, "\1") + Record(1, "\2") + Record(1, "\0"));
}

void P2pSeeds() {
  const std::string clean(1 + node::p2p::kHelloBytes + 4, '\0');
  std::string frames;
  for (uint32_t channel : {0u, 1u, 2u, 3u, 40u}) {
    node::p2p::wire::Envelope envelope;
    envelope.set_channel(channel);
    envelope.set_payload("payload");
    const std::string bytes = envelope.SerializeAsString();
    frames.push_back(static_cast<char>(bytes.size() >> 8));
    frames.push_back(static_cast<char>(bytes.size() & 0xff));
    frames += bytes;
  }
  Write("p2p", "acceptor", clean + frames);
  Write("p2p", "dialer", "\1" + clean.substr(1) + frames);
  std::string bad_magic = clean;
  bad_magic[1] = 'X';
  Write("p2p", "bad-magic", bad_magic);
  std::string tampered = clean;
  tampered[1 + node::p2p::kHelloBytes + 1] = 4;  // identity frame, one bit
  Write("p2p", "tampered-identity", tampered);
}

void RpcSeeds(const std::string& rpc_doc) {
  std::ifstream in(rpc_doc);
  const std::string markdown((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto examples = rpc::ParseDocExamples(markdown);
  if (!examples.ok()) {
    std::fprintf(stderr, "%s\n", examples.status().ToString().c_str());
    std::exit(1);
  }
  rpc::MethodTable table;
  rpc::RegisterAllMethods(&table);
  std::vector<std::string> names;
  for (const auto& [name, method] : table.all()) names.push_back(name);
  int n = 0;
  for (const rpc::DocExample& example : *examples) {
    if (!example.is_jsonrpc()) continue;
    ++n;
    Write("jsonrpc", example.method() + "-" + std::to_string(n), example.request_text);
    auto it = std::find(names.begin(), names.end(), example.method());
    const boost::json::object& request = example.request_json->as_object();
    if (it == names.end() || !request.contains("params")) continue;
    const char selector = static_cast<char>(it - names.begin());
    Write("rpc_params", example.method() + "-" + std::to_string(n),
          std::string(1, selector) + boost::json::serialize(request.at("params")));
  }
  Write("jsonrpc", "batch",
        R"([{"jsonrpc":"2.0","id":1,"method":"chain_status"},{"jsonrpc":"2.0","method":"chain_status"},)"
        R"({"jsonrpc":"2.0","id":"x","method":"nope","params":[]}])");
}

void FileSeeds(SampleChain& sample) {
  samples::SampleGenesisInput input;
  input.chain_id = SampleChain::kChainId;
  input.genesis_time_ms = SampleChain::kGenesisTimeMs;
  for (const auto& key : sample.org_keys()) input.org_keys.push_back(key.public_key());
  input.node_keys.push_back(sample.node_key().public_key());
  Write("genesis", "sample", samples::SampleGenesisText(input).value());

  node::Config config;
  Write("config", "defaults", node::FormatConfig(config));
  Write("config", "small",
        "[node]\nmoniker = \"psb\"\n[rpc]\nlisten = \"127.0.0.1:8545\"\n[p2p]\nlisten = \"0.0.0.0:26656\"\n"
        "peers = [\"ed25519:" + std::string(64, 'a') + "@10.0.0.2:26656\"]\n");
  Write("config", "tls",
        "[node]\ndata_dir = \"data\"\nkey_file = \"node_key.json\"\ngenesis_file = \"../genesis.json\"\n[rpc]\n"
        "tls_cert_file = \"tls.crt\"\ntls_key_file = \"tls.key\"\ntls_client_ca_file = \"clients.crt\"\n"
        "cors_origins = [\"https://app.example\", \"http://localhost:5173\"]\n");
  Write("config", "tls-half",
        "[node]\ndata_dir = \"data\"\nkey_file = \"node_key.json\"\ngenesis_file = \"../genesis.json\"\n[rpc]\n"
        "tls_cert_file = \"tls.crt\"\ncors_origins = [\"https://app.example/\"]\n");

  const fs::path dir = fs::temp_directory_path() / "civic-fuzz-seed-keys";
  fs::create_directories(dir);
  auto key_text = [&](const std::string& passphrase) {
    const fs::path path = dir / "k.json";
    fs::remove(path);
    Status st = crypto::WriteKeyFile(path.string(), SeedKey(9), passphrase);
    if (!st.ok()) std::exit(1);
    std::ifstream f(path);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  Write("keyfile", "plain", key_text(""));
  Write("keyfile", "encrypted", key_text("correct horse"));
  fs::remove_all(dir);
  Write("keyfile", "secp256k1-public",
        R"({"algo":"secp256k1","public_key":"02)" + std::string(64, '1') + R"(","secret_key":"00"})");

  Write("holder_certificate", "sample", rpc::SerializeHolderCertificate(sample.holder_cert()));
}

void ImportSeeds() {
  // Reader: 0 certificate CSV, 1 certificate JSONL, 2 credit CSV, 3 credit JSONL.
  Write("import_rows", "cert-csv",
        std::string("\0", 1) +
            "holder_type,holder,name,address,remark,valid_from,valid_until,serial\n"
            "citizen,11010519491231002X,张三,\"四川省绵阳市, 1号\",,2025-01-01,2030-12-31,A0001\n"
            "enterprise,91510700MA6281XXXX,x,y,,,,\n"
            "citizen,110105194912310021,\"un\"closed,,,,,\n");
  Write("import_rows", "cert-jsonl",
        "\1{\"holder_type\":\"citizen\",\"holder\":\"11010519491231002X\",\"fields\":{\"name\":\"张三\","
        "\"address\":\"临园路\"},\"valid_from\":1735689600000}\n{\"holder\":1}\nnot json\n");
  Write("import_rows", "credit-csv",
        "\2category,list,uscc,name,person_id,person_name,commitment,masked_name,reason,legal_basis,"
        "decision_doc_no,decision_doc_digest,decided_at,publicity_end\n"
        "tax_arrears,black,91510700MA6281TH3D,某公司,,,,,欠税,税收征收管理法,绵税罚〔2025〕1号," +
            std::string(64, 'a') + ",2025-06-01,\n"
            "model_taxpayer,red,,,11010519491231002X,张三,,,纳税信用A级,办法,绵税〔2025〕2号," +
            std::string(64, 'b') + ",,\n");
  Write("import_rows", "credit-jsonl",
        "\3{\"category\":\"tax_arrears\",\"commitment\":\"" + std::string(64, 'c') +
            "\",\"masked_name\":\"张*\",\"reason\":\"r\",\"legal_basis\":\"l\",\"decision_doc_no\":\"d\","
            "\"decision_doc_digest\":\"" + std::string(64, 'e') + "\"}\n");
}

void IssuerSeeds() {
  // Decoder: 0 issue, 1 batch, 2 renew, 3 replace, 4 status change.
  const std::string cert =
      R"({"holder_code_type":"citizen_id","holder_code":"11010519491231002X","fields":{"name":"张三",)"
      R"("address":"临园路"},"serial":"A0001","valid_from":"2025-01-01T00:00:00Z","valid_until":1893456000000})";
  Write("issuer_request", "issue",
        std::string("\0", 1) + R"({"type_code":"11510700008207313A001",)" + cert.substr(1));
  Write("issuer_request", "batch",
        "\1{\"type_code\":\"11510700008207313A001\",\"certificates\":[" + cert + "," + cert + ",{\"holder_code\":1}]}");
  Write("issuer_request", "renew", "\2{\"valid_until\":\"2030-01-01T00:00:00Z\"}");
  Write("issuer_request", "replace",
        "\3{\"reason\":\"lost\",\"fields\":{\"address\":\"新\"},\"holder_certificate\":{\"type_code\":\"T\"}}");
  Write("issuer_request", "revoke", "\4{\"reason\":\"issued in error\"}");
}

}  // namespace
}  // namespace civic::fuzz

int main(int argc, char** argv) {
  using namespace civic::fuzz;
  if (argc != 3) {
    std::fprintf(stderr, "usage: civic_fuzz_seeds <corpus folder> <docs/RPC.md>\n");
    return 2;
  }
  g_root = argv[1];
  SampleChain& sample = SampleChain::Get();
  TxSeeds(sample);
  ContractCallSeeds(sample);
  BlockSeeds(sample);
  ConsensusSeeds();
  P2pSeeds();
  RpcSeeds(argv[2]);
  FileSeeds(sample);
  ImportSeeds();
  IssuerSeeds();
  std::printf("civic_fuzz_seeds: %d files\n", g_written);
  return 0;
}
