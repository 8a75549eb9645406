// civic chain status | block H | tx ID, and civic gov orgs | params | proposals | vote
// (gov propose: cmd_gov_propose.cc)
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/common/json_view.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

CmdStatus Query(const CommonOptions& common, const char* method, json::object params,
                const std::function<void(const JsonView&)>& print) {
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call(method, std::move(params)));
  if (common.json) {
    PrintJson(v);
  } else {
    print(JsonView(v));
  }
  return CmdStatus::Ok();
}

void PrintStatus(const JsonView& v) {
  for (const auto& [key, value] : v.Members()) {
    if (value.raw()->is_object() || value.raw()->is_array()) continue;
    std::cout << key << ": " << value.Str() << "\n";
  }
}

void PrintBlock(const JsonView& v) {
  JsonView h = v.Has("header") ? v["header"] : v;
  std::cout << "block " << h["height"].U64() << "  " << (v.Has("hash") ? v["hash"].Str() : h["hash"].Str()) << "\n";
  for (const auto& [key, value] : h.Members()) {
    if (key == "height" || value.raw()->is_object() || value.raw()->is_array()) continue;
    std::cout << "  " << key << ": " << value.Str() << "\n";
  }
  auto txs = v["txs"].Items();
  std::cout << "  txs: " << txs.size() << "\n";
  for (const JsonView t : txs) {
    std::string id = t.raw() && t.raw()->is_string() ? t.Str() : t["id"].Str();
    std::cout << "    " << id;
    if (t.Has("contract")) std::cout << "  " << t["contract"].Str();
    if (t.Has("org")) std::cout << "  " << t["org"].Str();
    std::cout << "\n";
  }
}

void PrintTx(const JsonView& v) {
  std::cout << "tx " << v["id"].Str() << "\n  block: " << v["height"].U64() << " (index " << v["index"].U64() << ")\n";
  JsonView r = v["result"];
  std::string app = r["app_code"].Str();
  bool ok = r.Has("ok") ? r["ok"].Bool() : (app.empty() || app == "OK");
  std::cout << "  result: " << (ok ? "OK" : app + ": " + r["message"].Str()) << "\n";
  std::cout << "  signer: " << v["signer"].Str() << "\n";
  JsonView body = v["body"];
  std::cout << "  org: " << body["org"].Str() << "\n"
            << "  contract: " << body["contract"].Str() << "\n"
            << "  valid until height: " << body["valid_until_height"].U64() << "\n";
  if (v["redacted"].Bool()) {
    std::cout << "  body: redacted: this call's details are for auditors only (chain_getTxFull, signed by an org "
                 "holding AUDITOR)\n";
  }
  // The call: its kind, and for batches the number of certificates (the whole
  // call is in --json).
  for (const auto& [kind, call] : body["call"].Members()) {
    std::cout << "  call: " << kind;
    auto certs = call["certificates"].Items();
    if (!certs.empty()) std::cout << " (" << certs.size() << " certificate" << (certs.size() == 1 ? "" : "s") << ")";
    std::string text = json::serialize(*call.raw());
    if (certs.empty() && text.size() <= 400) std::cout << " " << text;
    std::cout << "\n";
  }
}

void PrintOrgs(const JsonView& v) {
  JsonView list = v.Has("orgs") ? v["orgs"] : v;
  for (const JsonView o : list.Items()) {
    std::cout << o["code"].Str() << "  " << o["name"].Str();
    if (!o["short_name"].Str().empty()) std::cout << " (" << o["short_name"].Str() << ")";
    if (o["removed"].Bool()) std::cout << "  REMOVED";
    std::cout << "\n  roles:";
    for (const JsonView r : o["roles"].Items()) {
      if (r.raw()->is_string()) {
        std::cout << " " << r.Str();
        continue;
      }
      std::cout << " " << r["role"].Str();
      auto scopes = r["scopes"].Items();
      if (!scopes.empty()) {
        std::cout << "(";
        for (size_t i = 0; i < scopes.size(); ++i) std::cout << (i ? "," : "") << scopes[i].Str();
        std::cout << ")";
      }
    }
    std::cout << "\n  keys:";
    for (const JsonView k : o["keys"].Items()) {
      std::cout << " " << (k.raw()->is_string() ? k.Str() : k["pub_key"].Str()) << (k["revoked"].Bool() ? "(revoked)" : "");
    }
    std::cout << "\n";
  }
}

void PrintProposals(const JsonView& v) {
  JsonView list = v.Has("proposals") ? v["proposals"] : v;
  auto items = list.Items();
  if (items.empty()) std::cout << "no proposals\n";
  for (const JsonView p : items) {
    std::cout << "#" << p["id"].U64() << "  " << p["status"].Str() << "  " << p["title"].Str() << "\n"
              << "  by " << p["proposer_org"].Str() << "; yes:";
    for (const JsonView y : p["yes"].Items()) std::cout << " " << y.Str();
    std::cout << "; no:";
    for (const JsonView n : p["no"].Items()) std::cout << " " << n.Str();
    std::cout << "; expires at height " << p["expires_height"].U64() << "\n";
    if (!p["result_code"].Str().empty()) {
      std::cout << "  action failed: " << p["result_code"].Str() << ": " << p["result_message"].Str() << "\n";
    }
  }
}

// All proposals (paged through), optionally only those in one status.
CmdStatus Proposals(const std::string& status, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  json::array all;
  uint64_t from = 1;
  for (int page = 0; page < 10000 && from != 0; ++page) {
    CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("gov_proposals", json::object{{"from", from}, {"limit", 1000}}));
    for (const JsonView p : JsonView(v)["proposals"].Items()) {
      if (status.empty() || p["status"].Str() == status) all.push_back(*p.raw());
    }
    from = JsonView(v)["next_from"].U64();
  }
  json::value out = json::object{{"proposals", std::move(all)}};
  if (common.json) {
    PrintJson(out);
  } else {
    PrintProposals(JsonView(out));
  }
  return CmdStatus::Ok();
}

CmdStatus Vote(uint64_t proposal, bool no, const CommonOptions& common) {
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendTx(*api, common, *signer,
                                              [&](const contracts::TxParams& p) {
                                                return contracts::VoteTx(p, proposal, !no, signer->key);
                                              },
                                              false, &tx_id));
  json::object extra{{"proposal_id", proposal}, {"vote", no ? "no" : "yes"}};
  if (outcome) {
    auto p = api->Call("gov_proposal", json::object{{"id", proposal}});
    if (p.ok()) extra["proposal_status"] = JsonView(*p)["status"].Str();
  }
  PrintTxOutcome(common, std::string("voted ") + (no ? "no" : "yes") + " on proposal " + std::to_string(proposal),
                 tx_id, outcome, extra);
  return CmdStatus::Ok();
}

}  // namespace

void AddChainCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* chain = app->add_subcommand("chain", "Chain queries: status, blocks, txs");
  chain->require_subcommand(1);

  CLI::App* status = chain->add_subcommand("status", "The node's chain: id, height, latest block, node info");
  AddNodeOption(status, ctx);
  AddJsonOption(status, ctx);
  OnRun(status, ctx, [ctx] { return Query(ctx->common, "chain_status", {}, PrintStatus); });

  auto height = std::make_shared<int64_t>(0);
  CLI::App* block = chain->add_subcommand("block", "A block by height");
  block->add_option("H", *height, "Block height")->required()->check(CLI::NonNegativeNumber);
  AddNodeOption(block, ctx);
  AddJsonOption(block, ctx);
  OnRun(block, ctx, [height, ctx] {
    return Query(ctx->common, "chain_getBlock", json::object{{"height", *height}}, PrintBlock);
  });

  auto id = std::make_shared<std::string>();
  CLI::App* tx = chain->add_subcommand("tx", "A committed tx by id: its block, result and decoded call");
  tx->add_option("ID", *id, "Tx id (hex)")->required()->check([](const std::string& s) {
    return s.size() == 64 && FromHex(s) ? std::string() : std::string("a tx id is 64 hex characters");
  });
  AddNodeOption(tx, ctx);
  AddJsonOption(tx, ctx);
  OnRun(tx, ctx, [id, ctx] { return Query(ctx->common, "chain_getTx", json::object{{"id", *id}}, PrintTx); });
}

void AddGovCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* gov = app->add_subcommand("gov", "Governance: departments, roles, proposals and votes");
  gov->require_subcommand(1);

  CLI::App* orgs = gov->add_subcommand("orgs", "The departments on chain with their roles and keys");
  AddNodeOption(orgs, ctx);
  AddJsonOption(orgs, ctx);
  OnRun(orgs, ctx, [ctx] { return Query(ctx->common, "gov_orgs", {}, PrintOrgs); });

  CLI::App* params = gov->add_subcommand("params", "The chain parameters in force (changed by set-params proposals)");
  AddNodeOption(params, ctx);
  AddJsonOption(params, ctx);
  OnRun(params, ctx, [ctx] { return Query(ctx->common, "gov_params", {}, PrintStatus); });

  auto status = std::make_shared<std::string>();
  CLI::App* proposals = gov->add_subcommand("proposals", "Governance proposals and their votes");
  proposals->add_option("--status", *status, "Only proposals in this status (open, executed, failed, ...)");
  AddNodeOption(proposals, ctx);
  AddJsonOption(proposals, ctx);
  OnRun(proposals, ctx, [status, ctx] { return Proposals(*status, ctx->common); });

  auto proposal = std::make_shared<int64_t>(0);
  auto no = std::make_shared<bool>(false);
  CLI::App* vote = gov->add_subcommand("vote", "Vote on a proposal (yes unless --no) as an ADMIN department");
  vote->add_option("--proposal", *proposal, "Proposal id")->required()->check(CLI::PositiveNumber);
  vote->add_flag("--no", *no, "Vote no");
  AddSignerOptions(vote, ctx);
  OnRun(vote, ctx, [proposal, no, ctx] { return Vote(static_cast<uint64_t>(*proposal), *no, ctx->common); });

  AddGovProposeCommands(gov, ctx);
}

}  // namespace civic::tools
