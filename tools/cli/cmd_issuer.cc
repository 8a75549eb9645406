// civic issuer token create | revoke | list: the bearer tokens of a node's
// issuer API (rpc/issuer/token_store.h). They work on the node's tokens file,
// found through its config (--node-dir DIR reads DIR/config.toml) or given
// directly (--tokens-file); the node sees a change on its next call, no
// restart needed. Run them as the node's user: the file is the node's (0600).
#include <chrono>
#include <iostream>

#include "contracts/base/time_format.h"
#include "node/config.h"
#include "rpc/error_codes.h"
#include "rpc/issuer/token_store.h"
#include "tools/cli/commands.h"
#include "tools/common/errors.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

struct TokenFileArgs {
  std::string node_dir;
  std::string tokens_file;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::string> TokensPath(const TokenFileArgs& a) {
  if (a.node_dir.empty() == a.tokens_file.empty()) {
    return Status::InvalidArgument(err::BAD_ARGUMENT, "give either --node-dir or --tokens-file");
  }
  if (!a.tokens_file.empty()) return a.tokens_file;
  CIVIC_ASSIGN_OR_RETURN(node::Config config, node::LoadConfig(a.node_dir + "/config.toml"));
  return config.issuer.tokens_file;
}

const char* TokenState(const rpc::IssuerToken& t, int64_t now) {
  if (t.revoked_ms != 0) return "revoked";
  return now >= t.expires_ms ? "expired" : "active";
}

json::object TokenJson(const rpc::IssuerToken& t, int64_t now) {
  json::object o{{"id", t.id},
                 {"label", t.label},
                 {"scope", rpc::FormatScopes(t.scopes)},
                 {"created", contracts::FormatRfc3339(t.created_ms)},
                 {"expires", contracts::FormatRfc3339(t.expires_ms)},
                 {"state", TokenState(t, now)}};
  if (t.revoked_ms != 0) o["revoked"] = contracts::FormatRfc3339(t.revoked_ms);
  return o;
}

struct CreateArgs {
  TokenFileArgs file;
  std::string scope, expires, label;
};

CmdStatus Create(const CreateArgs& a, const CommonOptions& common) {
  auto path = TokensPath(a.file);
  if (!path.ok()) return CmdStatus::Usage(path.status());
  auto scopes = rpc::ParseScopes(a.scope);
  if (!scopes.ok()) return CmdStatus::Usage(scopes.status());
  auto lifetime = rpc::ParseTokenLifetime(a.expires);
  if (!lifetime.ok()) return CmdStatus::Usage(lifetime.status());
  int64_t now = NowMs();
  auto made = rpc::CreateToken(*path, *scopes, *lifetime, a.label, now);
  if (!made.ok() && made.status().app_code() == err::BAD_ARGUMENT) return CmdStatus::Usage(made.status());
  if (!made.ok()) return made.status();
  if (common.json) {
    json::object o = TokenJson(made->token, now);
    o["token"] = made->secret;
    PrintJson(o);
    return CmdStatus::Ok();
  }
  std::cout << "token " << made->token.id << " (" << made->token.label << ") for "
            << rpc::FormatScopes(made->token.scopes) << ", expires "
            << contracts::FormatRfc3339(made->token.expires_ms) << ":\n"
            << made->secret << "\n"
            << "It is shown only now: the node keeps only its hash. Give it to the business system as\n"
            << "\"Authorization: Bearer <token>\"; revoke it with: civic issuer token revoke " << made->token.id
            << "\n";
  return CmdStatus::Ok();
}

CmdStatus Revoke(const TokenFileArgs& file, const std::string& id, const CommonOptions& common) {
  auto path = TokensPath(file);
  if (!path.ok()) return CmdStatus::Usage(path.status());
  CIVIC_RETURN_IF_ERROR(rpc::RevokeToken(*path, id, NowMs()));
  if (common.json) {
    PrintJson(json::object{{"id", id}, {"state", "revoked"}});
  } else {
    std::cout << "token " << id << " revoked; the node refuses it from its next call on\n";
  }
  return CmdStatus::Ok();
}

CmdStatus List(const TokenFileArgs& file, const CommonOptions& common) {
  auto path = TokensPath(file);
  if (!path.ok()) return CmdStatus::Usage(path.status());
  CIVIC_ASSIGN_OR_RETURN(std::vector<rpc::IssuerToken> tokens, rpc::ReadTokensFile(*path));
  int64_t now = NowMs();
  if (common.json) {
    json::array list;
    for (const auto& t : tokens) list.push_back(TokenJson(t, now));
    PrintJson(json::object{{"tokens", std::move(list)}});
    return CmdStatus::Ok();
  }
  for (const auto& t : tokens) {
    std::cout << t.id << "  " << TokenState(t, now) << "  " << t.label << "  " << rpc::FormatScopes(t.scopes)
              << "  expires " << contracts::FormatRfc3339(t.expires_ms) << "\n";
  }
  if (tokens.empty()) std::cout << "no tokens\n";
  return CmdStatus::Ok();
}

void AddTokenFileOptions(CLI::App* cmd, TokenFileArgs* file) {
  cmd->add_option("--node-dir", file->node_dir, "The node's folder (its config.toml names the tokens file)");
  cmd->add_option("--tokens-file", file->tokens_file, "The tokens file itself ([issuer] tokens_file)");
}

}  // namespace

void AddIssuerCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* issuer = app->add_subcommand("issuer", "The issuer API of a department's node (docs/RPC.md)");
  issuer->require_subcommand(1);
  CLI::App* token = issuer->add_subcommand("token", "API tokens of the issuer API: create, revoke, list");
  token->require_subcommand(1);

  auto create = std::make_shared<CreateArgs>();
  CLI::App* create_cmd =
      token->add_subcommand("create", "Create a token and print it once (the node keeps only its SHA-256)");
  AddTokenFileOptions(create_cmd, &create->file);
  create_cmd
      ->add_option("--scope", create->scope,
                   "What it may do: action:type entries, comma-separated, e.g. "
                   "cert.issue:11100000000013127D001,cert.revoke:* (actions: cert.issue, cert.renew, "
                   "cert.replace, cert.suspend, cert.reinstate, cert.revoke, cert.*)")
      ->required();
  create_cmd->add_option("--expires", create->expires, "Lifetime: <n>d or <n>h (at most 3650d)")->required();
  create_cmd->add_option("--label", create->label, "Who it is for, e.g. hr-system (kept and logged)")->required();
  AddJsonOption(create_cmd, ctx);
  OnRun(create_cmd, ctx, [create, ctx] { return Create(*create, ctx->common); });

  auto revoke_file = std::make_shared<TokenFileArgs>();
  auto revoke_id = std::make_shared<std::string>();
  CLI::App* revoke_cmd = token->add_subcommand("revoke", "Revoke a token; the node refuses it from its next call on");
  revoke_cmd->add_option("ID", *revoke_id, "The token id (16 hex characters, from create or list)")->required();
  AddTokenFileOptions(revoke_cmd, revoke_file.get());
  AddJsonOption(revoke_cmd, ctx);
  OnRun(revoke_cmd, ctx, [revoke_file, revoke_id, ctx] { return Revoke(*revoke_file, *revoke_id, ctx->common); });

  auto list_file = std::make_shared<TokenFileArgs>();
  CLI::App* list_cmd = token->add_subcommand("list", "List the tokens: id, state, label, scope, expiry");
  AddTokenFileOptions(list_cmd, list_file.get());
  AddJsonOption(list_cmd, ctx);
  OnRun(list_cmd, ctx, [list_file, ctx] { return List(*list_file, ctx->common); });
}

}  // namespace civic::tools
