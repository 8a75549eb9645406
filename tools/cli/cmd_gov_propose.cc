// civic gov propose add-org | remove-org | grant-role | revoke-role | add-key |
//                   revoke-key | rotate-key | set-validator | set-params
//
// Each command proposes one governance action (contracts/governance/contract.h), signed
// by the caller's ADMIN department, waits for the proposal tx and prints the
// proposal id the other ADMIN departments vote on (`civic gov vote`).
//
// --key and --org name the signer, as everywhere in civic; the department the
// action is about is --code, and public keys are --pub-key ed25519:<hex> (or
// secp256k1:/sm2:) or --pub-key-file FILE (only the public half of a key file is
// read). Arguments are checked before anything is signed: a bad USCC, unknown
// role, bad scope, malformed key or a missing/conflicting option is a usage error.
// set-params changes only the parameters given: the others keep the values the
// node reports (gov_params) when the proposal is signed.
#include <iostream>
#include <optional>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/governance/rules.h"
#include "crypto/keyfile.h"
#include "tools/cli/commands.h"
#include "tools/common/errors.h"
#include "tools/common/json_view.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

constexpr size_t kMaxTitle = 200;                  // the governance contract's proposal title limit
constexpr size_t kMaxOrgName = 200;                // and its org name limit
constexpr uint64_t kMaxPower = uint64_t{1} << 40;  // and its validator power limit

struct ProposeArgs {
  std::string title;
  std::string code;  // the department the action is about (USCC)
  std::string name, short_name;
  std::vector<std::string> pub_keys, pub_key_files;
  std::vector<std::string> role_specs;  // add-org: ROLE[:scope,scope]
  std::string role;
  std::vector<std::string> scopes;
  std::string old_key, old_key_file, new_key, new_key_file;
  std::string node_key, node_key_file;
  uint64_t power = 0;
  std::optional<uint64_t> proposal_ttl_blocks, max_batch_certificates;
};

// A public key given as text ("ed25519:<hex>"). A usage error names the option.
CmdStatus ParseKeyText(const std::string& option, const std::string& text, crypto::PublicKey* out) {
  auto key = crypto::PublicKey::Parse(text);
  if (!key.ok()) {
    return CmdStatus::Usage(key.status().app_code(), option + " \"" + text.substr(0, 80) +
                                                         "\": " + key.status().message() +
                                                         " (expected ed25519:<hex>, secp256k1:<hex> or sm2:<hex>)");
  }
  *out = *key;
  return CmdStatus::Ok();
}

// The public key of a key file (no passphrase needed). Unreadable files are runtime errors.
CmdStatus ReadKeyOfFile(const std::string& option, const std::string& path, crypto::PublicKey* out) {
  auto key = crypto::ReadPublicKey(path);
  if (!key.ok()) return Status(key.status().code(), key.status().app_code(), option + ": " + key.status().message());
  *out = *key;
  return CmdStatus::Ok();
}

// Exactly one of --<name> TEXT and --<name>-file FILE.
CmdStatus OneKey(const std::string& name, const std::string& text, const std::string& file, crypto::PublicKey* out) {
  const std::string option = "--" + name;
  if (text.empty() == file.empty()) {
    return CmdStatus::Usage(
        text.empty() ? err::KEY_REQUIRED : err::KEY_CONFLICT,
        "give either " + option + " ed25519:<hex> or " + option + "-file FILE" + (text.empty() ? "" : ", not both"));
  }
  return text.empty() ? ReadKeyOfFile(option + "-file", file, out) : ParseKeyText(option, text, out);
}

// Every --pub-key and --pub-key-file (at least one, no key twice).
CmdStatus AllKeys(const ProposeArgs& a, std::vector<crypto::PublicKey>* out) {
  if (a.pub_keys.empty() && a.pub_key_files.empty()) {
    return CmdStatus::Usage(err::KEY_REQUIRED,
                            "give the department's signing key(s): --pub-key ed25519:<hex> or "
                            "--pub-key-file FILE (repeatable)");
  }
  for (const auto& text : a.pub_keys) {
    crypto::PublicKey k;
    if (CmdStatus st = ParseKeyText("--pub-key", text, &k); !st.ok()) return st;
    out->push_back(std::move(k));
  }
  for (const auto& file : a.pub_key_files) {
    crypto::PublicKey k;
    if (CmdStatus st = ReadKeyOfFile("--pub-key-file", file, &k); !st.ok()) return st;
    out->push_back(std::move(k));
  }
  std::set<crypto::PublicKey> seen;
  for (const auto& k : *out) {
    if (!seen.insert(k).second) return CmdStatus::Usage(err::DUPLICATE_KEY, "key " + k.ToString() + " is given twice");
  }
  return CmdStatus::Ok();
}

// A role name as genesis and the chain spell it (ADMIN, ISSUER, ...) and its scopes.
Status CheckRole(const std::string& name, const std::vector<std::string>& scopes, pb::OrgRole* role) {
  CIVIC_ASSIGN_OR_RETURN(*role, contracts::ParseRole(name));
  for (const auto& s : scopes) CIVIC_RETURN_IF_ERROR(contracts::ValidateScope(*role, s));
  return Status::Ok();
}

// "ROLE" or "ROLE:scope,scope" (add-org --role).
Result<pb::RoleGrant> ParseRoleSpec(const std::string& spec) {
  size_t colon = spec.find(':');
  std::vector<std::string> scopes;
  if (colon != std::string::npos) {
    std::string rest = spec.substr(colon + 1);
    for (size_t from = 0;;) {
      size_t comma = rest.find(',', from);
      scopes.push_back(rest.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
  }
  pb::OrgRole role = pb::ROLE_UNSPECIFIED;
  CIVIC_RETURN_IF_ERROR(CheckRole(spec.substr(0, colon), scopes, &role));
  pb::RoleGrant grant;
  grant.set_role(role);
  for (auto& s : scopes) grant.add_scopes(std::move(s));
  return grant;
}

// "ed25519:0123456789ab..." for titles (a title holds at most 200 bytes).
std::string ShortKey(const crypto::PublicKey& key) {
  std::string text = key.ToString();
  size_t colon = text.find(':');
  return text.size() > colon + 17 ? text.substr(0, colon + 17) + "..." : text;
}

std::string RoleText(const std::string& role, const std::vector<std::string>& scopes) {
  std::string out = role;
  for (size_t i = 0; i < scopes.size(); ++i) out += (i ? "," : "(") + scopes[i];
  return scopes.empty() ? out : out + ")";
}

// Signs the proposal of `action` as the caller's department, waits for it and
// reports the proposal. `title` is the default title when --title is not given.
CmdStatus Propose(const ProposeArgs& a, const std::string& action_name, const pb::GovernanceCall& action,
                  std::string title, const CommonOptions& common) {
  if (!a.title.empty()) title = a.title;
  if (title.size() > kMaxTitle) {
    if (!a.title.empty()) {
      return CmdStatus::Usage(
          err::BAD_PROPOSAL, "--title is " + std::to_string(title.size()) + " bytes; a proposal title holds at most 200");
    }
    // A default title with a long department name: cut at a character boundary,
    // since the title is a protobuf string and must stay valid UTF-8.
    size_t cut = kMaxTitle - 3;
    while (cut > 0 && (static_cast<unsigned char>(title[cut]) & 0xC0) == 0x80) --cut;
    title = title.substr(0, cut) + "...";
  }
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendTx(
                                           *api, common, *signer,
                                           [&](const contracts::TxParams& p) {
                                             return contracts::ProposeTx(p, title, action, signer->key);
                                           },
                                           /*force_wait=*/true, &tx_id));
  json::object shown{{"action", action_name}, {"title", title}};
  if (!a.code.empty()) shown["code"] = a.code;
  ReportProposal(*api, common, "proposal", tx_id, outcome, std::move(shown));
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// The actions. Each checks its arguments, then proposes.

CmdStatus AddOrg(const ProposeArgs& a, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.code));
  if (a.name.empty() || a.name.size() > kMaxOrgName) {
    return CmdStatus::Usage(err::BAD_ORG, "--name must be 1 to 200 bytes");
  }
  std::vector<pb::RoleGrant> roles;
  for (const auto& spec : a.role_specs) {
    auto grant = ParseRoleSpec(spec);
    if (!grant.ok()) return CmdStatus::Usage(grant.status());
    roles.push_back(std::move(*grant));
  }
  std::vector<crypto::PublicKey> keys;
  if (CmdStatus st = AllKeys(a, &keys); !st.ok()) return st;
  return Propose(a, "add_org", contracts::AddOrgCall(a.code, a.name, a.short_name, keys, roles),
                 "Add department " + a.code + " " + a.name, common);
}

CmdStatus RemoveOrg(const ProposeArgs& a, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.code));
  return Propose(a, "remove_org", contracts::RemoveOrgCall(a.code), "Remove department " + a.code, common);
}

CmdStatus ChangeRole(const ProposeArgs& a, bool grant, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.code));
  pb::OrgRole role = pb::ROLE_UNSPECIFIED;
  CIVIC_USAGE_IF_ERROR(CheckRole(a.role, a.scopes, &role));
  std::string what = RoleText(a.role, a.scopes);
  if (grant) {
    return Propose(a, "grant_role", contracts::GrantRoleCall(a.code, role, a.scopes), "Grant " + what + " to " + a.code,
                   common);
  }
  return Propose(a, "revoke_role", contracts::RevokeRoleCall(a.code, role, a.scopes),
                 "Revoke " + what + " from " + a.code, common);
}

CmdStatus ChangeKey(const ProposeArgs& a, bool add, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.code));
  if (a.pub_keys.size() + a.pub_key_files.size() > 1) {
    return CmdStatus::Usage(err::KEY_CONFLICT, "give one key: --pub-key or --pub-key-file, once");
  }
  crypto::PublicKey key;
  std::string text = a.pub_keys.empty() ? "" : a.pub_keys[0];
  std::string file = a.pub_key_files.empty() ? "" : a.pub_key_files[0];
  if (CmdStatus st = OneKey("pub-key", text, file, &key); !st.ok()) return st;
  if (add) {
    return Propose(a, "add_key", contracts::AddKeyCall(a.code, key), "Add key " + ShortKey(key) + " to " + a.code,
                   common);
  }
  return Propose(a, "revoke_key", contracts::RevokeKeyCall(a.code, key),
                 "Revoke key " + ShortKey(key) + " of " + a.code, common);
}

CmdStatus RotateKey(const ProposeArgs& a, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.code));
  crypto::PublicKey old_key, new_key;
  if (CmdStatus st = OneKey("old-key", a.old_key, a.old_key_file, &old_key); !st.ok()) return st;
  if (CmdStatus st = OneKey("new-key", a.new_key, a.new_key_file, &new_key); !st.ok()) return st;
  if (old_key == new_key) return CmdStatus::Usage(err::SAME_KEY, "the old and the new key are the same key");
  return Propose(a, "rotate_key", contracts::RotateKeyCall(a.code, old_key, new_key),
                 "Rotate key of " + a.code + ": " + ShortKey(old_key) + " to " + ShortKey(new_key), common);
}

CmdStatus SetValidator(const ProposeArgs& a, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.code));
  crypto::PublicKey key;
  if (CmdStatus st = OneKey("node-key", a.node_key, a.node_key_file, &key); !st.ok()) return st;
  if (key.algo != crypto::Algo::kEd25519) {
    return CmdStatus::Usage(err::BAD_KEY,
                            "validator node keys are ed25519 keys, not " + std::string(crypto::AlgoName(key.algo)));
  }
  std::string title = a.power == 0
                          ? "Remove validator " + ShortKey(key) + " of " + a.code
                          : "Set validator " + ShortKey(key) + " of " + a.code + " to power " + std::to_string(a.power);
  return Propose(a, "set_validator", contracts::SetValidatorCall(a.code, key, a.power), title, common);
}

CmdStatus SetParams(const ProposeArgs& a, const CommonOptions& common) {
  if (!a.proposal_ttl_blocks && !a.max_batch_certificates) {
    return CmdStatus::Usage(err::PARAMS_REQUIRED, "give --proposal-ttl-blocks N, --max-batch-certificates N or both");
  }
  json::value now = json::object{};
  if (!a.proposal_ttl_blocks || !a.max_batch_certificates) {  // the other keeps its value on chain
    CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
    CIVIC_ASSIGN_OR_RETURN(now, api->Call("gov_params", json::object{}));
  }
  // The options' range checks keep both within uint32 here.
  pb::GovParams params;
  params.set_proposal_ttl_blocks(a.proposal_ttl_blocks.value_or(JsonView(now)["proposal_ttl_blocks"].U64()));
  params.set_max_batch_certificates(
      static_cast<uint32_t>(a.max_batch_certificates.value_or(JsonView(now)["max_batch_certificates"].U64())));
  CIVIC_USAGE_IF_ERROR(contracts::ValidateParams(params));
  pb::GovernanceCall call;
  *call.mutable_set_params()->mutable_params() = params;
  return Propose(a, "set_params", call,
                 "Set proposal_ttl_blocks " + std::to_string(params.proposal_ttl_blocks()) +
                     ", max_batch_certificates " + std::to_string(params.max_batch_certificates()),
                 common);
}

// ---------------------------------------------------------------------------
// Command table

CLI::App* Command(CLI::App* propose, CliContext* ctx, const std::shared_ptr<ProposeArgs>& a, const char* name,
                  const char* help, const char* code_help) {
  CLI::App* cmd = propose->add_subcommand(name, help);
  cmd->add_option("--code", a->code, code_help)->required();
  cmd->add_option("--title", a->title, "The proposal's title (default: a description of the action)");
  AddSignerOptions(cmd, ctx);
  return cmd;
}

void AddPubKeyOptions(CLI::App* cmd, ProposeArgs* a, bool repeatable) {
  const char* each = repeatable ? " (repeatable)" : "";
  cmd->add_option("--pub-key", a->pub_keys,
                  std::string("A public key: ed25519:<hex>, secp256k1:<hex> or sm2:<hex>") + each);
  cmd->add_option("--pub-key-file", a->pub_key_files,
                  std::string("A key file whose public key is meant (no passphrase needed)") + each);
}

// --<name> (a key in text) and --<name>-file (a key file holding it).
void AddKeyOption(CLI::App* cmd, const std::string& name, std::string* key, std::string* file,
                  const std::string& what) {
  cmd->add_option("--" + name, *key, what + ": ed25519:<hex>, secp256k1:<hex> or sm2:<hex>");
  cmd->add_option("--" + name + "-file", *file, "... or a key file holding it (no passphrase needed)");
}

}  // namespace

void AddGovProposeCommands(CLI::App* gov, CliContext* ctx) {
  CLI::App* propose =
      gov->add_subcommand("propose",
                          "Propose a governance action as an ADMIN department; it runs when more than 2/3 of the\n"
                          "ADMIN departments voted yes (civic gov vote)");
  propose->require_subcommand(1);
  auto a = std::make_shared<ProposeArgs>();

  CLI::App* add_org = Command(propose, ctx, a, "add-org", "Propose a new department with its signing keys and roles",
                              "The new department's unified social credit code (USCC)");
  add_org->add_option("--name", a->name, "The department's name")->required();
  add_org->add_option("--short-name", a->short_name, "A short name for display, e.g. psb");
  AddPubKeyOptions(add_org, a.get(), true);
  add_org->add_option("--role", a->role_specs,
                      "A role, with scopes if any: ADMIN, VALIDATOR, ISSUER:<type code>,..., CREDIT_AUTHORITY:"
                      "<category>,..., DATA_PROVIDER, DATA_REQUESTER, AUDITOR (repeatable)");
  OnRun(add_org, ctx, [a, ctx] { return AddOrg(*a, ctx->common); });

  CLI::App* remove_org = Command(propose, ctx, a, "remove-org",
                                 "Propose removing a department (its keys stop signing, its validators leave)",
                                 "The department's code (USCC)");
  OnRun(remove_org, ctx, [a, ctx] { return RemoveOrg(*a, ctx->common); });

  for (bool grant : {true, false}) {
    CLI::App* cmd = Command(propose, ctx, a, grant ? "grant-role" : "revoke-role",
                            grant ? "Propose granting a role (or more scopes of it) to a department"
                                  : "Propose revoking a role from a department (only the --scope ones if given)",
                            "The department's code (USCC)");
    cmd->add_option("--role", a->role,
                    "ADMIN, VALIDATOR, ISSUER, CREDIT_AUTHORITY, DATA_PROVIDER, DATA_REQUESTER or AUDITOR")
        ->required();
    cmd->add_option("--scope", a->scopes,
                    "A scope of the role: a certificate type code (ISSUER), a credit category (CREDIT_AUTHORITY)"
                    " (repeatable)");
    OnRun(cmd, ctx, [a, grant, ctx] { return ChangeRole(*a, grant, ctx->common); });
  }

  for (bool add : {true, false}) {
    CLI::App* cmd = Command(propose, ctx, a, add ? "add-key" : "revoke-key",
                            add ? "Propose adding a signing key to a department"
                                : "Propose revoking a department's signing key (it keeps at least one)",
                            "The department's code (USCC)");
    AddPubKeyOptions(cmd, a.get(), false);
    OnRun(cmd, ctx, [a, add, ctx] { return ChangeKey(*a, add, ctx->common); });
  }

  CLI::App* rotate = Command(propose, ctx, a, "rotate-key",
                             "Propose replacing a department's signing key: the new key is added and the old one "
                             "revoked in one step",
                             "The department's code (USCC)");
  AddKeyOption(rotate, "old-key", &a->old_key, &a->old_key_file, "The key to revoke");
  AddKeyOption(rotate, "new-key", &a->new_key, &a->new_key_file, "The key to add");
  OnRun(rotate, ctx, [a, ctx] { return RotateKey(*a, ctx->common); });

  CLI::App* validator = Command(propose, ctx, a, "set-validator",
                                "Propose adding, re-weighting or (power 0) removing a validator node of a department"
                                " that holds VALIDATOR",
                                "The node's department (USCC)");
  validator->add_option("--node-key", a->node_key, "The node's public key: ed25519:<hex> (its node id)");
  validator->add_option("--node-key-file", a->node_key_file, "... or the node's key file (node_key.json)");
  validator->add_option("--power", a->power, "Voting power; 0 removes the validator")
      ->required()
      ->check(CLI::Range(uint64_t{0}, kMaxPower));
  OnRun(validator, ctx, [a, ctx] { return SetValidator(*a, ctx->common); });

  CLI::App* params = propose->add_subcommand(
      "set-params", "Propose new chain parameters; those not given keep their values (civic gov params)");
  params
      ->add_option("--proposal-ttl-blocks", a->proposal_ttl_blocks,
                   "Blocks a proposal stays open before it expires (1.." +
                       std::to_string(contracts::kMaxProposalTtlBlocks) + ")")
      ->check(CLI::Range(uint64_t{1}, contracts::kMaxProposalTtlBlocks));
  params
      ->add_option("--max-batch-certificates", a->max_batch_certificates,
                   "Most certificates one issue call may carry (1.." +
                       std::to_string(contracts::kMaxBatchCertificatesLimit) + ")")
      ->check(CLI::Range(uint64_t{1}, uint64_t{contracts::kMaxBatchCertificatesLimit}));
  params->add_option("--title", a->title, "The proposal's title (default: the new values)");
  AddSignerOptions(params, ctx);
  OnRun(params, ctx, [a, ctx] { return SetParams(*a, ctx->common); });
}

}  // namespace civic::tools
