// civic keygen | key show | genesis
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "contracts/base/identifiers.h"
#include "contracts/genesis.h"
#include "crypto/base/errors.h"
#include "crypto/keyfile.h"
#include "tools/cli/commands.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/common/timefmt.h"
#include "tools/samples/network.h"

namespace civic::tools {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

struct KeygenArgs {
  std::string out;
  std::string algo = "ed25519";
  std::string passphrase_env;
  std::string org;
  bool force = false;
};

CmdStatus Keygen(const KeygenArgs& a, const CommonOptions& common) {
  auto algo = crypto::ParseAlgo(a.algo);
  if (!algo.ok()) return CmdStatus::Usage(algo.status());
  if (!a.org.empty()) CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.org));
  auto pass = PassphraseFromEnv(a.passphrase_env);
  if (!pass.ok()) return CmdStatus::Usage(pass.status());
  if (!a.passphrase_env.empty() && pass->empty()) {
    return CmdStatus::Usage(err::EMPTY_PASSPHRASE, "the environment variable " + a.passphrase_env + " is empty");
  }
  std::error_code ec;
  if (fs::exists(a.out, ec) && !a.force) {
    return Status::AlreadyExists(err::KEYFILE_EXISTS, a.out + " already exists; pass --force to replace it");
  }
  auto key = crypto::KeyPair::Generate(*algo);
  CIVIC_RETURN_IF_ERROR(crypto::WriteKeyFile(a.out, key, *pass));
  if (!a.org.empty()) CIVIC_RETURN_IF_ERROR(WriteFileWithMode(a.out + ".org", a.org + "\n", 0644));
  if (common.json) {
    json::object o{{"key_file", a.out}, {"public_key", key.public_key().ToString()}, {"encrypted", !pass->empty()}};
    if (!a.org.empty()) o["org"] = a.org;
    PrintJson(o);
  } else {
    std::cout << "wrote " << a.out << " (mode 0600" << (pass->empty() ? "" : ", passphrase-protected") << ")\n"
              << "public key: " << key.public_key().ToString() << "\n";
    if (!a.org.empty()) std::cout << "organisation: " << a.org << " (in " << a.out << ".org)\n";
  }
  return CmdStatus::Ok();
}

CmdStatus KeyShow(const std::string& file, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(crypto::PublicKey pub, crypto::ReadPublicKey(file));
  std::string org = ReadOrgSidecar(file);
  if (common.json) {
    json::object o{{"key_file", file}, {"public_key", pub.ToString()}, {"algo", crypto::AlgoName(pub.algo)}};
    if (!org.empty()) o["org"] = org;
    PrintJson(o);
  } else {
    std::cout << pub.ToString() << "\n";
    if (!org.empty()) std::cout << "organisation: " << org << "\n";
  }
  return CmdStatus::Ok();
}

struct GenesisArgs {
  std::string out;
  std::string chain_id = "mianyang-1";
  std::string org_keys_dir;
  std::vector<std::string> node_keys;
  std::string genesis_time;
  uint64_t power = 10;
  bool force = false;
};

CmdStatus Genesis(const GenesisArgs& a, const CommonOptions& common) {
  samples::SampleGenesisInput in;
  in.chain_id = a.chain_id;
  in.validator_power = a.power;
  if (a.genesis_time.empty()) {
    in.genesis_time_ms = NowMs() / 1000 * 1000;
  } else {
    auto t = ParseTimeMs(a.genesis_time);
    if (!t.ok()) return CmdStatus::Usage(t.status());
    in.genesis_time_ms = *t;
  }
  std::vector<std::string> missing;
  for (const auto& org : samples::SampleOrgs()) {
    std::string path = a.org_keys_dir + "/" + org.short_name + ".key";
    auto pub = crypto::ReadPublicKey(path);
    if (!pub.ok()) {
      if (pub.status().app_code() == err::KEYFILE_NOT_FOUND) {
        missing.push_back(path);
        continue;
      }
      return pub.status();
    }
    in.org_keys.push_back(*pub);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    std::string hint;
    for (const auto& org : samples::SampleOrgs()) hint += " " + org.short_name;
    return Status::NotFound(err::KEYFILE_NOT_FOUND,
                            "--org-keys needs one key file per sample department (<short name>.key for" + hint +
                                "); missing:" + list);
  }
  for (const auto& path : a.node_keys) {
    CIVIC_ASSIGN_OR_RETURN(crypto::PublicKey pub, crypto::ReadPublicKey(path));
    in.node_keys.push_back(pub);
  }
  std::error_code ec;
  if (fs::exists(a.out, ec) && !a.force) {
    return Status::AlreadyExists(err::FILE_EXISTS, a.out + " already exists; pass --force to replace it");
  }
  CIVIC_ASSIGN_OR_RETURN(std::string text, samples::SampleGenesisText(in));
  auto parsed = contracts::ParseGenesis(text);
  if (!parsed.ok()) return parsed.status();
  CIVIC_RETURN_IF_ERROR(WriteFileAtomic(a.out, text, 0644));
  if (common.json) {
    PrintJson(json::object{{"genesis_file", a.out},
                           {"chain_id", a.chain_id},
                           {"genesis_hash", ToHex(parsed->hash)},
                           {"validators", parsed->validators.validators_size()}});
  } else {
    std::cout << "wrote " << a.out << ": chain " << a.chain_id << ", " << parsed->orgs.size()
              << " departments, " << parsed->cert_types.size() << " certificate types, "
              << parsed->validators.validators_size() << " validator(s)\n"
              << "genesis hash: " << ToHex(parsed->hash) << "\n";
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddKeyCommands(CLI::App* app, CliContext* ctx) {
  auto keygen_args = std::make_shared<KeygenArgs>();
  CLI::App* keygen = app->add_subcommand("keygen", "Create a key pair and write it to a key file (mode 0600)");
  keygen->add_option("--out", keygen_args->out, "The key file to write")->required();
  keygen->add_option("--algo", keygen_args->algo, "ed25519 | secp256k1 | sm2")
      ->check(CLI::IsMember({"ed25519", "secp256k1", "sm2"}));
  keygen->add_option("--passphrase-env", keygen_args->passphrase_env,
                     "Encrypt the key with the passphrase in this environment variable");
  keygen->add_option("--org", keygen_args->org,
                     "The organisation (USCC) the key belongs to; written to the sidecar file <out>.org");
  keygen->add_flag("--force", keygen_args->force, "Replace an existing file");
  AddJsonOption(keygen, ctx);
  OnRun(keygen, ctx, [keygen_args, ctx] { return Keygen(*keygen_args, ctx->common); });

  CLI::App* key = app->add_subcommand("key", "Inspect key files");
  key->require_subcommand(1);
  auto show_file = std::make_shared<std::string>();
  CLI::App* show = key->add_subcommand("show", "Print the public key of a key file (no passphrase needed)");
  show->add_option("FILE", *show_file, "The key file")->required();
  AddJsonOption(show, ctx);
  OnRun(show, ctx, [show_file, ctx] { return KeyShow(*show_file, ctx->common); });

  auto g = std::make_shared<GenesisArgs>();
  CLI::App* genesis = app->add_subcommand(
      "genesis", "Write the sample genesis: the Mianyang departments, their keys and roles, the six\n"
                 "certificate types, and the validators (node i belongs to department i mod 5)");
  genesis->add_option("--out", g->out, "The genesis file to write")->required();
  genesis->add_option("--chain-id", g->chain_id, "The chain id")->capture_default_str();
  genesis->add_option("--org-keys", g->org_keys_dir,
                      "Folder with one key file per department: psb.key hrss.key amr.key ndrc.key gss.key")
      ->required()
      ->check(CLI::ExistingDirectory);
  genesis->add_option("--node-keys", g->node_keys, "The validators' node key files, in order")
      ->required()
      ->expected(1, -1);
  genesis->add_option("--genesis-time", g->genesis_time, "Genesis time (RFC 3339 or ms); default now");
  genesis->add_option("--power", g->power, "Voting power of each validator")->check(CLI::Range(1, 1000000));
  genesis->add_flag("--force", g->force, "Replace an existing file");
  AddJsonOption(genesis, ctx);
  OnRun(genesis, ctx, [g, ctx] { return Genesis(*g, ctx->common); });
}

}  // namespace civic::tools
