// Shared pieces of the `civic` commands: exit codes, the options most commands
// take (--node, --key, --org, --wait, --json), loading the signer, sending a tx,
// and printing results.
//
// Exit codes: 0 success; 1 a runtime error (node unreachable, tx refused, file
// unreadable), printed as "civic: error: APP_CODE: message"; 2 bad arguments
// (unknown option, a bad value such as an invalid holder code or date), printed
// the same way plus a pointer to --help.
// Not thread-safe: one command runs per process.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/base/tx_builder.h"
#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "tools/common/node_api.h"

namespace civic::tools {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;
// The command worked and its answer is negative (e.g. a certificate that is not
// valid), so that scripts cannot mistake a "no" for a "yes".
constexpr int kExitNegative = 3;

// A command's outcome. Any Status converts to a runtime failure (exit 1), so
// CIVIC_RETURN_IF_ERROR works in command handlers; Usage() marks bad arguments.
class CmdStatus {
 public:
  CmdStatus() = default;
  CmdStatus(Status status) : status_(std::move(status)), exit_(status_.ok() ? kExitOk : kExitRuntime) {}  // NOLINT
  static CmdStatus Ok() { return CmdStatus(); }
  static CmdStatus Usage(Status status) {
    CmdStatus s(std::move(status));
    s.exit_ = kExitUsage;
    return s;
  }
  static CmdStatus Usage(std::string app, std::string message) {
    return Usage(Status::InvalidArgument(std::move(app), std::move(message)));
  }
  static CmdStatus Negative() {
    CmdStatus s;
    s.exit_ = kExitNegative;
    return s;
  }
  // A failure with a command's own exit code (documented by that command).
  static CmdStatus WithExit(Status status, int exit_code) {
    CmdStatus s(std::move(status));
    s.exit_ = exit_code;
    return s;
  }
  bool ok() const { return status_.ok(); }
  int exit_code() const { return exit_; }
  const Status& status() const { return status_; }

 private:
  Status status_;
  int exit_ = kExitOk;
};

// Turns a non-OK Status into a usage failure (for argument checks).
#define CIVIC_USAGE_IF_ERROR(expr)                                 \
  do {                                                             \
    ::civic::Status _ust = (expr);                                 \
    if (!_ust.ok()) return ::civic::tools::CmdStatus::Usage(_ust); \
  } while (0)

using Handler = std::function<CmdStatus()>;

// Options shared by the commands that talk to a node or sign.
struct CommonOptions {
  std::string node_url;
  rpc::TlsClientFiles tls;  // --ca-file, --client-cert, --client-key
  std::string key_file;
  std::string passphrase_env;
  std::string org;
  bool wait = false;
  bool json = false;
  uint32_t commit_timeout_ms = 30000;
  uint64_t valid_blocks = 300;
};

// The command table: every leaf command sets `selected` when it is parsed.
struct CliContext {
  CommonOptions common;
  Handler selected;
  CLI::App* selected_app = nullptr;
};

// Registers a leaf command's handler.
void OnRun(CLI::App* cmd, CliContext* ctx, Handler handler);

// --node, plus the TLS options of https:// URLs (AddTlsOptions).
void AddNodeOption(CLI::App* cmd, CliContext* ctx);
// --ca-file ($CIVIC_CA_FILE), --client-cert ($CIVIC_CLIENT_CERT), --client-key
// ($CIVIC_CLIENT_KEY) into ctx->common.tls.
void AddTlsOptions(CLI::App* cmd, CliContext* ctx);
void AddJsonOption(CLI::App* cmd, CliContext* ctx);
// --key (required), --passphrase-env, --org, --wait, --valid-blocks, --timeout, plus --node and --json.
void AddSignerOptions(CLI::App* cmd, CliContext* ctx);

// The default node URL: $CIVIC_NODE, else http://127.0.0.1:26657.
std::string DefaultNodeUrl();

Result<std::unique_ptr<NodeApi>> Connect(const CommonOptions& common);

// The passphrase from the environment variable named by --passphrase-env ("" if none).
// Error PASSPHRASE_ENV_UNSET (a usage error).
Result<std::string> PassphraseFromEnv(const std::string& env_name);

struct Signer {
  crypto::KeyPair key;
  std::string org;
};
// Reads --key (with --passphrase-env) and resolves the org: --org, else the
// key's sidecar file "<key>.org", else ORG_REQUIRED. Argument problems come back
// as usage failures.
Result<Signer> LoadSigner(const CommonOptions& common, CmdStatus* usage_error);
// The org code in "<key_file>.org", or "" when there is none.
std::string ReadOrgSidecar(const std::string& key_file);

// Builds a tx for the node's chain (chain id and valid_until_height from
// chain_status), sends it with tx_submit, or tx_commit when --wait, and prints
// the outcome. A tx the chain refuses (at admission or in its block) is a
// runtime failure with the chain's app code.
using TxBuilder = std::function<Bytes(const contracts::TxParams&)>;
// Returns the outcome when it waited (nullopt after tx_submit); *tx_id_hex is
// set as soon as the tx is built.
Result<std::optional<TxOutcome>> SendTx(NodeApi& api, const CommonOptions& common, const Signer& signer,
                                        const TxBuilder& build, bool force_wait, std::string* tx_id_hex);
// Prints the outcome of SendTx ("submitted" / "committed at height H").
void PrintTxOutcome(const CommonOptions& common, const std::string& what, const std::string& tx_id,
                    const std::optional<TxOutcome>& outcome, boost::json::object extra = {});

// Reports a committed proposal tx (SendTx with force_wait): finds the proposal
// it created (ProposalOfTx) and prints the outcome (PrintTxOutcome) with
// proposal_id, proposal_status and, when the action failed, proposal_result in
// `extra`; while the proposal is open, says how the other ADMIN departments vote
// on it. If the lookup fails, the outcome is printed without the proposal and a
// warning goes to stderr (the proposal exists either way: `civic gov proposals`).
// Every command that proposes reports through this.
void ReportProposal(NodeApi& api, const CommonOptions& common, const std::string& what, const std::string& tx_id,
                    const std::optional<TxOutcome>& outcome, boost::json::object extra = {});

// Prints `v` to stdout as rpc::PrettyJson does.
void PrintJson(const boost::json::value& v);

}  // namespace civic::tools
