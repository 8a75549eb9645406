#include "tests/unit/node/sample_network.h"

#include <chrono>
#include <map>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "contracts/base/identifiers.h"
#include "contracts/certificate/rules.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "tools/samples/network.h"
#include "contracts/certificate/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::testing {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& what, const Status& st) {
  throw std::runtime_error(what + ": " + st.ToString());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool HoldsIssuerFor(const pb::Org& org, const std::string& type_code) {
  for (const auto& grant : org.roles()) {
    if (grant.role() != pb::ROLE_ISSUER) continue;
    for (const auto& scope : grant.scopes()) {
      if (scope == type_code) return true;
    }
  }
  return false;
}

size_t OrgIndex(const std::string& code) {
  const auto& orgs = samples::SampleOrgs();
  for (size_t i = 0; i < orgs.size(); ++i) {
    if (orgs[i].code == code) return i;
  }
  throw std::runtime_error("org " + code + " is not a sample org");
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path p = fs::temp_directory_path() / fmt::format("{}-{}-{:08x}", prefix, ::getpid(), rd());
    std::error_code ec;
    if (fs::create_directory(p, ec)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

SampleNetwork MakeSampleNetwork(const std::string& chain_id) {
  SampleNetwork net{chain_id, crypto::KeyPair::Generate(crypto::Algo::kEd25519), {}, {}, {}};
  samples::SampleGenesisInput input;
  input.chain_id = chain_id;
  input.genesis_time_ms = NowMs() - 24 * 3600 * 1000;
  for (size_t i = 0; i < samples::kSampleOrgCount; ++i) {
    net.org_keys.push_back(crypto::KeyPair::Generate(crypto::Algo::kEd25519));
    input.org_keys.push_back(net.org_keys.back().public_key());
  }
  input.node_keys.push_back(net.node_key.public_key());
  auto text = samples::SampleGenesisText(input);
  if (!text.ok()) Die("sample genesis", text.status());
  net.genesis_text = *text;
  auto genesis = contracts::ParseGenesis(net.genesis_text);
  if (!genesis.ok()) Die("parse sample genesis", genesis.status());
  net.genesis = std::move(genesis).value();
  return net;
}

Issuer FindIssuer(const SampleNetwork& net) {
  for (const pb::CertType& type : net.genesis.cert_types) {
    for (const std::string& org : type.issuer_orgs()) {
      return Issuer{org, &net.org_keys[OrgIndex(org)], type};
    }
  }
  throw std::runtime_error("the sample genesis has no certificate type with an issuer");
}

Issuer FindNonIssuer(const SampleNetwork& net, const Issuer& issuer) {
  for (const pb::Org& org : net.genesis.orgs) {
    if (!HoldsIssuerFor(org, issuer.type.code())) {
      return Issuer{org.code(), &net.org_keys[OrgIndex(org.code())], issuer.type};
    }
  }
  throw std::runtime_error("every sample org may issue " + issuer.type.code());
}

std::string HolderCode(std::string_view code_type, uint64_t n) {
  if (code_type == contracts::kHolderUscc) {
    std::string first17 = fmt::format("91510700{:09d}", n % 1000000000);
    auto check = contracts::UsccCheckChar(first17);
    if (!check.ok()) Die("uscc check char", check.status());
    return first17 + *check;
  }
  using namespace std::chrono;
  sys_days day = sys_days{year{1950} / January / 1} + days{static_cast<int>(n / 1000 % 20000)};
  year_month_day ymd{day};
  std::string first17 = fmt::format("510703{:04d}{:02d}{:02d}{:03d}", static_cast<int>(ymd.year()),
                                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                    n % 1000);
  auto check = contracts::CitizenIdCheckChar(first17);
  if (!check.ok()) Die("citizen id check char", check.status());
  return first17 + *check;
}

contracts::HolderCertificate MakeHolderCert(const Issuer& issuer, uint64_t n) {
  std::map<std::string, std::string> fields;
  for (const auto& spec : issuer.type.fields()) fields[spec.name()] = fmt::format("{}-{}", spec.name(), n);
  return contracts::NewHolderCertificate(issuer.type.code(), issuer.org, issuer.type.holder_code_type(),
                                         HolderCode(issuer.type.holder_code_type(), n), fields);
}

std::string SerialFor(uint64_t n) { return fmt::format("T{:012d}", n); }

std::string CertIdFor(const Issuer& issuer, uint64_t n) {
  auto id = contracts::MakeCertId(issuer.type.code(), issuer.org, SerialFor(n), 1);
  if (!id.ok()) Die("cert id", id.status());
  return *id;
}

Bytes MakeIssueTx(const SampleNetwork& net, const Issuer& issuer, size_t count, uint64_t first_n,
                  uint64_t valid_until_height, std::vector<contracts::HolderCertificate>* copies,
                  bool explicit_serials) {
  std::vector<pb::CertIssueItem> items;
  items.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    contracts::HolderCertificate cert = MakeHolderCert(issuer, first_n + i);
    std::string serial = explicit_serials ? SerialFor(first_n + i) : "";
    auto item = contracts::MakeIssueItem(cert, serial);
    if (!item.ok()) Die("issue item", item.status());
    if (explicit_serials) cert.id = CertIdFor(issuer, first_n + i);
    items.push_back(std::move(item).value());
    if (copies) copies->push_back(std::move(cert));
  }
  contracts::TxParams params;
  params.chain_id = net.chain_id;
  params.org = issuer.org;
  params.valid_until_height = valid_until_height;
  return contracts::IssueTx(params, std::move(items), *issuer.key);
}

OpenChain OpenSampleChain(const SampleNetwork& net, const fs::path& dir) {
  OpenChain out;
  out.registry = contracts::Registry::CreateDefault();
  ledger::ChainOptions options;
  options.chain_id = net.chain_id;
  options.sync_writes = false;
  auto chain = ledger::Chain::Open(dir.string(), options, out.registry.get());
  if (!chain.ok()) Die("open chain", chain.status());
  out.chain = std::move(chain).value();
  Status st = out.chain->InitGenesis(net.genesis.genesis_time_ms, net.genesis.state, net.genesis.hash);
  if (!st.ok()) Die("init genesis", st);
  return out;
}

Status CommitBlock(ledger::Chain* chain, const crypto::KeyPair& node_key, std::vector<Bytes> txs,
                   const pb::Commit& last_commit, pb::Commit* commit_out) {
  ledger::Tip tip = chain->tip();
  pb::Block block = chain->BuildBlock(std::move(txs), NowMs(), node_key.public_key(), last_commit);
  Bytes hash = ledger::BlockHash(block);
  pb::Commit commit;
  commit.set_height(tip.height + 1);
  commit.set_block_hash(hash);
  auto* sig = commit.add_sigs();
  *sig->mutable_validator() = ledger::ToProto(node_key.public_key());
  sig->set_sig(node_key.Sign(
      ledger::VoteSignBytes(chain->options().chain_id, ledger::kPrecommit, tip.height + 1, 0, hash)));
  Status st = chain->ApplyBlock(block, commit);
  if (st.ok() && commit_out) *commit_out = commit;
  return st;
}

}  // namespace civic::testing
