// civic verify: checks a certificate or state proof (cert_proof, state_proof)
// with no node trusted: only the genesis file (or a header the user trusts).
//
//   civic verify --offline PROOF.json --genesis genesis.json [--at T]
//   civic verify --id CERT_ID --node URL [--node URL ...] --genesis genesis.json
//   civic verify --key KEY --node URL ... --trusted-header HEADER.json
//
// PROOF.json is the JSON answer of cert_proof or state_proof (the "result"
// member or the whole JSON-RPC answer); its "proof.proto" holds the proof.
// HEADER.json is the answer of light_headers: its last block is trusted as is.
// Online, the proof is fetched from every --node and all are verified with one
// light client: two validly committed blocks for one height (nodes on two
// forks) are reported as FORK_DETECTED; a node whose proof is refused is named.
//
// Exit codes: 0 verified (a certificate: valid at T); 1 runtime error (file,
// node); 2 usage; 3 a proof refused (named reason); 4 a fork detected; 5
// verified, and the certificate is proven absent or not valid at T.
#include <chrono>
#include <fstream>
#include <iostream>

#include "contracts/base/time_format.h"
#include "contracts/genesis.h"
#include "light/cert_verdict.h"
#include "light/errors.h"
#include "rpc/codec/chain.h"
#include "tools/cli/commands.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

constexpr int kExitRefused = 3;
constexpr int kExitFork = 4;
constexpr int kExitNotValid = 5;

struct VerifyArgs {
  std::string offline_file;
  std::string genesis_file;
  std::string trusted_header_file;
  std::vector<std::string> nodes;
  std::string cert_id;
  std::string key;
  std::string at;
  double trust_period_days = 14;
};

// The "proto" member (base64url) of `member` in the JSON text, decoded into `out`.
Status DecodeProto(const json::value& doc, std::string_view member, google::protobuf::Message* out) {
  const json::value* v = &doc;
  if (const json::object* o = v->if_object(); o && o->contains("result")) v = &o->at("result");
  if (const json::object* o = v->if_object(); o && !member.empty() && o->contains(member)) v = &o->at(member);
  const json::object* o = v->if_object();
  const json::value* proto = o ? o->if_contains("proto") : nullptr;
  std::optional<Bytes> bytes;
  if (proto && proto->is_string()) bytes = Base64UrlDecode(std::string_view(proto->get_string()));
  if (!bytes || !out->ParseFromString(*bytes)) {
    return Status::InvalidArgument(err::LIGHT_MALFORMED, "no decodable \"proto\" member in the answer");
  }
  return Status::Ok();
}

Result<json::value> ReadJsonFile(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::InvalidArgument(err::LIGHT_MALFORMED, path + " is not JSON: " + ec.message());
  return v;
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<light::TrustedState> TrustRoot(const VerifyArgs& args) {
  if (!args.trusted_header_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(json::value doc, ReadJsonFile(args.trusted_header_file));
    pb::LightHeaders headers;
    CIVIC_RETURN_IF_ERROR(DecodeProto(doc, "", &headers));
    if (headers.blocks_size() == 0) return Status::InvalidArgument(err::LIGHT_MALFORMED, "the trusted header file holds no block");
    pb::BlockHeader header;
    header.ParseFromString(headers.blocks(headers.blocks_size() - 1).header());
    return light::TrustBlock(header.chain_id(), headers.blocks(headers.blocks_size() - 1));
  }
  CIVIC_ASSIGN_OR_RETURN(contracts::Genesis genesis, contracts::LoadGenesisFile(args.genesis_file));
  return light::TrustGenesis(genesis.chain_id, genesis.genesis_time_ms, genesis.validators);
}

json::object EntriesJson(const light::ProvenState& proven) {
  json::object out;
  out["chain_id"] = proven.chain_id;
  out["height"] = proven.height;
  out["state_root"] = ToHex(proven.state_root);
  out["block_hash"] = ToHex(proven.block_hash);
  out["proven_until_ms"] = proven.proven_until_ms;
  out["proven_until"] = rpc::TimeString(proven.proven_until_ms);
  json::array entries;
  for (const light::ProvenEntry& e : proven.entries) {
    json::object entry;
    entry["key_hex"] = ToHex(e.key);
    entry["exists"] = e.exists;
    entry["value_hex"] = ToHex(e.value);
    entries.emplace_back(std::move(entry));
  }
  out["entries"] = std::move(entries);
  return out;
}

json::object VerdictJson(const light::CertVerdict& v) {
  json::object out;
  out["id"] = v.id;
  out["exists"] = v.exists;
  out["valid"] = v.valid;
  if (!v.valid) out["invalid_reason"] = v.invalid_reason;
  out["asked_at_ms"] = v.asked_at_ms;
  out["evaluated_at_ms"] = v.evaluated_at_ms;
  out["evaluated_at"] = rpc::TimeString(v.evaluated_at_ms);
  if (v.certificate) {
    out["type_code"] = v.certificate->type_code();
    out["issuer_org"] = v.certificate->issuer_org();
    out["next_id"] = v.certificate->next_id();
  }
  return out;
}

// One proof checked by `client`; prints what it proves; the exit it implies.
CmdStatus Report(light::LightClient* client, const pb::LightProof& proof, const VerifyArgs& args, int64_t at_ms,
                 const std::string& source, bool json_out) {
  auto proven = light::VerifyProof(client, proof);
  if (!proven.ok()) {
    const int exit = proven.status().app_code() == err::FORK_DETECTED ? kExitFork : kExitRefused;
    return CmdStatus::WithExit(Status(proven.status().code(), proven.status().app_code(),
                                      source + ": " + proven.status().message()),
                               exit);
  }
  json::object out = EntriesJson(*proven);
  out["verified"] = true;
  out["source"] = source;
  std::optional<light::CertVerdict> verdict;
  if (!args.cert_id.empty()) {
    auto decided = light::DecideCertificate(*proven, args.cert_id, at_ms);
    if (!decided.ok()) return CmdStatus::WithExit(decided.status(), kExitRefused);
    verdict = std::move(*decided);
    out["certificate"] = VerdictJson(*verdict);
  }
  if (json_out) {
    PrintJson(out);
  } else {
    std::cout << source << ": verified: the state after block " << proven->height << " (root "
              << ToHex(proven->state_root).substr(0, 16) << "..., as of " << rpc::TimeString(proven->proven_until_ms)
              << ")\n";
    if (verdict) {
      std::cout << "certificate " << verdict->id << ": "
                << (verdict->valid ? "VALID" : (verdict->invalid_reason.empty() ? "NOT VALID" : verdict->invalid_reason))
                << " at " << rpc::TimeString(verdict->evaluated_at_ms) << "\n";
    } else {
      for (const light::ProvenEntry& e : proven->entries) {
        std::cout << "  " << ToHex(e.key) << ": " << (e.exists ? "present, value " + ToHex(e.value) : "absent") << "\n";
      }
    }
  }
  if (verdict && !verdict->valid) {
    return CmdStatus::WithExit(Status::FailedPrecondition(err::PROVEN_NOT_VALID, "certificate " + verdict->id + " is " +
                                                                                     verdict->invalid_reason),
                               kExitNotValid);
  }
  return CmdStatus::Ok();
}

CmdStatus Run(const VerifyArgs& args, const rpc::TlsClientFiles& tls, bool json_out) {
  if (args.genesis_file.empty() == args.trusted_header_file.empty()) {
    return CmdStatus::Usage(err::PROOF_SOURCE_REQUIRED, "give exactly one of --genesis and --trusted-header");
  }
  if (args.offline_file.empty() == args.nodes.empty()) {
    return CmdStatus::Usage(err::PROOF_SOURCE_REQUIRED, "give either --offline PROOF.json or one or more --node");
  }
  if (!args.nodes.empty() && args.cert_id.empty() == args.key.empty()) {
    return CmdStatus::Usage(err::PROOF_SOURCE_REQUIRED, "online, give exactly one of --id and --key");
  }
  int64_t at_ms = WallClockMs();
  if (!args.at.empty()) {
    auto parsed = contracts::ParseTime(args.at);
    if (!parsed.ok()) return CmdStatus::Usage(parsed.status());
    at_ms = *parsed;
  }
  // An offline proof is read first: a file that holds no proof is refused before the trust root is needed.
  pb::LightProof offline_proof;
  json::value offline_doc;
  if (!args.offline_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(offline_doc, ReadJsonFile(args.offline_file));
    if (Status st = DecodeProto(offline_doc, "proof", &offline_proof); !st.ok()) {
      return CmdStatus::WithExit(st, kExitRefused);
    }
  }
  CIVIC_ASSIGN_OR_RETURN(light::TrustedState root, TrustRoot(args));
  light::VerifyOptions options;
  options.now_ms = WallClockMs();
  options.trust_period_ms = static_cast<int64_t>(args.trust_period_days * 24 * 3600 * 1000);
  light::LightClient client(root, options);

  if (!args.offline_file.empty()) {
    const json::value& doc = offline_doc;
    const pb::LightProof& proof = offline_proof;
    VerifyArgs effective = args;
    if (effective.cert_id.empty()) {
      // A cert_proof answer names its certificate.
      const json::value* v = &doc;
      if (const json::object* o = v->if_object(); o && o->contains("result")) v = &o->at("result");
      if (const json::object* o = v->if_object(); o && o->contains("id") && o->at("id").is_string()) {
        effective.cert_id = std::string(o->at("id").get_string());
      }
    }
    return Report(&client, proof, effective, at_ms, args.offline_file, json_out);
  }

  CmdStatus worst;
  for (const std::string& url : args.nodes) {
    auto api = ConnectNode(url, tls);
    if (!api.ok()) return CmdStatus::Usage(api.status());
    json::object params;
    const char* method = args.cert_id.empty() ? "state_proof" : "cert_proof";
    if (args.cert_id.empty()) {
      params["key"] = args.key;
    } else {
      params["id"] = args.cert_id;
    }
    auto answer = (*api)->Call(method, std::move(params));
    if (!answer.ok()) return CmdStatus(Status(answer.status().code(), answer.status().app_code(),
                                              url + ": " + answer.status().message()));
    pb::LightProof proof;
    CmdStatus result = DecodeProto(*answer, "proof", &proof).ok()
                           ? Report(&client, proof, args, at_ms, url, json_out)
                           : CmdStatus::WithExit(Status::InvalidArgument(err::LIGHT_MALFORMED,
                                                                         url + ": the answer holds no proof"),
                                                 kExitRefused);
    // A fork outranks a refusal, which outranks a proven "not valid".
    auto rank = [](const CmdStatus& s) {
      return s.ok() ? 0 : s.exit_code() == kExitFork ? 3 : s.exit_code() == kExitRefused ? 2 : 1;
    };
    if (!result.ok() && rank(result) > rank(worst)) worst = result;
    if (!result.ok() && result.exit_code() != kExitNotValid) std::cerr << "civic: " << result.status().ToString() << "\n";
  }
  if (client.fork()) std::cerr << "civic: two nodes answered from conflicting blocks: a fork; keep both answers\n";
  return worst;
}

}  // namespace

void AddVerifyCommands(CLI::App* app, CliContext* ctx) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app->add_subcommand(
      "verify",
      "Verify a certificate or state proof with no node trusted: only the genesis (or a trusted header). "
      "Exit 0 verified (and valid), 3 refused, 4 fork, 5 proven not valid.");
  cmd->add_option("--offline", args->offline_file, "A cert_proof or state_proof answer saved as JSON");
  cmd->add_option("--genesis", args->genesis_file, "The network's genesis.json: the trust root");
  cmd->add_option("--trusted-header", args->trusted_header_file,
                  "A light_headers answer whose last block is trusted as is (instead of --genesis)");
  cmd->add_option("--node", args->nodes, "Fetch the proof from this node (repeatable: answers are cross-checked)");
  cmd->add_option("--id", args->cert_id, "The certificate id (online; offline it comes from the answer)");
  cmd->add_option("--key", args->key, "A public state key to prove (online, instead of --id)");
  cmd->add_option("--at", args->at, "The time to judge the certificate at (RFC 3339 or ms); default now");
  cmd->add_option("--trust-period-days", args->trust_period_days,
                  "How long a trusted header stays trusted (0: forever; the genesis never expires)")
      ->check(CLI::NonNegativeNumber);
  AddJsonOption(cmd, ctx);
  AddTlsOptions(cmd, ctx);
  OnRun(cmd, ctx, [args, ctx] { return Run(*args, ctx->common.tls, ctx->common.json); });
}

}  // namespace civic::tools
