#include "tools/common/cli_common.h"

#include <cstdlib>
#include <iostream>

#include "contracts/base/identifiers.h"
#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "ledger/tx.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "contracts/base/tx_builder.h"
#include "rpc/codec/json_text.h"

namespace civic::tools {
namespace json = boost::json;

void OnRun(CLI::App* cmd, CliContext* ctx, Handler handler) {
  cmd->callback([cmd, ctx, handler = std::move(handler)] {
    ctx->selected = handler;
    ctx->selected_app = cmd;
  });
}

std::string DefaultNodeUrl() {
  const char* env = std::getenv("CIVIC_NODE");
  if (env && *env) return env;
  return "http://127.0.0.1:" + std::to_string(kDefaultBasePort + 1);
}

void AddNodeOption(CLI::App* cmd, CliContext* ctx) {
  ctx->common.node_url = DefaultNodeUrl();
  cmd->add_option("--node", ctx->common.node_url,
                  "The node's RPC URL, http:// or https:// ($CIVIC_NODE or http://127.0.0.1:26657)");
  AddTlsOptions(cmd, ctx);
}

void AddTlsOptions(CLI::App* cmd, CliContext* ctx) {
  ctx->common.tls = TlsFilesFromEnvironment();
  cmd->add_option("--ca-file", ctx->common.tls.ca_file,
                  "https: the CA certificate (PEM) the node's certificate must chain to ($CIVIC_CA_FILE; default: the "
                  "system's trusted roots)");
  cmd->add_option("--client-cert", ctx->common.tls.cert_file,
                  "https with mutual TLS: this client's certificate (PEM) ($CIVIC_CLIENT_CERT)");
  cmd->add_option("--client-key", ctx->common.tls.key_file,
                  "https with mutual TLS: the key of --client-cert (PEM, unencrypted) ($CIVIC_CLIENT_KEY)");
}

void AddJsonOption(CLI::App* cmd, CliContext* ctx) {
  cmd->add_flag("--json", ctx->common.json, "Print the result as JSON");
}

void AddSignerOptions(CLI::App* cmd, CliContext* ctx) {
  AddNodeOption(cmd, ctx);
  AddJsonOption(cmd, ctx);
  cmd->add_option("--key", ctx->common.key_file, "The signing key file of the sending organisation")
      ->required();
  cmd->add_option("--passphrase-env", ctx->common.passphrase_env,
                  "Name of the environment variable that holds the key file's passphrase");
  cmd->add_option("--org", ctx->common.org,
                  "The sending organisation's code (USCC); default: the key's sidecar file <key>.org");
  cmd->add_flag("--wait", ctx->common.wait, "Wait until the tx is committed (tx_commit) instead of only submitting it");
  cmd->add_option("--timeout", ctx->common.commit_timeout_ms, "How long --wait waits, in milliseconds")
      ->check(CLI::Range(1000u, 60000u));
  cmd->add_option("--valid-blocks", ctx->common.valid_blocks,
                  "The tx expires this many blocks after the current height (replay protection window)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000}));
}

Result<std::unique_ptr<NodeApi>> Connect(const CommonOptions& common) {
  return ConnectNode(common.node_url.empty() ? DefaultNodeUrl() : common.node_url, common.tls);
}

Result<std::string> PassphraseFromEnv(const std::string& env_name) {
  if (env_name.empty()) return std::string();
  const char* v = std::getenv(env_name.c_str());
  if (!v) {
    return Status::InvalidArgument(err::PASSPHRASE_ENV_UNSET,
                                   "the environment variable " + env_name + " (--passphrase-env) is not set");
  }
  return std::string(v);
}

std::string ReadOrgSidecar(const std::string& key_file) {
  auto text = ReadFile(key_file + ".org");
  if (!text.ok()) return "";
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<Signer> LoadSigner(const CommonOptions& common, CmdStatus* usage_error) {
  auto pass = PassphraseFromEnv(common.passphrase_env);
  if (!pass.ok()) {
    *usage_error = CmdStatus::Usage(pass.status());
    return pass.status();
  }
  std::string org = common.org;
  if (org.empty()) org = ReadOrgSidecar(common.key_file);
  if (org.empty()) {
    Status st = Status::InvalidArgument(
        err::ORG_REQUIRED, "give --org USCC (the key " + common.key_file + " has no sidecar file " +
                            common.key_file + ".org naming its organisation)");
    *usage_error = CmdStatus::Usage(st);
    return st;
  }
  Status org_ok = contracts::ValidateUscc(org);
  if (!org_ok.ok()) {
    *usage_error = CmdStatus::Usage(org_ok);
    return org_ok;
  }
  auto key = crypto::ReadKeyFile(common.key_file, *pass);
  if (!key.ok()) return key.status();
  return Signer{std::move(*key), std::move(org)};
}

Result<std::optional<TxOutcome>> SendTx(NodeApi& api, const CommonOptions& common, const Signer& signer,
                                        const TxBuilder& build, bool force_wait, std::string* tx_id_hex) {
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, GetChainStatus(api));
  contracts::TxParams params;
  params.chain_id = tip.chain_id;
  params.org = signer.org;
  params.valid_until_height = tip.height + common.valid_blocks;
  Bytes raw = build(params);
  *tx_id_hex = ToHex(ledger::TxId(raw));
  CIVIC_ASSIGN_OR_RETURN(std::optional<TxOutcome> outcome,
                         SendSignedTx(api, raw, common.wait || force_wait, common.commit_timeout_ms));
  if (outcome && !outcome->result.ok()) {
    const Status& r = outcome->result;
    return Status(r.code(), r.app_code(),
                  r.message() + " (tx " + outcome->id + " is in block " + std::to_string(outcome->height) +
                      " and changed nothing)");
  }
  return outcome;
}

void PrintTxOutcome(const CommonOptions& common, const std::string& what, const std::string& tx_id,
                    const std::optional<TxOutcome>& outcome, json::object extra) {
  if (common.json) {
    json::object o = std::move(extra);
    o["tx_id"] = tx_id;
    o["committed"] = outcome.has_value();
    if (outcome) {
      o["height"] = outcome->height;
      o["index"] = outcome->index;
    }
    PrintJson(o);
    return;
  }
  if (outcome) {
    std::cout << what << ": committed in block " << outcome->height << " (tx " << tx_id << ")\n";
  } else {
    std::cout << what << ": submitted (tx " << tx_id << "); check it with `civic chain tx " << tx_id << "`\n";
  }
  for (const auto& kv : extra) {
    if (kv.value().is_string()) {
      std::cout << "  " << std::string_view(kv.key()) << ": " << std::string_view(kv.value().get_string()) << "\n";
    }
  }
}

void ReportProposal(NodeApi& api, const CommonOptions& common, const std::string& what, const std::string& tx_id,
                    const std::optional<TxOutcome>& outcome, json::object extra) {
  Result<std::optional<ProposalInfo>> found = ProposalOfTx(api, tx_id);
  std::optional<ProposalInfo> proposal = found.ok() ? *found : std::nullopt;
  if (!found.ok()) {
    std::cerr << "civic: warning: cannot find the proposal of tx " << tx_id << " (" << found.status().ToString()
              << "); list the proposals with `civic gov proposals`\n";
  }
  if (proposal) {
    extra["proposal_id"] = proposal->id;
    extra["proposal_status"] = proposal->status;
    if (!proposal->result_code.empty()) extra["proposal_result"] = proposal->result_code;
  }
  PrintTxOutcome(common, what, tx_id, outcome, std::move(extra));
  if (!common.json && proposal) {
    std::cout << "proposal " << proposal->id << " (" << proposal->status << ")";
    if (proposal->status == "open") {
      std::cout << "; other ADMIN departments vote with: civic gov vote --proposal " << proposal->id
                << " --key <their key>";
    }
    std::cout << "\n";
  }
}

void PrintJson(const json::value& v) { std::cout << rpc::PrettyJson(v) << "\n"; }

}  // namespace civic::tools
