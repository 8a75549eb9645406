#include "tools/import/credit_import.h"

#include <boost/json.hpp>
#include <algorithm>
#include <fstream>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/enum_names.h"
#include "contracts/credit/calls.h"
#include "contracts/credit/keys.h"
#include "contracts/credit/rules.h"
#include "contracts/credit/subjects.h"
#include "crypto/hash.h"
#include "ledger/tx.h"
#include "rpc/error_codes.h"
#include "tools/common/errors.h"
#include "tools/import/credit_key.h"
#include "tools/import/csv.h"
#include "tools/common/files.h"
#include "tools/common/json_view.h"
#include "tools/common/timefmt.h"
#include "tools/samples/credit_sample.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

Status RowError(std::string app, std::string msg) { return Status::InvalidArgument(std::move(app), std::move(msg)); }

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

const std::vector<std::string>& KnownColumns() {
  static const std::vector<std::string> kColumns = {
      "category", "list", "uscc", "name", "person_id", "person_name", "commitment", "masked_name",
      "reason", "legal_basis", "decision_doc_no", "decision_doc_digest", "decided_at", "publicity_end",
      "basis_commitment_id"};
  return kColumns;
}

bool IsKnownColumn(std::string_view name) {
  const auto& known = KnownColumns();
  return std::find(known.begin(), known.end(), name) != known.end();
}

Result<Bytes> HexDigest(std::string_view hex, std::string_view what) {
  auto raw = FromHex(hex);
  if (!raw || raw->size() != 32) {
    return Status::InvalidArgument(err::BAD_DIGEST, std::string(what) + " must be 64 hex characters (a SHA-256)");
  }
  return *raw;
}

// One row's values by column name (empty values included) -> a listing.
class RowBuilder {
 public:
  explicit RowBuilder(const CreditImportSchema& schema) : schema_(schema) {}

  Result<pb::CreditListing> Build(const std::map<std::string, std::string>& v) {
    auto get = [&](const char* name) {
      auto it = v.find(name);
      return it == v.end() ? std::string() : Trim(it->second);
    };
    SubjectArgs subject_args;
    subject_args.uscc = get("uscc");
    subject_args.name = get("name");
    subject_args.person_id = get("person_id");
    subject_args.person_name = get("person_name");
    subject_args.commitment = get("commitment");
    subject_args.masked_name = get("masked_name");
    std::string person_name = subject_args.person_name;

    pb::CreditListing l;
    std::string category = get("category");
    if (category.empty()) return RowError(err::UNKNOWN_CATEGORY, "the row names no category");
    auto known = schema_.categories.find(category);
    if (known == schema_.categories.end()) {
      return RowError(err::UNKNOWN_CATEGORY, "no credit category '" + category.substr(0, 64) + "' on chain");
    }
    l.set_category(category);
    std::string list_name = get("list");
    if (!list_name.empty()) {
      CIVIC_ASSIGN_OR_RETURN(pb::CreditList list, contracts::ParseCreditList(list_name));
      if (list != known->second) {
        return RowError(err::LIST_MISMATCH, "category " + category + " is on the " +
                                             contracts::EnumName(known->second) + " list");
      }
      l.set_list(list);
    }

    pb::CreditSubject subject;
    if (!subject_args.person_id.empty()) {
      if (schema_.person_key.empty()) {
        return RowError(err::CREDIT_KEY_REQUIRED,
                        "a person given by identity number needs the department's credit key (--key-file)");
      }
      if (subject_args.person_name.empty()) return RowError(err::BAD_SUBJECT, "person_id needs person_name");
      if (!subject_args.uscc.empty() || !subject_args.commitment.empty()) {
        return RowError(err::BAD_SUBJECT, "give one subject per row: uscc, person_id or commitment");
      }
      CIVIC_ASSIGN_OR_RETURN(subject, contracts::PersonSubject(schema_.person_key, subject_args.person_id,
                                                               subject_args.person_name));
    } else {
      subject_args.person_name.clear();
      CIVIC_ASSIGN_OR_RETURN(subject, SubjectFromArgs(subject_args));
    }
    *l.mutable_subject() = subject;

    l.set_reason(get("reason"));
    l.set_legal_basis(get("legal_basis"));
    l.set_decision_doc_no(get("decision_doc_no"));
    if (l.reason().empty()) return RowError(err::REASON_REQUIRED, "reason is required");
    if (l.legal_basis().empty()) return RowError(err::LEGAL_BASIS_REQUIRED, "legal_basis is required");
    if (l.decision_doc_no().empty()) return RowError(err::DOC_NO_REQUIRED, "decision_doc_no is required");
    for (const auto& [what, text, max] :
         {std::tuple<const char*, const std::string*, size_t>{"reason", &l.reason(), contracts::kMaxCreditText},
          {"legal_basis", &l.legal_basis(), contracts::kMaxCreditText},
          {"decision_doc_no", &l.decision_doc_no(), contracts::kMaxCreditShortText}}) {
      if (text->size() > max) {
        return RowError(err::TEXT_TOO_LONG, std::string(what) + " must be at most " + std::to_string(max) + " bytes");
      }
      CIVIC_RETURN_IF_ERROR(contracts::CheckNoIdNumber(what, *text));
    }
    CIVIC_RETURN_IF_ERROR(contracts::CheckNameNotInListing(l, person_name));
    CIVIC_ASSIGN_OR_RETURN(Bytes digest, HexDigest(get("decision_doc_digest"), "decision_doc_digest"));
    l.set_decision_doc_digest(digest);

    if (std::string t = get("decided_at"); !t.empty()) {
      CIVIC_ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs(t, DateEdge::kStartOfDay));
      int64_t now = schema_.now_ms != 0 ? schema_.now_ms : NowMs();
      if (ms > now) return RowError(err::BAD_DATE, "decided_at " + t + " is in the future");
      l.set_decided_at_ms(ms);
    }
    if (std::string t = get("publicity_end"); !t.empty()) {
      CIVIC_ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs(t, DateEdge::kEndOfDay));
      l.set_publicity_end_ms(ms);
    }
    if (std::string t = get("basis_commitment_id"); !t.empty()) {
      uint64_t id = 0;
      bool ok = t.size() <= 19;
      for (char c : t) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) id = id * 10 + static_cast<uint64_t>(c - '0');
      }
      if (!ok || id == 0) return RowError(err::BAD_NUMBER, "basis_commitment_id must be a positive integer");
      l.set_basis_commitment_id(id);
    }
    std::string key = contracts::CreditSubjectKey(subject) + "/" + category;
    if (!seen_.insert(key).second) {
      return RowError(err::DUPLICATE_ROW, "an earlier row lists the same subject in category " + category);
    }
    return l;
  }

 private:
  const CreditImportSchema& schema_;
  std::set<std::string> seen_;
};

Status BadHeader(std::string why) { return Status::InvalidArgument(err::IMPORT_BAD_HEADER, std::move(why)); }

std::string JsonText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_null()) return "";
  return json::serialize(v);
}

}  // namespace

// ---------------------------------------------------------------------------
// Subjects and digests

Status RefuseSaltFile(const std::string& salt_file) {
  if (salt_file.empty()) return Status::Ok();
  return Status::InvalidArgument(err::SALT_FILE_REPLACED,
                                 "--salt-file is no longer accepted: a person's commitment is keyed by the department's "
                                 "credit key; create it once with `civic credit keygen --out FILE` and pass --key-file FILE");
}

Result<pb::CreditSubject> SubjectFromArgs(const SubjectArgs& a) {
  CIVIC_RETURN_IF_ERROR(RefuseSaltFile(a.salt_file));
  int ways = (a.uscc.empty() ? 0 : 1) + (a.person_id.empty() && a.person_name.empty() ? 0 : 1) +
             (a.commitment.empty() && a.masked_name.empty() ? 0 : 1);
  if (ways == 0) {
    return Status::InvalidArgument(err::SUBJECT_REQUIRED, "name the subject: --uscc, --person-id with --person-name and "
                                                       "--key-file, or --commitment with --masked-name");
  }
  if (ways > 1) return Status::InvalidArgument(err::BAD_SUBJECT, "name the subject in one way only");
  if (!a.uscc.empty()) return contracts::EnterpriseSubject(a.uscc, a.name);
  if (!a.name.empty()) return Status::InvalidArgument(err::BAD_SUBJECT, "--name is an enterprise's name; a person has none");
  if (!a.person_id.empty() || !a.person_name.empty()) {
    if (a.person_id.empty() || a.person_name.empty()) {
      return Status::InvalidArgument(err::BAD_SUBJECT, "a person needs both --person-id and --person-name");
    }
    if (a.key_file.empty()) {
      return Status::InvalidArgument(err::CREDIT_KEY_REQUIRED,
                                     "a person's commitment needs the department's credit key (--key-file)");
    }
    CIVIC_ASSIGN_OR_RETURN(Bytes key, ReadCreditKeyFile(a.key_file));
    return contracts::PersonSubject(key, a.person_id, a.person_name);
  }
  auto raw = FromHex(a.commitment);
  if (!raw || raw->size() != 32) {
    return Status::InvalidArgument(err::BAD_COMMITMENT, "a person's commitment is 64 hex characters");
  }
  pb::CreditSubject s;
  s.set_type(pb::CREDIT_SUBJECT_PERSON);
  s.set_commitment(*raw);
  s.set_masked_name(a.masked_name);
  CIVIC_RETURN_IF_ERROR(contracts::ValidateCreditSubject(s));
  return s;
}

std::string SubjectText(const pb::CreditSubject& s) {
  return s.type() == pb::CREDIT_SUBJECT_PERSON ? ToHex(s.commitment()) : s.uscc();
}

Result<Bytes> DigestArg(const std::string& hex, const std::string& file, std::string_view what) {
  if (hex.empty() == file.empty()) {
    return Status::InvalidArgument(err::DIGEST_REQUIRED, "give either the " + std::string(what) +
                                                          " file or its SHA-256 digest (64 hex), not both");
  }
  if (!hex.empty()) return HexDigest(hex, what);
  CIVIC_ASSIGN_OR_RETURN(std::string content, ReadFile(file));
  return crypto::Sha256(content);
}

// ---------------------------------------------------------------------------
// Sending

bool IsTxRefusal(const Status& status) {
  if (status.app_code() == err::TX_IN_MEMPOOL) return false;
  switch (status.code()) {
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kAlreadyExists:
    case Code::kPermissionDenied:
    case Code::kFailedPrecondition: return true;
    default: return false;
  }
}

// ---------------------------------------------------------------------------
// What a tx created

Result<std::vector<uint64_t>> EntriesOfTx(NodeApi& api, const std::vector<pb::CreditSubject>& subjects,
                                          const std::string& tx_id) {
  std::set<uint64_t> ids;
  std::set<std::string> asked;
  for (const auto& s : subjects) {
    std::string text = SubjectText(s);
    if (!asked.insert(text).second) continue;
    CIVIC_ASSIGN_OR_RETURN(json::value report, api.Call("credit_report", json::object{{"subject", text}}));
    for (const JsonView e : JsonView(report)["entries"].Items()) {
      if (e["listed_tx_id"].Str() == tx_id) ids.insert(e["id"].U64());
    }
  }
  return std::vector<uint64_t>(ids.begin(), ids.end());
}

Result<std::map<std::string, pb::CreditList>> FetchCreditCategories(NodeApi& api) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("credit_categories", json::object()));
  std::map<std::string, pb::CreditList> out;
  for (const JsonView c : JsonView(v)["categories"].Items()) {
    auto list = contracts::ParseCreditList(c["list"].Str());
    if (!list.ok() || c["code"].Str().empty()) {
      return Status::Internal("credit_categories answered a category without code or list");
    }
    out[c["code"].Str()] = *list;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Import files

Result<CreditImportFormat> CreditImportFormatOf(const std::string& path) {
  auto ends = [&](std::string_view s) { return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0; };
  if (ends(".csv") || ends(".CSV")) return CreditImportFormat::kCsv;
  if (ends(".jsonl") || ends(".ndjson") || ends(".json")) return CreditImportFormat::kJsonl;
  return Status::InvalidArgument(err::IMPORT_UNKNOWN_FORMAT, path + ": the file name must end in .csv or .jsonl");
}

Result<CreditImportFile> ReadCreditCsv(std::istream& in, const CreditImportSchema& schema) {
  CsvReader reader(in);
  CreditImportFile out;
  auto header = reader.Next();
  if (!header.ok()) return BadHeader("the header row is malformed: " + header.status().message());
  if (!header->has_value()) return BadHeader("the file is empty; the first row must name the columns");
  for (auto& name : (*header)->fields) {
    name = Trim(name);
    if (!IsKnownColumn(name)) {
      return Status::InvalidArgument(err::IMPORT_UNKNOWN_COLUMN, "unknown column \"" + name.substr(0, 64) +
                                                                  "\"; known columns: category, list, uscc, name, "
                                                                  "person_id, person_name, commitment, masked_name, "
                                                                  "reason, legal_basis, decision_doc_no, "
                                                                  "decision_doc_digest, decided_at, publicity_end, "
                                                                  "basis_commitment_id");
    }
  }
  out.header = (*header)->fields;
  std::set<std::string> columns(out.header.begin(), out.header.end());
  if (columns.size() != out.header.size()) return BadHeader("a column is named twice");
  if (!columns.count("category")) return BadHeader("the header has no category column");
  if (!columns.count("uscc") && !columns.count("person_id") && !columns.count("commitment")) {
    return BadHeader("the header has no subject column (uscc, person_id or commitment)");
  }
  RowBuilder builder(schema);
  while (true) {
    auto record = reader.Next();
    if (!record.ok()) {
      ++out.rows;
      out.rejected.push_back({reader.last_line(), record.status(), {}});
      continue;
    }
    if (!record->has_value()) break;
    ++out.rows;
    const CsvRecord& r = **record;
    if (r.fields.size() != out.header.size()) {
      out.rejected.push_back({r.line,
                              RowError(err::WRONG_COLUMN_COUNT, "the row has " + std::to_string(r.fields.size()) +
                                                                 " fields, the header " +
                                                                 std::to_string(out.header.size())),
                              r.fields});
      continue;
    }
    std::map<std::string, std::string> values;
    for (size_t i = 0; i < r.fields.size(); ++i) values[out.header[i]] = r.fields[i];
    auto listing = builder.Build(values);
    if (!listing.ok()) {
      out.rejected.push_back({r.line, listing.status(), r.fields});
    } else {
      out.accepted.push_back({r.line, std::move(*listing), r.fields});
    }
  }
  return out;
}

Result<CreditImportFile> ReadCreditJsonl(std::istream& in, const CreditImportSchema& schema) {
  CreditImportFile out;
  out.header = {"record"};
  RowBuilder builder(schema);
  std::string line;
  uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty()) continue;
    ++out.rows;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) {
      out.rejected.push_back({number, RowError(err::JSON_MALFORMED, "the line is not a JSON object"), {line}});
      continue;
    }
    std::map<std::string, std::string> values;
    Status bad;
    for (const auto& member : v.get_object()) {
      std::string name(member.key());
      if (!IsKnownColumn(name)) {
        bad = RowError(err::IMPORT_UNKNOWN_COLUMN, "unknown member \"" + name.substr(0, 64) + "\"");
        break;
      }
      if (member.value().is_object() || member.value().is_array() || member.value().is_bool() ||
          member.value().is_double()) {
        bad = RowError(err::JSON_MALFORMED, "member \"" + name + "\" must be a string or an integer");
        break;
      }
      values[name] = JsonText(member.value());
    }
    if (!bad.ok()) {
      out.rejected.push_back({number, bad, {line}});
      continue;
    }
    auto listing = builder.Build(values);
    if (!listing.ok()) {
      out.rejected.push_back({number, listing.status(), {line}});
    } else {
      out.accepted.push_back({number, std::move(*listing), {line}});
    }
  }
  return out;
}

Result<CreditImportFile> ReadCreditImportFile(const std::string& path, CreditImportFormat format,
                                              const CreditImportSchema& schema) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(err::FILE_NOT_FOUND, "cannot open " + path);
  // Skip a UTF-8 byte order mark (the CSV reader does so itself).
  if (format == CreditImportFormat::kJsonl && in.peek() == 0xEF) {
    char bom[3];
    in.read(bom, 3);
    if (!(static_cast<unsigned char>(bom[1]) == 0xBB && static_cast<unsigned char>(bom[2]) == 0xBF)) in.seekg(0);
  }
  auto out = format == CreditImportFormat::kCsv ? ReadCreditCsv(in, schema) : ReadCreditJsonl(in, schema);
  if (in.bad()) return Status::IOError("reading " + path + " failed");
  return out;
}

// ---------------------------------------------------------------------------
// Import

namespace {

struct Sender {
  NodeApi& api;
  const crypto::KeyPair& key;
  const std::string& org;
  const CreditImportOptions& options;
  CreditImportSummary* summary;

  // Commits one list tx; its outcome carries the chain's result (OK or the
  // contract's error); a transport or node error is the Result's status.
  Result<TxOutcome> Send(const std::vector<const CreditImportRow*>& rows, std::string* tx_id) {
    CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, GetChainStatus(api));
    contracts::TxParams params;
    params.chain_id = tip.chain_id;
    params.org = org;
    params.valid_until_height = tip.height + options.valid_blocks;
    std::vector<pb::CreditListing> listings;
    listings.reserve(rows.size());
    for (const auto* r : rows) listings.push_back(r->listing);
    Bytes raw = contracts::CreditTx(params, contracts::ListCreditCall(std::move(listings)), key);
    *tx_id = ToHex(ledger::TxId(raw));
    ++summary->txs;
    auto sent = SendSignedTx(api, raw, /*wait=*/true, options.commit_timeout_ms);
    if (!sent.ok()) {
      if (!IsTxRefusal(sent.status())) return sent.status();
      TxOutcome refused;  // refused at admission: not in any block
      refused.id = *tx_id;
      refused.result = sent.status();
      return refused;
    }
    return std::move(**sent);
  }

  // The ids of a committed batch: consecutive, from the first row's entry.
  Status RecordListed(const std::vector<const CreditImportRow*>& rows, const std::string& tx_id,
                      std::map<uint64_t, uint64_t>* ids_by_line) {
    CIVIC_ASSIGN_OR_RETURN(std::vector<uint64_t> first,
                           EntriesOfTx(api, {rows.front()->listing.subject()}, tx_id));
    summary->listed += rows.size();
    if (first.empty()) return Status::Ok();  // committed; the ids are not visible (yet)
    for (size_t i = 0; i < rows.size(); ++i) (*ids_by_line)[rows[i]->line] = first.front() + i;
    return Status::Ok();
  }

  void Reject(const CreditImportRow& row, const Status& reason) {
    summary->rejected.push_back({row.line, reason, row.record});
  }
};

}  // namespace

Result<CreditImportSummary> ImportCreditRows(NodeApi& api, const crypto::KeyPair& key, const std::string& org,
                                             const CreditImportFile& file, const CreditImportOptions& options) {
  if (options.batch_size < 1 || options.batch_size > contracts::kMaxCreditBatch) {
    return Status::InvalidArgument(err::BAD_BATCH_SIZE,
                                   "the batch size must be 1.." + std::to_string(contracts::kMaxCreditBatch));
  }
  CreditImportSummary summary;
  summary.rows = file.rows;
  summary.rejected = file.rejected;
  Sender sender{api, key, org, options, &summary};
  std::map<uint64_t, uint64_t> ids_by_line;
  for (size_t start = 0; start < file.accepted.size(); start += options.batch_size) {
    size_t end = std::min(file.accepted.size(), start + options.batch_size);
    std::vector<const CreditImportRow*> batch;
    for (size_t i = start; i < end; ++i) batch.push_back(&file.accepted[i]);
    std::string tx_id;
    CIVIC_ASSIGN_OR_RETURN(TxOutcome outcome, sender.Send(batch, &tx_id));
    const Status& result = outcome.result;
    if (result.ok()) {
      CIVIC_RETURN_IF_ERROR(sender.RecordListed(batch, tx_id, &ids_by_line));
      continue;
    }
    if (batch.size() == 1) {
      sender.Reject(*batch.front(), result);
      continue;
    }
    // Find the rows at fault: one tx per row.
    for (const CreditImportRow* row : batch) {
      CIVIC_ASSIGN_OR_RETURN(TxOutcome one, sender.Send({row}, &tx_id));
      if (one.result.ok()) {
        CIVIC_RETURN_IF_ERROR(sender.RecordListed({row}, tx_id, &ids_by_line));
      } else {
        sender.Reject(*row, one.result);
      }
    }
  }
  for (const auto& row : file.accepted) {
    auto it = ids_by_line.find(row.line);
    if (it != ids_by_line.end()) summary.entry_ids.push_back(it->second);
  }
  std::sort(summary.rejected.begin(), summary.rejected.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  for (const auto& r : summary.rejected) ++summary.rejected_by_code[r.reason.app_code()];
  return summary;
}

Result<CreditSampleSummary> CommitCreditSample(NodeApi& api, const std::vector<crypto::KeyPair>& org_keys,
                                               uint32_t commit_timeout_ms) {
  auto existing = api.Call("credit_get", json::object{{"entry", 1}});
  if (existing.ok()) {
    return Status::AlreadyExists(err::CREDIT_SAMPLE_EXISTS, "the chain already has credit entries; the sample credit "
                                                         "data goes on a chain without any");
  }
  if (existing.status().app_code() != err::ENTRY_NOT_FOUND) return existing.status();
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, GetChainStatus(api));
  // The sample's dates are relative to the tip's block time (chain_status
  // names it latest_block_time_ms).
  CIVIC_ASSIGN_OR_RETURN(json::value status, api.Call("chain_status", json::object()));
  JsonView status_view(status);
  int64_t now_ms = status_view.Has("latest_block_time_ms") ? status_view["latest_block_time_ms"].I64() : tip.time_ms;
  // The next proposal id: one after the highest so far.
  uint64_t next_proposal = 1;
  for (uint64_t from = 1; from != 0;) {
    CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("gov_proposals", json::object{{"from", from}, {"limit", 1000}}));
    JsonView view(v);
    for (const JsonView p : view["proposals"].Items()) next_proposal = std::max(next_proposal, p["id"].U64() + 1);
    uint64_t following = view["next_from"].U64();
    from = following > from ? following : 0;
  }
  samples::CreditSampleInput in;
  in.chain_id = tip.chain_id;
  in.org_keys = org_keys;
  in.now_ms = now_ms;
  in.first_proposal_id = next_proposal;
  in.valid_until_height = tip.height + 300;
  in.nonce_prefix = "credit-sample-" + std::to_string(tip.height) + "-";
  CIVIC_ASSIGN_OR_RETURN(auto blocks, samples::SampleCreditBlocks(in));
  CreditSampleSummary summary;
  summary.proposal_id = next_proposal;
  for (const auto& block : blocks) {
    for (const Bytes& raw : block) {
      CIVIC_ASSIGN_OR_RETURN(std::optional<TxOutcome> sent, SendSignedTx(api, raw, /*wait=*/true, commit_timeout_ms));
      const TxOutcome& outcome = *sent;
      ++summary.txs;
      if (!outcome.result.ok()) {
        const Status& r = outcome.result;
        return Status(r.code(), r.app_code(), "sample credit tx " + std::to_string(summary.txs) + " (" + outcome.id +
                                                  ") was refused: " + r.message());
      }
    }
  }
  return summary;
}

std::string CreditRejectedCsv(const std::vector<std::string>& header, const std::vector<CreditRejectedRow>& rows) {
  std::vector<std::string> head = {"line", "app_code", "message"};
  head.insert(head.end(), header.begin(), header.end());
  std::string out = CsvLine(head);
  for (const auto& r : rows) {
    std::vector<std::string> row = {std::to_string(r.line), r.reason.app_code(), r.reason.message()};
    row.insert(row.end(), r.record.begin(), r.record.end());
    out += CsvLine(row);
  }
  return out;
}

}  // namespace civic::tools
