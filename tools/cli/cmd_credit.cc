// civic credit categories | category register | measure register | measure remove |
//              list | delist | repair apply | repair decide | object file |
//              object decide | commit record | commit break | report | check |
//              published | get | import | sample
#include <algorithm>
#include <iostream>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/credit/calls.h"
#include "contracts/credit/query.h"
#include "contracts/credit/rules.h"
#include "contracts/credit/subjects.h"
#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "ledger/tx.h"
#include "tools/cli/commands.h"
#include "tools/cli/sample_network_access.h"
#include "tools/common/errors.h"
#include "tools/import/credit_import.h"
#include "tools/import/credit_key.h"
#include "tools/common/files.h"
#include "tools/common/json_view.h"
#include "tools/common/secret_input.h"
#include "tools/net/net.h"
#include "tools/common/timefmt.h"
#include "tools/samples/credit_sample.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

// Argument problems are usage errors; a file that cannot be read is a runtime one.
CmdStatus ArgError(const Status& st) {
  return st.code() == Code::kInvalidArgument ? CmdStatus::Usage(st) : CmdStatus(st);
}

#define CIVIC_ARG_OR_RETURN(lhs, expr)                      \
  auto CIVIC_CONCAT(_arg_, __LINE__) = (expr);              \
  if (!CIVIC_CONCAT(_arg_, __LINE__).ok()) return ArgError(CIVIC_CONCAT(_arg_, __LINE__).status()); \
  lhs = std::move(CIVIC_CONCAT(_arg_, __LINE__)).value()

Result<int64_t> OptionalTime(const std::string& text, DateEdge edge) {
  if (text.empty()) return int64_t{0};
  return ParseTimeMs(text, edge);
}

// --key-file (the department's credit key, for --person-id-file), and the replaced --salt-file, refused when given.
void AddCreditKeyOptions(CLI::App* cmd, SubjectArgs* s) {
  cmd->add_option("--key-file", s->key_file,
                  "The department's credit key file (civic credit keygen), for --person-id-file");
  cmd->add_option("--salt-file", s->salt_file, "Replaced by --key-file")->group("");
}

// A person's identity number is read from a file or stdin, never taken as an
// argument (the process list and shell history would keep it).
void AddPersonFileOptions(CLI::App* cmd, SubjectArgs* s) {
  cmd->add_option("--person-id-file", s->person_id_file,
                  "A person subject: file holding the citizen identity number (- = stdin; only its keyed "
                  "commitment is sent)");
  RefuseSecretOption(cmd, "--person-id", "--person-id-file FILE");
}

// Reads --person-id-file and --person-name-file into `s`.
Status LoadPersonFiles(SubjectArgs* s) {
  CIVIC_RETURN_IF_ERROR(
      AtMostOneStdin({{"--person-id-file", s->person_id_file}, {"--person-name-file", s->person_name_file}}));
  if (!s->person_id_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(s->person_id, ReadSecretValue(s->person_id_file, "citizen identity number"));
  }
  if (!s->person_name_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(s->person_name, ReadSecretValue(s->person_name_file, "person's name"));
  }
  return Status::Ok();
}

void AddSubjectOptions(CLI::App* cmd, SubjectArgs* s) {
  cmd->add_option("--uscc", s->uscc, "An enterprise subject: its unified social credit code");
  cmd->add_option("--name", s->name, "The enterprise's registered name (optional)");
  AddPersonFileOptions(cmd, s);
  cmd->add_option("--person-name-file", s->person_name_file,
                  "File holding the person's full name (- = stdin; only the masked name is sent)");
  RefuseSecretOption(cmd, "--person-name", "--person-name-file FILE");
  AddCreditKeyOptions(cmd, s);
  cmd->add_option("--commitment", s->commitment, "A person subject by commitment (64 hex)");
  cmd->add_option("--masked-name", s->masked_name, "The masked name that goes with --commitment, e.g. 张*");
}

// Signs and sends a credit call; returns the outcome when it waited.
Result<std::optional<TxOutcome>> SendCredit(NodeApi& api, const CommonOptions& common, const Signer& signer,
                                            const pb::CreditCall& call, bool force_wait, std::string* tx_id) {
  return SendTx(api, common, signer, [&](const contracts::TxParams& p) { return contracts::CreditTx(p, call, signer.key); },
              force_wait, tx_id);
}

// A governance proposal whose action is `action`; prints the proposal to vote on.
CmdStatus Propose(const pb::CreditCall& action, const std::string& title, const std::string& what,
                  const CommonOptions& common) {
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(
      auto outcome, SendTx(*api, common, *signer,
                         [&](const contracts::TxParams& p) {
                           return contracts::GovernanceTx(p, contracts::ProposeCreditCall(title, action), signer->key);
                         },
                         /*force_wait=*/true, &tx_id));
  ReportProposal(*api, common, "proposal to " + what, tx_id, outcome);
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// Printing

std::string Date(const JsonView& v) {
  std::string s = v.Str();
  return s.size() >= 10 ? s.substr(0, 10) : (s.empty() ? "-" : s);
}

std::string SubjectLine(const JsonView& s) {
  if (s["type"].Str() == "person") return "person " + s["masked_name"].Str() + " (" + s["commitment"].Str() + ")";
  std::string name = s["name"].Str();
  return s["uscc"].Str() + (name.empty() ? "" : " " + name);
}

void PrintEntry(const JsonView& e) {
  std::cout << "entry " << e["id"].U64() << "  " << e["list"].Str() << " list  " << e["category"].Str() << " "
            << e["category_name"].Str() << "  " << e["state"].Str() << "\n"
            << "  subject:     " << SubjectLine(e["subject"]) << "\n"
            << "  decided by:  " << e["deciding_org"].Str() << "; listed " << Date(e["listed_at"]) << "\n";
  if (e["published"].Bool()) {
    std::cout << "  reason:      " << e["reason"].Str() << "\n"
              << "  legal basis: " << e["legal_basis"].Str() << "\n"
              << "  decision:    " << e["decision_doc_no"].Str() << " of " << Date(e["decided_at"]) << "\n"
              << "  published:   until " << Date(e["publicity_end"])
              << (e["repairable"].Bool() ? "; credit repair possible from " + Date(e["earliest_repair"])
                                         : "; not repairable")
              << "\n";
  } else {
    std::cout << "  publication ended " << Date(e["ended_at"]) << "\n";
  }
}

void PrintMeasures(const JsonView& measures) {
  for (const JsonView m : measures.Items()) {
    std::cout << "  " << m["org"].Str() << " for " << m["matter"].Str() << ": " << m["description"].Str() << " ("
              << m["category"].Str() << "/" << m["code"].Str() << ", entries";
    for (const JsonView id : m["entries"].Items()) std::cout << " " << id.U64();
    std::cout << ")\n";
  }
}

void PrintReport(const JsonView& r) {
  std::string list = r["current_list"].Str();
  std::cout << "credit report of " << SubjectLine(r["subject"]) << " at " << r["at"].Str() << "\n"
            << "  now: "
            << (list == "black" ? "ON THE BLACK LIST" : list == "red" ? "on the red list" : "on neither list")
            << "\n";
  std::cout << "entries (" << r["entries_total"].U64() << "):\n";
  for (const JsonView e : r["entries"].Items()) PrintEntry(e);
  auto repairs = r["repairs"].Items();
  if (!repairs.empty()) {
    std::cout << "credit repairs:\n";
    for (const JsonView a : repairs) {
      std::cout << "  entry " << a["entry"].U64() << ": " << a["state"].Str() << " " << Date(a["decided_at"])
                << " (filed " << Date(a["filed_at"]) << ")\n";
    }
  }
  auto measures = r["measures"].Items();
  std::cout << (measures.empty() ? "no joint measures apply now\n" : "joint measures that apply now:\n");
  PrintMeasures(r["measures"]);
  auto commitments = r["commitments"].Items();
  if (!commitments.empty()) {
    std::cout << "credit commitments:\n";
    for (const JsonView c : commitments) {
      std::cout << "  " << c["id"].U64() << "  " << c["matter"].Str() << " to " << c["recorded_by"].Str() << " on "
                << Date(c["made_at"]) << ": " << c["state"].Str() << (c["summary"].Str().empty() ? "" : " - ")
                << c["summary"].Str() << "\n";
    }
  }
}

// ---------------------------------------------------------------------------
// categories, category register, measure register/remove

CmdStatus Categories(const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("credit_categories", json::object()));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  for (const JsonView c : JsonView(v)["categories"].Items()) {
    std::cout << c["code"].Str() << "  " << c["name"].Str() << "  (" << c["list"].Str() << " list, "
              << c["severity"].Str() << ", published " << c["min_publicity_days"].I64() << ".."
              << c["max_publicity_days"].I64() << " days, "
              << (c["repairable"].Bool() ? "repairable" : "not repairable") << (c["retired"].Bool() ? ", RETIRED" : "")
              << ")\n    deciding orgs:";
    for (const JsonView o : c["deciding_orgs"].Items()) std::cout << " " << o.Str();
    std::cout << "\n";
    for (const JsonView m : c["measures"].Items()) {
      std::cout << "    measure " << m["code"].Str() << ": " << m["org"].Str() << " for " << m["matter"].Str() << ": "
                << m["description"].Str() << "\n";
    }
  }
  return CmdStatus::Ok();
}

struct CategoryArgs {
  std::string code, name, list, severity = "general", title;
  std::vector<std::string> deciders;
  int64_t min_days = 0, max_days = 0;
  bool repairable = false, retired = false;
};

CmdStatus RegisterCategory(const CategoryArgs& a, const CommonOptions& common) {
  pb::CreditCategory c;
  c.set_code(a.code);
  c.set_name(a.name);
  CIVIC_ARG_OR_RETURN(pb::CreditList list, contracts::ParseCreditList(a.list));
  CIVIC_ARG_OR_RETURN(pb::CreditSeverity severity, contracts::ParseCreditSeverity(a.severity));
  c.set_list(list);
  c.set_severity(severity);
  for (const auto& d : a.deciders) c.add_deciding_orgs(d);
  c.set_min_publicity_ms(a.min_days * 86'400'000);
  c.set_max_publicity_ms(a.max_days * 86'400'000);
  c.set_repairable(a.repairable);
  c.set_retired(a.retired);
  CIVIC_USAGE_IF_ERROR(contracts::ValidateCreditCategory(c));
  std::string title = a.title.empty() ? "Register credit category " + a.code + " " + a.name : a.title;
  return Propose(contracts::RegisterCreditCall({c}), title, "register credit category " + a.code, common);
}

struct MeasureArgs {
  std::string category, code, org, matter, description, title;
};

CmdStatus RegisterMeasure(const MeasureArgs& a, const CommonOptions& common) {
  pb::CreditMeasure m;
  m.set_category(a.category);
  m.set_code(a.code);
  m.set_org(a.org);
  m.set_matter(a.matter);
  m.set_description(a.description);
  CIVIC_USAGE_IF_ERROR(contracts::ValidateCreditMeasure(m));
  std::string title = a.title.empty() ? "Register joint measure " + a.category + "/" + a.code : a.title;
  return Propose(contracts::RegisterCreditCall({}, {m}), title, "register measure " + a.category + "/" + a.code,
                 common);
}

CmdStatus RemoveMeasure(const MeasureArgs& a, const CommonOptions& common) {
  if (!contracts::IsCreditToken(a.category) || !contracts::IsCreditToken(a.code)) {
    return CmdStatus::Usage(err::BAD_MEASURE, "--category and --code must match [A-Za-z0-9_.-]{1,64}");
  }
  pb::CreditMeasureRef ref;
  ref.set_category(a.category);
  ref.set_code(a.code);
  std::string title = a.title.empty() ? "Remove joint measure " + a.category + "/" + a.code : a.title;
  return Propose(contracts::RegisterCreditCall({}, {}, {ref}), title, "remove measure " + a.category + "/" + a.code,
                 common);
}

// ---------------------------------------------------------------------------
// list, delist

struct ListArgs {
  SubjectArgs subject;
  std::string category, list, reason, legal_basis, doc_no, doc_file, doc_digest, decided_at, publicity_end;
  uint64_t basis_commitment = 0;
};

CmdStatus List(const ListArgs& a, const CommonOptions& common) {
  CIVIC_ARG_OR_RETURN(pb::CreditSubject subject, SubjectFromArgs(a.subject));
  pb::CreditListing l;
  *l.mutable_subject() = subject;
  l.set_category(a.category);
  if (!a.list.empty()) {
    CIVIC_ARG_OR_RETURN(pb::CreditList list, contracts::ParseCreditList(a.list));
    l.set_list(list);
  }
  l.set_reason(a.reason);
  l.set_legal_basis(a.legal_basis);
  l.set_decision_doc_no(a.doc_no);
  CIVIC_ARG_OR_RETURN(Bytes digest, DigestArg(a.doc_digest, a.doc_file, "decision document"));
  l.set_decision_doc_digest(digest);
  CIVIC_ARG_OR_RETURN(int64_t decided, OptionalTime(a.decided_at, DateEdge::kStartOfDay));
  CIVIC_ARG_OR_RETURN(int64_t end, OptionalTime(a.publicity_end, DateEdge::kEndOfDay));
  l.set_decided_at_ms(decided);
  l.set_publicity_end_ms(end);
  l.set_basis_commitment_id(a.basis_commitment);
  CIVIC_USAGE_IF_ERROR(contracts::CheckNameNotInListing(l, a.subject.person_name));
  for (const auto& [what, text] : {std::pair<const char*, const std::string*>{"--reason", &l.reason()},
                                   {"--legal-basis", &l.legal_basis()}, {"--doc-no", &l.decision_doc_no()}}) {
    CIVIC_USAGE_IF_ERROR(contracts::CheckNoIdNumber(what, *text));
  }
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendCredit(*api, common, *signer, contracts::ListCreditCall({l}),
                                                  /*force_wait=*/true, &tx_id));
  CIVIC_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, EntriesOfTx(*api, {subject}, tx_id));
  json::object extra{{"subject", SubjectText(subject)}, {"category", a.category}};
  if (!ids.empty()) extra["entry"] = ids.front();
  PrintTxOutcome(common, ids.empty() ? "listed" : "listed as entry " + std::to_string(ids.front()), tx_id, outcome,
                 extra);
  return CmdStatus::Ok();
}

CmdStatus SendEntryCall(const pb::CreditCall& call, const std::string& what, uint64_t entry,
                        const CommonOptions& common) {
  if (entry == 0) return CmdStatus::Usage(err::BAD_ENTRY, "an entry id is 1 or more");
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome, SendCredit(*api, common, *signer, call, false, &tx_id));
  PrintTxOutcome(common, what, tx_id, outcome, json::object{{"entry", entry}});
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// commitments

struct CommitArgs {
  SubjectArgs subject;
  std::string matter, content_file, content_digest, summary, valid_until;
};

CmdStatus RecordCommitment(const CommitArgs& a, const CommonOptions& common) {
  CIVIC_ARG_OR_RETURN(pb::CreditSubject subject, SubjectFromArgs(a.subject));
  if (!contracts::IsCreditToken(a.matter)) {
    return CmdStatus::Usage(err::BAD_MATTER, "--matter must match [A-Za-z0-9_.-]{1,64}, e.g. administrative_licensing");
  }
  CIVIC_ARG_OR_RETURN(Bytes digest, DigestArg(a.content_digest, a.content_file, "commitment letter"));
  CIVIC_ARG_OR_RETURN(int64_t until, OptionalTime(a.valid_until, DateEdge::kEndOfDay));
  CIVIC_USAGE_IF_ERROR(contracts::CheckNoIdNumber("--summary", a.summary));
  if (!a.subject.person_name.empty() && a.summary.find(a.subject.person_name) != std::string::npos) {
    return CmdStatus::Usage(err::NAME_IN_TEXT, "--summary is published and must not name the person");
  }
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome,
                         SendCredit(*api, common, *signer, contracts::CommitCall(subject, a.matter, digest, a.summary, until),
                                    /*force_wait=*/true, &tx_id));
  json::object extra{{"subject", SubjectText(subject)}, {"matter", a.matter}};
  CIVIC_ASSIGN_OR_RETURN(json::value report,
                         api->Call("credit_report", json::object{{"subject", SubjectText(subject)}}));
  for (const JsonView c : JsonView(report)["commitments"].Items()) {
    if (c["recorded_tx_id"].Str() == tx_id) extra["commitment"] = c["id"].U64();
  }
  std::string what = extra.contains("commitment")
                         ? "credit commitment " + std::to_string(extra["commitment"].as_uint64()) + " recorded"
                         : "credit commitment recorded";
  PrintTxOutcome(common, what, tx_id, outcome, extra);
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// report, check, published, get

Result<std::string> SubjectParam(const std::string& positional, const SubjectArgs& args) {
  CIVIC_RETURN_IF_ERROR(RefuseSaltFile(args.salt_file));
  bool named = !args.uscc.empty() || !args.person_id.empty() || !args.commitment.empty();
  if (!positional.empty() && named) {
    return Status::InvalidArgument(err::BAD_SUBJECT, "give the subject either as SUBJECT or with options, not both");
  }
  if (!positional.empty()) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject s, contracts::ParseCreditSubject(positional));
    return SubjectText(s);
  }
  if (!args.commitment.empty()) {
    auto raw = FromHex(args.commitment);
    if (!raw || raw->size() != 32) return Status::InvalidArgument(err::BAD_COMMITMENT, "--commitment is 64 hex characters");
    return ToHex(*raw);
  }
  if (!args.person_id.empty()) {
    // A query needs only the commitment: the name is not asked for. The
    // caller's key makes the commitment its own department lists the person
    // under; other departments' entries are found by the commitment they hand out.
    if (args.key_file.empty()) {
      return Status::InvalidArgument(err::CREDIT_KEY_REQUIRED,
                                     "--person-id-file needs your department's credit key (--key-file)");
    }
    CIVIC_RETURN_IF_ERROR(contracts::ValidateCitizenId(args.person_id));
    CIVIC_ASSIGN_OR_RETURN(Bytes key, ReadCreditKeyFile(args.key_file));
    return ToHex(contracts::PersonCommitment(key, args.person_id));
  }
  return Status::InvalidArgument(err::SUBJECT_REQUIRED, "give SUBJECT (a USCC or a commitment) or --person-id-file");
}

CmdStatus Report(const std::string& positional, const SubjectArgs& args, const CommonOptions& common) {
  CIVIC_ARG_OR_RETURN(std::string subject, SubjectParam(positional, args));
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("credit_report", json::object{{"subject", subject}}));
  if (common.json) {
    PrintJson(v);
  } else {
    PrintReport(JsonView(v));
  }
  return CmdStatus::Ok();
}

CmdStatus Check(const std::string& positional, const SubjectArgs& args, const std::string& matter,
                const CommonOptions& common) {
  CIVIC_ARG_OR_RETURN(std::string subject, SubjectParam(positional, args));
  if (!matter.empty() && !contracts::IsCreditToken(matter)) {
    return CmdStatus::Usage(err::BAD_MATTER, "--matter must match [A-Za-z0-9_.-]{1,64}");
  }
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  json::object params{{"subject", subject}};
  if (!matter.empty()) params["matter"] = matter;
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("credit_check", params));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  JsonView c(v);
  std::cout << SubjectLine(c["subject"]) << (matter.empty() ? "" : " for " + matter) << ": "
            << (c["applies"].Bool() ? "joint measures apply" : "no joint measure applies") << "\n";
  PrintMeasures(c["measures"]);
  return CmdStatus::Ok();
}

CmdStatus Published(const std::string& list, const std::string& category, const std::string& cursor, int64_t limit,
                    const CommonOptions& common) {
  CIVIC_ARG_OR_RETURN(pb::CreditList parsed, contracts::ParseCreditList(list));
  (void)parsed;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  json::object params{{"list", list}, {"limit", limit}};
  if (!category.empty()) params["category"] = category;
  if (!cursor.empty()) params["cursor"] = cursor;
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("credit_list", params));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  JsonView page(v);
  for (const JsonView e : page["entries"].Items()) {
    std::cout << e["id"].U64() << "  " << e["category"].Str() << "  " << SubjectLine(e["subject"]) << "  until "
              << Date(e["publicity_end"]) << "  (" << e["deciding_org"].Str() << ")\n";
  }
  if (!page["next_cursor"].Str().empty()) {
    std::cout << "more: civic credit published --list " << list << " --cursor " << page["next_cursor"].Str() << "\n";
  }
  return CmdStatus::Ok();
}

CmdStatus Get(uint64_t entry, const CommonOptions& common) {
  if (entry == 0) return CmdStatus::Usage(err::BAD_ENTRY, "an entry id is 1 or more");
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("credit_get", json::object{{"entry", entry}}));
  if (common.json) {
    PrintJson(v);
  } else {
    PrintEntry(JsonView(v));
  }
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// import

struct ImportArgs {
  std::string path, format, key_file, salt_file, rejected_out;
  CreditImportOptions options;
  size_t show_rejected = 20;
};

CmdStatus Import(const ImportArgs& a, const CommonOptions& common) {
  CreditImportFormat format = CreditImportFormat::kCsv;
  if (a.format.empty()) {
    CIVIC_ARG_OR_RETURN(format, CreditImportFormatOf(a.path));
  } else if (a.format == "jsonl") {
    format = CreditImportFormat::kJsonl;
  } else if (a.format != "csv") {
    return CmdStatus::Usage(err::IMPORT_UNKNOWN_FORMAT, "--format must be csv or jsonl");
  }
  CreditImportSchema schema;
  CIVIC_USAGE_IF_ERROR(RefuseSaltFile(a.salt_file));
  if (!a.key_file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(schema.person_key, ReadCreditKeyFile(a.key_file));
  }
  CreditImportOptions options = a.options;
  options.valid_blocks = common.valid_blocks;
  options.commit_timeout_ms = common.commit_timeout_ms;
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(schema.categories, FetchCreditCategories(*api));
  CIVIC_ASSIGN_OR_RETURN(CreditImportFile file, ReadCreditImportFile(a.path, format, schema));
  CIVIC_ASSIGN_OR_RETURN(CreditImportSummary s, ImportCreditRows(*api, signer->key, signer->org, file, options));

  std::string rejected_path = a.rejected_out.empty() ? a.path + ".rejected.csv" : a.rejected_out;
  if (!s.rejected.empty()) {
    // The rows may hold identity numbers and names: readable by the owner only.
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(rejected_path, CreditRejectedCsv(file.header, s.rejected), 0600));
  }
  if (common.json) {
    json::array rejected;
    for (const auto& r : s.rejected) {
      rejected.push_back(json::object{{"line", r.line}, {"app_code", r.reason.app_code()}, {"message", r.reason.message()}});
    }
    json::object by_code;
    for (const auto& [code, n] : s.rejected_by_code) by_code[code] = n;
    json::array ids;
    for (uint64_t id : s.entry_ids) ids.emplace_back(id);
    PrintJson(json::object{{"rows", s.rows},
                           {"listed", s.listed},
                           {"rejected_rows", s.rejected.size()},
                           {"txs", s.txs},
                           {"entries", std::move(ids)},
                           {"rejected_by_code", std::move(by_code)},
                           {"rejected", std::move(rejected)},
                           {"rejected_file", s.rejected.empty() ? json::value(nullptr) : json::value(rejected_path)}});
    return CmdStatus::Ok();
  }
  std::cout << "credit import of " << a.path << " (deciding org " << signer->org << ")\n"
            << "  rows:     " << s.rows << " read, " << s.listed << " listed, " << s.rejected.size() << " rejected\n"
            << "  txs:      " << s.txs << " (batches of up to " << options.batch_size << ")\n";
  if (!s.entry_ids.empty()) {
    std::cout << "  entries:  " << s.entry_ids.front() << " .. " << s.entry_ids.back() << "\n";
  }
  if (!s.rejected.empty()) {
    std::cout << "  rejected by reason:";
    for (const auto& [code, n] : s.rejected_by_code) std::cout << " " << code << " " << n;
    std::cout << "\n  rejected rows (line: reason):\n";
    for (size_t i = 0; i < s.rejected.size() && i < a.show_rejected; ++i) {
      std::cout << "    line " << s.rejected[i].line << ": " << s.rejected[i].reason.ToString() << "\n";
    }
    if (s.rejected.size() > a.show_rejected) {
      std::cout << "    ... and " << (s.rejected.size() - a.show_rejected) << " more\n";
    }
    std::cout << "  rejected rows file: " << rejected_path << " (mode 0600)\n";
  }
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// sample

CmdStatus Sample(const std::string& net_dir, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(SampleNetworkAccess net, OpenSampleNetwork(net_dir, common));
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(net.options));
  CIVIC_ASSIGN_OR_RETURN(CreditSampleSummary s, CommitCreditSample(*api, net.org_keys, common.commit_timeout_ms));
  std::vector<std::string> uscc = samples::SampleCreditEnterprises();
  if (common.json) {
    json::array enterprises;
    for (const auto& u : uscc) enterprises.emplace_back(u);
    PrintJson(json::object{{"txs", s.txs}, {"proposal_id", s.proposal_id}, {"enterprises", std::move(enterprises)}});
    return CmdStatus::Ok();
  }
  std::cout << "sample credit data committed (" << s.txs << " txs; categories and measures by proposal "
            << s.proposal_id << ")\n"
            << "  " << uscc[0] << "  black list, FOOD_DRUG (entry 1; rests on broken commitment 1)\n"
            << "  " << uscc[3] << "  red list, MARKET (entry 2)\n"
            << "  " << uscc[1] << "  black list, LABOUR, repaired (entry 3)\n"
            << "  a person (王**)      black list, LABOUR (entry 4)\n"
            << "  " << uscc[2] << "  black list, TAX, expired (entry 5)\n"
            << "try: civic credit report " << uscc[0] << "\n";
  return CmdStatus::Ok();
}

CmdStatus CreditKeygen(const std::string& out, const CommonOptions& common) {
  CIVIC_RETURN_IF_ERROR(NewCreditKeyFile(out).status());
  if (common.json) {
    PrintJson(json::object{{"key_file", out}});
  } else {
    std::cout << "wrote " << out << " (mode 0600): keep it with the department's signing key and back it up;\n"
              << "without it the department cannot find or list its persons under the same commitments\n";
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddCreditCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* credit = app->add_subcommand(
      "credit", "Credit red/black lists: categories, listing, repair, objections, commitments, reports");
  credit->require_subcommand(1);

  auto key_out = std::make_shared<std::string>();
  CLI::App* keygen = credit->add_subcommand(
      "keygen", "Create the department's credit key (keys its persons' commitments) in a new file, mode 0600");
  keygen->add_option("--out", *key_out, "The new key file (never overwritten)")->required();
  AddJsonOption(keygen, ctx);
  OnRun(keygen, ctx, [key_out, ctx] { return CreditKeygen(*key_out, ctx->common); });

  CLI::App* categories = credit->add_subcommand("categories", "List the credit categories and their joint measures");
  AddNodeOption(categories, ctx);
  AddJsonOption(categories, ctx);
  OnRun(categories, ctx, [ctx] { return Categories(ctx->common); });

  CLI::App* category = credit->add_subcommand("category", "Credit categories");
  category->require_subcommand(1);
  auto cat = std::make_shared<CategoryArgs>();
  CLI::App* cat_cmd = category->add_subcommand(
      "register", "Propose a new (or updated) credit category; it takes effect when more than 2/3 of the\n"
                  "ADMIN departments vote yes (the proposer's vote counts)");
  cat_cmd->add_option("--code", cat->code, "Category code [A-Za-z0-9_.-]{1,64}, e.g. FOOD_DRUG")->required();
  cat_cmd->add_option("--name", cat->name, "Category name, e.g. 食品药品安全严重失信主体")->required();
  cat_cmd->add_option("--list", cat->list, "red | black")->required()->check(CLI::IsMember({"red", "black"}));
  cat_cmd->add_option("--decider", cat->deciders, "A deciding org (USCC); repeatable")->required();
  cat_cmd->add_option("--severity", cat->severity, "minor | general | serious")
      ->check(CLI::IsMember({"minor", "general", "serious"}))
      ->capture_default_str();
  cat_cmd->add_option("--min-days", cat->min_days, "Minimum publicity period in days (no repair before)")
      ->check(CLI::Range(int64_t{0}, int64_t{36600}));
  cat_cmd->add_option("--max-days", cat->max_days, "Maximum publicity period in days")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{36600}));
  cat_cmd->add_flag("--repairable", cat->repairable, "Listings may be repaired (信用修复)");
  cat_cmd->add_flag("--retired", cat->retired, "No new listings in this category");
  cat_cmd->add_option("--title", cat->title, "Proposal title");
  AddSignerOptions(cat_cmd, ctx);
  OnRun(cat_cmd, ctx, [cat, ctx] { return RegisterCategory(*cat, ctx->common); });

  CLI::App* measure = credit->add_subcommand("measure", "Joint measures (联合奖惩) per category");
  measure->require_subcommand(1);
  for (bool remove : {false, true}) {
    auto m = std::make_shared<MeasureArgs>();
    CLI::App* cmd = measure->add_subcommand(
        remove ? "remove" : "register",
        remove ? "Propose removing a joint measure" : "Propose a joint measure: which org applies what, for which matter");
    cmd->add_option("--category", m->category, "The category it applies to")->required();
    cmd->add_option("--code", m->code, "Measure code, unique in the category")->required();
    if (!remove) {
      cmd->add_option("--applying-org", m->org, "The org that applies it (USCC)")->required();
      cmd->add_option("--matter", m->matter, "The kind of matter, e.g. government_procurement")->required();
      cmd->add_option("--description", m->description, "What it does, e.g. 限制参加政府采购活动")->required();
    }
    cmd->add_option("--title", m->title, "Proposal title");
    AddSignerOptions(cmd, ctx);
    OnRun(cmd, ctx, [m, remove, ctx] { return remove ? RemoveMeasure(*m, ctx->common) : RegisterMeasure(*m, ctx->common); });
  }

  auto list = std::make_shared<ListArgs>();
  CLI::App* list_cmd = credit->add_subcommand("list", "Put a subject on the red or black list (the deciding org signs)");
  AddSubjectOptions(list_cmd, &list->subject);
  list_cmd->add_option("--category", list->category, "Credit category code")->required();
  list_cmd->add_option("--list", list->list, "red | black (checked against the category)")
      ->check(CLI::IsMember({"red", "black"}));
  list_cmd->add_option("--reason", list->reason, "The facts (published; no personal data)")->required();
  list_cmd->add_option("--legal-basis", list->legal_basis, "The legal basis (published)")->required();
  list_cmd->add_option("--doc-no", list->doc_no, "Decision document number, e.g. 绵市监罚〔2025〕12号")->required();
  list_cmd->add_option("--doc-file", list->doc_file, "The decision document (its SHA-256 goes on chain)");
  list_cmd->add_option("--doc-digest", list->doc_digest, "Or the document's SHA-256 (64 hex)");
  list_cmd->add_option("--decided-at", list->decided_at, "Date of the decision; default: now");
  list_cmd->add_option("--publicity-end", list->publicity_end, "End of publicity; default: the category's maximum");
  list_cmd->add_option("--basis-commitment", list->basis_commitment, "A broken credit commitment the listing rests on");
  AddSignerOptions(list_cmd, ctx);
  OnRun(list_cmd, ctx, [list, ctx]() -> CmdStatus {
    CIVIC_USAGE_IF_ERROR(LoadPersonFiles(&list->subject));
    return List(*list, ctx->common);
  });

  {
    auto entry = std::make_shared<uint64_t>(0);
    auto reason = std::make_shared<std::string>();
    CLI::App* cmd = credit->add_subcommand("delist", "Withdraw an entry (the deciding org; e.g. the decision was revoked)");
    cmd->add_option("ENTRY", *entry, "The entry id")->required();
    cmd->add_option("--reason", *reason, "Why (kept in the entry's history)")->required();
    AddSignerOptions(cmd, ctx);
    OnRun(cmd, ctx, [entry, reason, ctx] {
      return SendEntryCall(contracts::DelistCall(*entry, *reason), "entry " + std::to_string(*entry) + " withdrawn",
                           *entry, ctx->common);
    });
  }

  for (bool repair : {true, false}) {
    CLI::App* group = credit->add_subcommand(repair ? "repair" : "object",
                                             repair ? "Credit repair (信用修复): apply, decide"
                                                    : "Objections (异议): file, decide");
    group->require_subcommand(1);
    struct FileArgs {
      uint64_t entry = 0;
      std::string evidence_file, evidence_digest, statement;
    };
    auto f = std::make_shared<FileArgs>();
    CLI::App* file = group->add_subcommand(
        repair ? "apply" : "file",
        repair ? "Apply for credit repair: the subject itself, or a credit authority acting for it"
               : "File an objection to an entry: the subject itself, or a credit authority acting for it");
    file->add_option("ENTRY", f->entry, "The entry id")->required();
    file->add_option("--evidence-file", f->evidence_file, "The evidence (its SHA-256 goes on chain)");
    file->add_option("--evidence-digest", f->evidence_digest, "Or the evidence's SHA-256 (64 hex)");
    auto* statement = file->add_option("--statement", f->statement, "A short public statement (no personal data)");
    if (!repair) statement->required();
    AddSignerOptions(file, ctx);
    OnRun(file, ctx, [f, repair, ctx]() -> CmdStatus {
      CIVIC_ARG_OR_RETURN(Bytes digest, DigestArg(f->evidence_digest, f->evidence_file, "evidence"));
      CIVIC_USAGE_IF_ERROR(contracts::CheckNoIdNumber("--statement", f->statement));
      pb::CreditCall call = repair ? contracts::RepairApplyCall(f->entry, digest, f->statement)
                                   : contracts::ObjectionFileCall(f->entry, digest, f->statement);
      return SendEntryCall(call, std::string(repair ? "credit repair applied for" : "objection filed against") +
                                     " entry " + std::to_string(f->entry),
                           f->entry, ctx->common);
    });

    struct DecideArgs {
      uint64_t entry = 0;
      bool yes = false, no = false;
      std::string note;
    };
    auto d = std::make_shared<DecideArgs>();
    CLI::App* decide = group->add_subcommand(
        "decide", repair ? "Approve or reject the pending repair application (the deciding org only)"
                         : "Uphold (withdraw the entry) or reject the pending objection (the deciding org only)");
    decide->add_option("ENTRY", d->entry, "The entry id")->required();
    decide->add_flag(repair ? "--approve" : "--uphold", d->yes, repair ? "Approve: publication ends" : "Uphold: the entry is withdrawn");
    decide->add_flag("--reject", d->no, "Reject: the entry stays as it is");
    decide->add_option("--note", d->note, "The decision's note (public)");
    AddSignerOptions(decide, ctx);
    OnRun(decide, ctx, [d, repair, ctx]() -> CmdStatus {
      if (d->yes == d->no) {
        return CmdStatus::Usage(err::DECISION_REQUIRED,
                                std::string("give exactly one of ") + (repair ? "--approve" : "--uphold") + " and --reject");
      }
      pb::CreditCall call = repair ? contracts::RepairDecideCall(d->entry, d->yes, d->note)
                                   : contracts::ObjectionDecideCall(d->entry, d->yes, d->note);
      std::string what = std::string(repair ? "repair of entry " : "objection to entry ") + std::to_string(d->entry) +
                         (d->yes ? (repair ? " approved" : " upheld") : " rejected");
      return SendEntryCall(call, what, d->entry, ctx->common);
    });
  }

  CLI::App* commit = credit->add_subcommand("commit", "Credit commitments (信用承诺): record, break");
  commit->require_subcommand(1);
  auto rec = std::make_shared<CommitArgs>();
  CLI::App* rec_cmd = commit->add_subcommand("record", "Record a commitment a subject made to your org");
  AddSubjectOptions(rec_cmd, &rec->subject);
  rec_cmd->add_option("--matter", rec->matter, "The kind of matter, e.g. administrative_licensing")->required();
  rec_cmd->add_option("--content-file", rec->content_file, "The signed commitment letter (its SHA-256 goes on chain)");
  rec_cmd->add_option("--content-digest", rec->content_digest, "Or the letter's SHA-256 (64 hex)");
  rec_cmd->add_option("--summary", rec->summary, "A short public summary (no personal data)");
  rec_cmd->add_option("--valid-until", rec->valid_until, "Until when it holds; default: open-ended");
  AddSignerOptions(rec_cmd, ctx);
  OnRun(rec_cmd, ctx, [rec, ctx]() -> CmdStatus {
    CIVIC_USAGE_IF_ERROR(LoadPersonFiles(&rec->subject));
    return RecordCommitment(*rec, ctx->common);
  });
  {
    auto id = std::make_shared<uint64_t>(0);
    auto note = std::make_shared<std::string>();
    CLI::App* cmd = commit->add_subcommand("break", "Record that a commitment made to your org was broken");
    cmd->add_option("ID", *id, "The commitment id")->required();
    cmd->add_option("--note", *note, "What was not kept (public)")->required();
    AddSignerOptions(cmd, ctx);
    OnRun(cmd, ctx, [id, note, ctx]() -> CmdStatus {
      if (*id == 0) return CmdStatus::Usage(err::BAD_COMMITMENT_ID, "a commitment id is 1 or more");
      CmdStatus usage;
      auto signer = LoadSigner(ctx->common, &usage);
      if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
      CIVIC_ASSIGN_OR_RETURN(auto api, Connect(ctx->common));
      std::string tx_id;
      CIVIC_ASSIGN_OR_RETURN(auto outcome, SendCredit(*api, ctx->common, *signer,
                                                      contracts::BreakCommitmentCall(*id, *note), false, &tx_id));
      PrintTxOutcome(ctx->common, "credit commitment " + std::to_string(*id) + " recorded as broken", tx_id, outcome,
                     json::object{{"commitment", *id}});
      return CmdStatus::Ok();
    });
  }

  for (bool check : {false, true}) {
    auto subject = std::make_shared<std::string>();
    auto args = std::make_shared<SubjectArgs>();
    auto matter = std::make_shared<std::string>();
    CLI::App* cmd = credit->add_subcommand(
        check ? "check" : "report",
        check ? "Which joint measures apply to a subject now (for a kind of matter)"
              : "A subject's credit report: status now, entries, repairs, measures, commitments");
    cmd->add_option("SUBJECT", *subject, "A USCC, or a person's commitment (64 hex)");
    cmd->add_option("--commitment", args->commitment, "Or a person's commitment (64 hex)");
    cmd->add_option("--person-id-file", args->person_id_file,
                    "Or a person: file holding the citizen identity number (- = stdin; with --key-file: your "
                    "department's entries)");
    RefuseSecretOption(cmd, "--person-id", "--person-id-file FILE");
    AddCreditKeyOptions(cmd, args.get());
    if (check) cmd->add_option("--matter", *matter, "The kind of matter, e.g. government_procurement");
    AddNodeOption(cmd, ctx);
    AddJsonOption(cmd, ctx);
    OnRun(cmd, ctx, [subject, args, matter, check, ctx]() -> CmdStatus {
      CIVIC_USAGE_IF_ERROR(LoadPersonFiles(args.get()));
      return check ? Check(*subject, *args, *matter, ctx->common) : Report(*subject, *args, ctx->common);
    });
  }

  {
    struct PublishedArgs {
      std::string list, category, cursor;
      int64_t limit = 100;
    };
    auto p = std::make_shared<PublishedArgs>();
    CLI::App* cmd = credit->add_subcommand("published", "The published entries of the red or black list");
    cmd->add_option("--list", p->list, "red | black")->required()->check(CLI::IsMember({"red", "black"}));
    cmd->add_option("--category", p->category, "Only this category");
    cmd->add_option("--cursor", p->cursor, "Continue after this cursor (printed at the end of a page)");
    cmd->add_option("--limit", p->limit, "Entries per page (1..1000)")->check(CLI::Range(int64_t{1}, int64_t{1000}));
    AddNodeOption(cmd, ctx);
    AddJsonOption(cmd, ctx);
    OnRun(cmd, ctx, [p, ctx] { return Published(p->list, p->category, p->cursor, p->limit, ctx->common); });
  }

  {
    auto entry = std::make_shared<uint64_t>(0);
    CLI::App* cmd = credit->add_subcommand("get", "One entry (public view)");
    cmd->add_option("ENTRY", *entry, "The entry id")->required();
    AddNodeOption(cmd, ctx);
    AddJsonOption(cmd, ctx);
    OnRun(cmd, ctx, [entry, ctx] { return Get(*entry, ctx->common); });
  }

  auto imp = std::make_shared<ImportArgs>();
  CLI::App* imp_cmd = credit->add_subcommand(
      "import", "List the rows of an existing credit list (CSV or JSONL; see tools/import/credit_import.h for the\n"
                "columns), signed by the deciding org; prints a summary and writes the rejected rows");
  imp_cmd->add_option("FILE", imp->path, "The list file")->required();
  imp_cmd->add_option("--format", imp->format, "csv | jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  imp_cmd->add_option("--key-file", imp->key_file, "Your department's credit key file (for rows with person_id)");
  imp_cmd->add_option("--salt-file", imp->salt_file, "Replaced by --key-file")->group("");
  imp_cmd->add_option("--batch-size", imp->options.batch_size, "Listings per tx (1..1000)")
      ->check(CLI::Range(size_t{1}, contracts::kMaxCreditBatch))
      ->capture_default_str();
  imp_cmd->add_option("--rejected-out", imp->rejected_out, "Where to write the rejected rows (default: FILE.rejected.csv)");
  imp_cmd->add_option("--show-rejected", imp->show_rejected, "How many rejected rows to print")->capture_default_str();
  AddSignerOptions(imp_cmd, ctx);
  OnRun(imp_cmd, ctx, [imp, ctx] { return Import(*imp, ctx->common); });

  auto net_dir = std::make_shared<std::string>();
  CLI::App* sample = credit->add_subcommand(
      "sample", "Commit the sample credit data on a local sample network (civic net init): categories and\n"
                "measures, red and black listed enterprises, one repaired, one expired");
  sample->add_option("--net", *net_dir, "The network folder")->required();
  AddNodeOption(sample, ctx);
  AddJsonOption(sample, ctx);
  OnRun(sample, ctx, [net_dir, ctx] { return Sample(*net_dir, ctx->common); });
}

}  // namespace civic::tools
