// Test support for node and integration tests: a one-validator sample network
// (keys + genesis from the contracts library), certificate-issue txs, and a
// hand-made 1-of-1 commit for tests that apply blocks themselves.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/genesis.h"
#include "contracts/registry.h"
#include "crypto/signature.h"
#include "ledger/chain.h"
#include "tools/samples/network.h"

namespace civic::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct SampleNetwork {
  std::string chain_id;
  crypto::KeyPair node_key;                // the one validator
  std::vector<crypto::KeyPair> org_keys;   // one per samples::SampleOrgs(), same order
  std::string genesis_text;                // the genesis file's content
  contracts::Genesis genesis;
};

// Keys and a parsed sample genesis; genesis time one day before now.
SampleNetwork MakeSampleNetwork(const std::string& chain_id = "civic-test-1");

// An org allowed to issue one certificate type, with its key.
struct Issuer {
  std::string org;
  const crypto::KeyPair* key = nullptr;
  pb::CertType type;
};
// The first certificate type of the genesis and its first issuer org.
Issuer FindIssuer(const SampleNetwork& net);
// An org of the sample network that does NOT hold ISSUER for `issuer.type`.
Issuer FindNonIssuer(const SampleNetwork& net, const Issuer& issuer);

// A valid holder code for `code_type` ("citizen_id" | "uscc"), distinct per n.
std::string HolderCode(std::string_view code_type, uint64_t n);
// A holder's copy for certificate number n (all fields of the type filled).
contracts::HolderCertificate MakeHolderCert(const Issuer& issuer, uint64_t n);
// A signed tx issuing `count` certificates numbered first_n... With
// `explicit_serials`, certificate n gets serial SerialFor(n) (so its id is known
// before the tx commits: CertIdFor); otherwise the chain assigns serials.
Bytes MakeIssueTx(const SampleNetwork& net, const Issuer& issuer, size_t count, uint64_t first_n,
                  uint64_t valid_until_height, std::vector<contracts::HolderCertificate>* copies = nullptr,
                  bool explicit_serials = false);
// "T" + 12 digits: never equal to a chain-assigned (all-digit) serial.
std::string SerialFor(uint64_t n);
// The GB/T 36904 id of certificate n issued with an explicit serial.
std::string CertIdFor(const Issuer& issuer, uint64_t n);

// An open chain with the sample genesis applied, under `dir`.
struct OpenChain {
  std::unique_ptr<contracts::Registry> registry;
  std::unique_ptr<ledger::Chain> chain;
};
OpenChain OpenSampleChain(const SampleNetwork& net, const std::filesystem::path& dir);

// Builds the next block from `txs`, signs a 1-of-1 commit with the node key and
// applies it. Returns the Status of ApplyBlock.
Status CommitBlock(ledger::Chain* chain, const crypto::KeyPair& node_key, std::vector<Bytes> txs,
                   const pb::Commit& last_commit, pb::Commit* commit_out);

}  // namespace civic::testing
