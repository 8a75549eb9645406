// civic cert types | type register | issue | renew | replace | suspend | reinstate |
//            revoke | show | verify | list
#include <filesystem>
#include <iostream>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/certificate/rules.h"
#include "rpc/codec/holder_certificate.h"
#include "tools/cli/commands.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/import/import_rows.h"
#include "tools/common/json_view.h"
#include "tools/common/secret_input.h"
#include "tools/common/timefmt.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

// ---------------------------------------------------------------------------
// Shared helpers

Result<contracts::HolderCertificate> ReadHolderFile(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto cert = rpc::ParseHolderCertificate(text);
  if (!cert.ok()) {
    return Status(cert.status().code(), cert.status().app_code(), path + ": " + cert.status().message());
  }
  return cert;
}

Status WriteHolderFile(const std::string& path, const contracts::HolderCertificate& cert) {
  return WriteFileAtomic(path, rpc::SerializeHolderCertificate(cert) + "\n", 0600);
}

Result<int64_t> OptionalTime(const std::string& text, DateEdge edge) {
  if (text.empty()) return int64_t{0};
  return ParseTimeMs(text, edge);
}

// The type as the contracts' client-side checks take it (contracts/certificate/holder.h).
pb::CertType TypeSchema(const CertTypeInfo& info) {
  pb::CertType type;
  type.set_code(info.code);
  type.set_holder_code_type(info.holder_code_type);
  type.set_retired(info.retired);
  for (const auto& f : info.fields) {
    pb::CertFieldSpec* spec = type.add_fields();
    spec->set_name(f.name);
    spec->set_required(f.required);
    spec->set_label(f.label);
  }
  return type;
}

Status RefuseOverwrite(const std::string& path, bool force) {
  std::error_code ec;
  if (!force && fs::exists(path, ec)) {
    return Status::AlreadyExists(err::FILE_EXISTS, path + " already exists; pass --force to replace it");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// cert types

CmdStatus Types(const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("cert_types", json::object()));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  CIVIC_ASSIGN_OR_RETURN(std::vector<CertTypeInfo> types, GetCertTypes(*api));
  for (const auto& t : types) {
    std::cout << t.code << "  " << t.name << "  (holder: "
              << (t.holder_code_type == contracts::kHolderUscc ? "enterprise" : "citizen") << ")"
              << (t.retired ? "  RETIRED" : "") << "\n    issuers:";
    for (const auto& o : t.issuer_orgs) std::cout << " " << o;
    std::cout << "\n    fields:";
    for (const auto& f : t.fields) {
      std::cout << " " << f.name << (f.required ? "" : "?") << (f.label.empty() ? "" : "(" + f.label + ")");
    }
    std::cout << "\n";
  }
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// cert type register (a governance proposal)

struct RegisterArgs {
  std::string code, name, holder_type = "citizen", title;
  std::vector<std::string> issuers, fields, optional_fields;
  uint64_t validity_days = 0;
};

Result<pb::CertFieldSpec> FieldSpec(const std::string& spec, bool required) {
  pb::CertFieldSpec f;
  size_t colon = spec.find(':');
  f.set_name(spec.substr(0, colon));
  if (colon != std::string::npos) f.set_label(spec.substr(colon + 1));
  f.set_required(required);
  if (f.name().empty()) return Status::InvalidArgument(err::BAD_FIELD_ARG, "field \"" + spec + "\" has no name");
  return f;
}

CmdStatus RegisterType(const RegisterArgs& a, const CommonOptions& common) {
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  auto holder = HolderCodeType(a.holder_type);
  if (!holder.ok()) return CmdStatus::Usage(holder.status());
  pb::CertType type;
  type.set_code(a.code);
  type.set_name(a.name);
  type.set_holder_code_type(*holder);
  type.set_default_validity_ms(static_cast<int64_t>(a.validity_days) * 86400000);
  std::vector<std::string> issuers = a.issuers.empty() ? std::vector<std::string>{signer->org} : a.issuers;
  for (const auto& org : issuers) {
    CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(org));
    type.add_issuer_orgs(org);
  }
  for (const auto& spec : a.fields) {
    auto f = FieldSpec(spec, true);
    if (!f.ok()) return CmdStatus::Usage(f.status());
    *type.add_fields() = *f;
  }
  for (const auto& spec : a.optional_fields) {
    auto f = FieldSpec(spec, false);
    if (!f.ok()) return CmdStatus::Usage(f.status());
    *type.add_fields() = *f;
  }
  CIVIC_USAGE_IF_ERROR(contracts::ValidateTypeCode(a.code));
  std::string title = a.title.empty() ? "Register certificate type " + a.code + " " + a.name : a.title;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(
      auto outcome, SendTx(*api, common, *signer,
                           [&](const contracts::TxParams& p) {
                             return contracts::ProposeTx(p, title, contracts::RegisterTypeCall(type), signer->key);
                           },
                           /*force_wait=*/true, &tx_id));
  ReportProposal(*api, common, "proposal to register type " + a.code, tx_id, outcome,
                 json::object{{"type_code", a.code}});
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// cert issue

struct IssueArgs {
  std::string type, holder_type, holder_id_file, fields_file, out, serial, valid_from, valid_until;
  bool force = false;
};

CmdStatus Issue(const IssueArgs& a, const CommonOptions& common) {
  CmdStatus usage;
  auto holder_type = HolderCodeType(a.holder_type);
  if (!holder_type.ok()) return CmdStatus::Usage(holder_type.status());
  CIVIC_USAGE_IF_ERROR(AtMostOneStdin({{"--holder-id-file", a.holder_id_file}, {"--fields-file", a.fields_file}}));
  auto holder = ReadSecretValue(a.holder_id_file, "holder identity number");
  if (!holder.ok()) return CmdStatus::Usage(holder.status());
  CIVIC_USAGE_IF_ERROR(contracts::ValidateHolderCode(*holder_type, *holder));
  auto fields = ReadFieldsFile(a.fields_file);
  if (!fields.ok()) return CmdStatus::Usage(fields.status());
  auto from = OptionalTime(a.valid_from, DateEdge::kStartOfDay);
  if (!from.ok()) return CmdStatus::Usage(from.status());
  auto until = OptionalTime(a.valid_until, DateEdge::kEndOfDay);
  if (!until.ok()) return CmdStatus::Usage(until.status());
  if (*from && *until && *until <= *from) {
    return CmdStatus::Usage(err::BAD_VALIDITY, "--valid-until is not after --valid-from");
  }
  if (!a.serial.empty()) CIVIC_USAGE_IF_ERROR(contracts::ValidateSerial(a.serial));
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_RETURN_IF_ERROR(RefuseOverwrite(a.out, a.force));

  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(CertTypeInfo type, GetCertType(*api, a.type));
  contracts::IssueRequest request{*holder_type, *holder, *fields, a.serial, *from, *until};
  auto prepared = contracts::PrepareIssue(TypeSchema(type), signer->org, request);
  if (!prepared.ok()) return CmdStatus::Usage(prepared.status());
  contracts::HolderCertificate copy = std::move(prepared->copy);
  pb::CertIssueItem item = std::move(prepared->item);
  // The holder's copy (with its salts) is written before the tx exists: the salts
  // are the only way to prove the fields later.
  CIVIC_RETURN_IF_ERROR(WriteHolderFile(a.out, copy));

  std::string tx_id;
  bool need_id = a.serial.empty();  // the chain assigns the serial: wait to learn the id
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendTx(*api, common, *signer,
                                              [&](const contracts::TxParams& p) {
                                                return contracts::IssueTx(p, {item}, signer->key);
                                              },
                                              need_id, &tx_id));
  if (need_id) {
    CIVIC_ASSIGN_OR_RETURN(json::value page,
                           api->Call("cert_listByHolder",
                                     json::object{{"holder_commitment", ToHex(copy.Commitment())}, {"limit", 10}}));
    for (const JsonView c : JsonView(page)["certificates"].Items()) {
      if (c["type_code"].Str() == a.type && c["issuing_tx_id"].Str() == tx_id) copy.id = c["id"].Str();
    }
    if (copy.id.empty()) {
      return Status::Internal("the certificate was committed (tx " + tx_id +
                              ") but the node does not list it by its holder commitment");
    }
  }
  if (outcome) {
    // Take the validity the chain settled on (defaults are applied on chain).
    auto got = api->Call("cert_get", json::object{{"id", copy.id}});
    if (got.ok()) {
      copy.valid_from_ms = JsonView(*got)["valid_from_ms"].I64();
      copy.valid_until_ms = JsonView(*got)["valid_until_ms"].I64();
    }
    CIVIC_RETURN_IF_ERROR(WriteHolderFile(a.out, copy));
  }
  PrintTxOutcome(common, "certificate " + copy.id + " issued", tx_id, outcome,
                 json::object{{"id", copy.id}, {"holder_file", a.out}});
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// cert renew | replace

struct NewVersionArgs {
  std::string id, holder_file, fields_file, out, valid_from, valid_until, reason;
  bool replace = false;
};

CmdStatus NewVersion(const NewVersionArgs& a, const CommonOptions& common) {
  CmdStatus usage;
  auto next_id = contracts::NextVersionId(a.id);
  if (!next_id.ok()) {
    return next_id.status().app_code() == err::VERSION_LIMIT ? CmdStatus(next_id.status())
                                                          : CmdStatus::Usage(next_id.status());
  }
  std::map<std::string, std::string> changed;
  if (!a.fields_file.empty()) {
    auto read = ReadFieldsFile(a.fields_file);
    if (!read.ok()) return CmdStatus::Usage(read.status());
    changed = std::move(read).value();
  }
  if (!changed.empty() && a.holder_file.empty()) {
    return CmdStatus::Usage(err::HOLDER_FILE_REQUIRED, "changing fields needs the holder's copy (--holder-file)");
  }
  if (!a.out.empty() && a.holder_file.empty()) {
    return CmdStatus::Usage(err::HOLDER_FILE_REQUIRED, "--out needs the holder's current copy (--holder-file)");
  }
  auto from = OptionalTime(a.valid_from, DateEdge::kStartOfDay);
  if (!from.ok()) return CmdStatus::Usage(from.status());
  auto until = OptionalTime(a.valid_until, DateEdge::kEndOfDay);
  if (!until.ok()) return CmdStatus::Usage(until.status());
  if (a.replace && a.reason.empty()) return CmdStatus::Usage(err::REASON_REQUIRED, "give --reason (e.g. lost, damaged)");
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;

  std::optional<contracts::HolderCertificate> copy;
  std::optional<contracts::HolderCertificate> updated;  // set when the claims change
  if (!a.holder_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(copy, ReadHolderFile(a.holder_file));
    if (!copy->id.empty() && copy->id != a.id) {
      return CmdStatus::Usage(err::HOLDER_FILE_MISMATCH,
                              a.holder_file + " is the copy of " + copy->id + ", not of " + a.id);
    }
  }
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  if (!changed.empty()) {
    CIVIC_ASSIGN_OR_RETURN(CertTypeInfo type, GetCertType(*api, copy->type_code));
    CIVIC_USAGE_IF_ERROR(contracts::CheckFieldsAgainstType(changed, TypeSchema(type), false));
    std::map<std::string, std::string> merged;
    for (const auto& f : copy->fields) merged[f.name] = f.value;
    for (const auto& [n, v] : changed) merged[n] = v;
    // Fresh salts for the new version: its digests must not be linkable to the old ones.
    updated = contracts::NewHolderCertificate(copy->type_code, copy->issuer_org, copy->holder_code_type,
                                              copy->holder_code, merged);
  }
  const contracts::HolderCertificate* change = updated ? &*updated : nullptr;
  pb::CertificateCall call = a.replace ? contracts::ReplaceCall(a.id, change, a.reason, *from, *until)
                                       : contracts::RenewCall(a.id, change, *from, *until);
  bool has_copy = copy.has_value();
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendTx(*api, common, *signer,
                                              [&](const contracts::TxParams& p) {
                                                return contracts::CertificateTx(p, call, signer->key);
                                              },
                                              /*force_wait=*/has_copy, &tx_id));
  json::object extra{{"previous_id", a.id}, {"id", *next_id}};
  if (has_copy) {
    contracts::HolderCertificate next = updated ? *updated : *copy;
    next.id = *next_id;
    // Take the validity the chain settled on (defaults are applied on chain).
    auto got = api->Call("cert_get", json::object{{"id", *next_id}});
    if (got.ok()) {
      next.valid_from_ms = JsonView(*got)["valid_from_ms"].I64();
      next.valid_until_ms = JsonView(*got)["valid_until_ms"].I64();
    }
    std::string out = a.out.empty() ? a.holder_file : a.out;
    CIVIC_RETURN_IF_ERROR(WriteHolderFile(out, next));
    extra["holder_file"] = out;
  }
  PrintTxOutcome(common, std::string(a.replace ? "replaced " : "renewed ") + a.id + " by " + *next_id, tx_id,
                 outcome, extra);
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// cert suspend | reinstate | revoke

enum class StatusAction { kSuspend, kReinstate, kRevoke };

CmdStatus ChangeStatus(StatusAction action, const std::string& id, const std::string& reason,
                       const CommonOptions& common) {
  CmdStatus usage;
  auto parsed = contracts::ParseCertId(id);
  if (!parsed.ok()) return CmdStatus::Usage(parsed.status());
  if (reason.empty()) return CmdStatus::Usage(err::REASON_REQUIRED, "give --reason");
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  pb::CertificateCall call = action == StatusAction::kSuspend     ? contracts::SuspendCall(id, reason)
                             : action == StatusAction::kReinstate ? contracts::ReinstateCall(id, reason)
                                                                  : contracts::RevokeCall(id, reason);
  const char* verb = action == StatusAction::kSuspend     ? "suspended"
                     : action == StatusAction::kReinstate ? "reinstated"
                                                          : "revoked";
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendTx(*api, common, *signer,
                                              [&](const contracts::TxParams& p) {
                                                return contracts::CertificateTx(p, call, signer->key);
                                              },
                                              false, &tx_id));
  PrintTxOutcome(common, id + " " + verb, tx_id, outcome, json::object{{"id", id}, {"reason", reason}});
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// cert show | verify | list

std::string Day(const JsonView& v) {
  std::string s = v.Str();
  return s.empty() ? "no expiry" : s;
}

void PrintCertificate(const JsonView& c) {
  std::cout << "certificate " << c["id"].Str() << "\n"
            << "  type:        " << c["type_code"].Str() << "\n"
            << "  issuer:      " << c["issuer_org"].Str() << " (seal key " << c["issuer_key"].Str() << ")\n"
            << "  status:      " << c["status"].Str()
            << (c["status_reason"].Str().empty() ? "" : " (" + c["status_reason"].Str() + ")") << "\n"
            << "  issued:      " << c["issued_at"].Str() << " in block " << c["height"].U64() << " (tx "
            << c["issuing_tx_id"].Str() << ")\n"
            << "  valid:       " << c["valid_from"].Str() << " .. " << Day(c["valid_until"]) << "\n"
            << "  version:     " << c["version"].U64();
  if (!c["previous_id"].Str().empty()) std::cout << ", previous " << c["previous_id"].Str();
  if (!c["next_id"].Str().empty()) std::cout << ", next " << c["next_id"].Str();
  std::cout << "\n  claims:     ";
  for (const JsonView d : c["claims"].Items()) std::cout << " " << d["name"].Str();
  std::cout << " (salted digests only; the holder keeps the values)\n";
  auto events = c["events"].Items();
  if (!events.empty()) {
    std::cout << "  history:\n";
    for (const JsonView e : events) {
      std::cout << "    " << e["time"].Str() << "  " << e["kind"].Str() << " -> " << e["status_after"].Str();
      if (!e["reason"].Str().empty()) std::cout << " (" << e["reason"].Str() << ")";
      if (!e["related_id"].Str().empty()) std::cout << "  " << e["related_id"].Str();
      std::cout << "  by " << e["org"].Str() << "\n";
    }
  }
}

CmdStatus Show(const std::string& id, const CommonOptions& common) {
  auto parsed = contracts::ParseCertId(id);
  if (!parsed.ok()) return CmdStatus::Usage(parsed.status());
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("cert_get", json::object{{"id", id}}));
  if (common.json) {
    PrintJson(v);
  } else {
    PrintCertificate(JsonView(v));
  }
  return CmdStatus::Ok();
}

std::string Explain(const std::string& reason) {
  if (reason == "CERT_NOT_FOUND") return "no certificate with this id is recorded on chain";
  if (reason == "BAD_CERT_ID") return "this is not a well-formed certificate identifier";
  if (reason == "HOLDER_MISMATCH") return "the presented holder does not match the certificate";
  if (reason == "COPY_MISMATCH") return "the presented copy names another type or issuer than the record on chain";
  if (reason == "FIELD_MISMATCH") return "a presented field differs from what the issuer sealed";
  if (reason == "FIELD_NOT_ON_CERTIFICATE") return "a presented field is not on this certificate";
  if (reason == "NOT_YET_ISSUED") return "it had not been issued yet at that time";
  if (reason == "NOT_YET_VALID") return "its validity had not started yet";
  if (reason == "EXPIRED") return "its validity had ended";
  if (reason == "SUSPENDED") return "it was suspended";
  if (reason == "REVOKED") return "it was revoked";
  if (reason == "REPLACED") return "a replacement had been issued for it (see the newer version)";
  if (reason == "SUPERSEDED") return "it had been renewed (see the newer version)";
  return reason;
}

std::string VerdictLine(const JsonView& v) {
  const std::string verdict = v["verdict"].Str();
  const std::string why = v["verdict_reason"].Str();
  if (verdict == "valid") return "VALID";
  std::string head = verdict == "invalid" ? "NOT VALID" : verdict == "not_genuine" ? "NOT GENUINE" : "UNKNOWN ID";
  return head + " - " + Explain(why) + (why.empty() ? "" : " (" + why + ")");
}

void PrintVerification(const JsonView& v) {
  std::cout << "certificate " << v["id"].Str() << "\n"
            << "  verdict:    " << VerdictLine(v) << " at " << v["at"].Str() << "\n";
  if (!v.Has("issuing_tx_id")) return;
  std::cout << "  on chain:   recorded and sealed by its issuer (tx " << v["issuing_tx_id"].Str() << ")\n"
            << "  issuer:     " << v["issuer"]["name"].Str() << " (" << v["issuer"]["code"].Str() << ")\n"
            << "  type:       " << v["type_name"].Str() << " (" << v["type_code"].Str() << ")\n"
            << "  status now: " << v["status"].Str()
            << (v["status_reason"].Str().empty() ? "" : " (" + v["status_reason"].Str() + ")") << "\n"
            << "  validity:   " << v["valid_from"].Str() << " .. " << Day(v["valid_until"]) << "\n";
  std::cout << "  status then: " << v["status_at_time"].Str() << "\n";
  if (v.Has("holder_match")) {
    std::cout << "  holder:     " << (v["holder_match"].Bool() ? "matches the presented holder" : "DOES NOT MATCH")
              << "\n";
  }
  if (v.Has("fields")) {
    std::cout << "  fields:     " << (v["fields_match"].Bool() ? "all presented fields match" : "NOT ALL MATCH")
              << "\n";
    for (const auto& [name, match] : v["fields"].Members()) {
      std::cout << "    " << name << ": " << match.Str() << "\n";
    }
  }
  if (!v["next_id"].Str().empty()) std::cout << "  newer version: " << v["next_id"].Str() << "\n";
}

struct VerifyArgs {
  std::string id, holder_file, at;
  std::vector<std::string> disclose;
};

CmdStatus Verify(const VerifyArgs& a, const CommonOptions& common) {
  std::string id = a.id;
  json::object params;
  if (!a.at.empty()) {
    auto at = ParseTimeMs(a.at);
    if (!at.ok()) return CmdStatus::Usage(at.status());
    params["at"] = *at;
  }
  if (!a.disclose.empty() && a.holder_file.empty()) {
    return CmdStatus::Usage(err::HOLDER_FILE_REQUIRED, "--disclose needs the holder's copy (--holder-file)");
  }
  if (!a.holder_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(contracts::HolderCertificate copy, ReadHolderFile(a.holder_file));
    if (id.empty()) id = copy.id;
    if (id.empty()) {
      return CmdStatus::Usage(err::CERT_ID_REQUIRED, a.holder_file + " has no certificate id; give the ID");
    }
    std::set<std::string> wanted(a.disclose.begin(), a.disclose.end());
    bool all = wanted.empty() || wanted.count("all");
    bool holder = all || wanted.count("holder");
    contracts::HolderCertificate shown = copy;
    shown.fields.clear();
    json::object fields;
    for (const auto& f : copy.fields) {
      if (all || wanted.count(f.name)) {
        shown.fields.push_back(f);
        fields[f.name] = json::object{{"salt", f.salt}, {"value", f.value}};
        wanted.erase(f.name);
      }
    }
    wanted.erase("all");
    wanted.erase("holder");
    if (!wanted.empty()) {
      return CmdStatus::Usage(err::UNKNOWN_FIELD, "the holder's copy has no field \"" + *wanted.begin() + "\"");
    }
    if (holder) {
      // The holder's copy with only the disclosed fields: the node checks those
      // and the holder commitment.
      if (shown.id.empty()) shown.id = id;
      params["holder_certificate"] = rpc::HolderCertificateToJson(shown);
    } else {
      params["fields"] = std::move(fields);
    }
  }
  if (id.empty()) return CmdStatus::Usage(err::CERT_ID_REQUIRED, "give the certificate ID (or --holder-file)");
  params["id"] = id;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("cert_verify", params));
  if (common.json) {
    PrintJson(v);
  } else {
    PrintVerification(JsonView(v));
  }
  return JsonView(v)["verdict"].Str() == "valid" ? CmdStatus::Ok() : CmdStatus::Negative();
}

CmdStatus List(const std::string& holder_file, const std::string& commitment, const CommonOptions& common) {
  std::string hex = commitment;
  if (!holder_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(contracts::HolderCertificate copy, ReadHolderFile(holder_file));
    hex = ToHex(copy.Commitment());
  }
  if (hex.empty()) return CmdStatus::Usage(err::HOLDER_REQUIRED, "give --holder-file or --holder-commitment");
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v,
                         api->Call("cert_listByHolder", json::object{{"holder_commitment", hex}, {"limit", 1000}}));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  for (const JsonView c : JsonView(v)["certificates"].Items()) {
    std::cout << c["id"].Str() << "  " << c["status"].Str() << "  valid " << c["valid_from"].Str() << " .. "
              << Day(c["valid_until"]) << "\n";
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddCertCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* cert = app->add_subcommand("cert", "E-certificates: types, issuance, life cycle, verification");
  cert->require_subcommand(1);

  CLI::App* types = cert->add_subcommand("types", "List the certificate types registered on chain");
  AddNodeOption(types, ctx);
  AddJsonOption(types, ctx);
  OnRun(types, ctx, [ctx] { return Types(ctx->common); });

  CLI::App* type = cert->add_subcommand("type", "Certificate types");
  type->require_subcommand(1);
  auto reg = std::make_shared<RegisterArgs>();
  CLI::App* reg_cmd = type->add_subcommand(
      "register", "Propose a new (or updated) certificate type; it takes effect when more than 2/3 of\n"
                  "the ADMIN departments vote yes (the proposer's vote counts)");
  reg_cmd->add_option("--code", reg->code, "Type code: the defining authority's USCC + 3 digits")->required();
  reg_cmd->add_option("--name", reg->name, "Type name, e.g. 居民身份证")->required();
  reg_cmd->add_option("--issuer", reg->issuers, "An issuing org (USCC); repeatable; default: the proposer");
  reg_cmd->add_option("--holder-type", reg->holder_type, "citizen | enterprise")
      ->check(CLI::IsMember({"citizen", "enterprise"}))
      ->capture_default_str();
  reg_cmd->add_option("--field", reg->fields, "A required field: name[:label]; repeatable")->required();
  reg_cmd->add_option("--optional-field", reg->optional_fields, "An optional field: name[:label]; repeatable");
  reg_cmd->add_option("--validity-days", reg->validity_days, "Default validity in days (0 = no expiry)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{36600}));
  reg_cmd->add_option("--title", reg->title, "Proposal title");
  AddSignerOptions(reg_cmd, ctx);
  OnRun(reg_cmd, ctx, [reg, ctx] { return RegisterType(*reg, ctx->common); });

  auto issue = std::make_shared<IssueArgs>();
  CLI::App* issue_cmd = cert->add_subcommand(
      "issue", "Issue a certificate; writes the holder's copy (values and salts, mode 0600) to --out");
  issue_cmd->add_option("--type", issue->type, "Certificate type code")->required();
  issue_cmd->add_option("--holder-type", issue->holder_type, "citizen | enterprise")
      ->required()
      ->check(CLI::IsMember({"citizen", "enterprise"}));
  issue_cmd
      ->add_option("--holder-id-file", issue->holder_id_file,
                   "File holding the holder's citizen identity number or USCC (- = stdin)")
      ->required();
  issue_cmd->add_option("--fields-file", issue->fields_file, "File of name=value lines, one per field (- = stdin)")
      ->required();
  RefuseSecretOption(issue_cmd, "--holder", "--holder-id-file FILE");
  RefuseSecretOption(issue_cmd, "--field", "--fields-file FILE");
  issue_cmd->add_option("--out", issue->out, "The holder's copy to write")->required();
  issue_cmd->add_option("--serial", issue->serial,
                        "Serial (1-20 of 0-9 A-Z); default: the chain's next running number");
  issue_cmd->add_option("--valid-from", issue->valid_from, "Start of validity (date or RFC 3339); default: now");
  issue_cmd->add_option("--valid-until", issue->valid_until, "End of validity; default: the type's default");
  issue_cmd->add_flag("--force", issue->force, "Replace an existing --out file");
  AddSignerOptions(issue_cmd, ctx);
  OnRun(issue_cmd, ctx, [issue, ctx] { return Issue(*issue, ctx->common); });

  for (bool replace : {false, true}) {
    auto nv = std::make_shared<NewVersionArgs>();
    nv->replace = replace;
    CLI::App* cmd = cert->add_subcommand(
        replace ? "replace" : "renew",
        replace ? "Issue a replacement version (lost, damaged); the old version is revoked as \"replaced\""
                : "Issue the next version of an active certificate; the old version is superseded");
    cmd->add_option("ID", nv->id, "The certificate to " + std::string(replace ? "replace" : "renew"))->required();
    if (replace) cmd->add_option("--reason", nv->reason, "Why, e.g. lost, damaged")->required();
    cmd->add_option("--holder-file", nv->holder_file, "The holder's current copy (needed to change fields)");
    cmd->add_option("--fields-file", nv->fields_file, "File of name=value lines, one per changed field (- = stdin)");
    RefuseSecretOption(cmd, "--field", "--fields-file FILE");
    cmd->add_option("--out", nv->out, "Where to write the holder's new copy (default: over --holder-file)");
    cmd->add_option("--valid-from", nv->valid_from, "Start of the new validity; default: now");
    cmd->add_option("--valid-until", nv->valid_until, "End of the new validity; default: the type's default");
    AddSignerOptions(cmd, ctx);
    OnRun(cmd, ctx, [nv, ctx] { return NewVersion(*nv, ctx->common); });
  }

  struct StatusCmd {
    const char* name;
    const char* help;
    StatusAction action;
  };
  for (const StatusCmd& s : {StatusCmd{"suspend", "Suspend an active certificate", StatusAction::kSuspend},
                             StatusCmd{"reinstate", "Reinstate a suspended certificate", StatusAction::kReinstate},
                             StatusCmd{"revoke", "Revoke a certificate for good (注销)", StatusAction::kRevoke}}) {
    auto id = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    CLI::App* cmd = cert->add_subcommand(s.name, s.help);
    cmd->add_option("ID", *id, "The certificate id")->required();
    cmd->add_option("--reason", *reason, "Why (kept in the certificate's history)")->required();
    AddSignerOptions(cmd, ctx);
    StatusAction action = s.action;
    OnRun(cmd, ctx, [action, id, reason, ctx] { return ChangeStatus(action, *id, *reason, ctx->common); });
  }

  auto show_id = std::make_shared<std::string>();
  CLI::App* show = cert->add_subcommand("show", "Show a certificate's on-chain record and history");
  show->add_option("ID", *show_id, "The certificate id")->required();
  AddNodeOption(show, ctx);
  AddJsonOption(show, ctx);
  OnRun(show, ctx, [show_id, ctx] { return Show(*show_id, ctx->common); });

  auto verify = std::make_shared<VerifyArgs>();
  CLI::App* verify_cmd = cert->add_subcommand(
      "verify", "Verify a certificate: genuine? which issuer? status, valid at a time, and whether the\n"
                "fields the holder discloses match. Exits 0 only when the verdict is valid, 3 when it\n"
                "is not (invalid, not genuine, unknown id)");
  verify_cmd->add_option("ID", verify->id, "The certificate id (default: the id in --holder-file)");
  verify_cmd->add_option("--holder-file", verify->holder_file, "The holder's copy, to check fields against");
  verify_cmd->add_option("--disclose", verify->disclose,
                         "Fields to disclose from the holder's copy (comma-separated; 'holder' = the holder "
                         "code; default: all)")
      ->delimiter(',');
  verify_cmd->add_option("--at", verify->at, "Verify at this time (date, RFC 3339 or ms); default: now");
  AddNodeOption(verify_cmd, ctx);
  AddJsonOption(verify_cmd, ctx);
  OnRun(verify_cmd, ctx, [verify, ctx] { return Verify(*verify, ctx->common); });

  auto list_file = std::make_shared<std::string>();
  auto list_commitment = std::make_shared<std::string>();
  CLI::App* list = cert->add_subcommand("list", "List the certificates of one holder");
  list->add_option("--holder-file", *list_file, "A holder's copy (its holder commitment is used)");
  list->add_option("--holder-commitment", *list_commitment, "A holder commitment (hex)");
  AddNodeOption(list, ctx);
  AddJsonOption(list, ctx);
  OnRun(list, ctx, [list_file, list_commitment, ctx] { return List(*list_file, *list_commitment, ctx->common); });
}

}  // namespace civic::tools
