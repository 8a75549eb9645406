// civic sharing catalogue | resource register | grants | grant request|issue|approve|reject|revoke |
//               log | ack | query | violations | stats | mine
//
// Catalogue and grant management and access logging send txs of the sharing
// contract (contracts/sharing/contract.h) signed with the department's key. Batches come
// from JSONL files, one access (or acknowledgement) per line in the form of
// rpc::AccessFromJson / AckFromJson, sent in txs of --batch-size lines,
// each committed before the next is sent; a failing batch stops the run and
// names the line to resume from (--from-line).
// The auditor queries sign their request with the auditor's key
// (rpc/request_auth.h) and print a table, or the node's answer with --json.
#include <fstream>
#include <iostream>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/certificate/rules.h"
#include "rpc/codec/holder_certificate.h"
#include "contracts/sharing/calls.h"
#include "contracts/sharing/query.h"
#include "contracts/sharing/rules.h"
#include "contracts/sharing/subject_tag.h"
#include "rpc/error_codes.h"
#include "tools/common/secret_input.h"
#include "tools/common/errors.h"
#include "tools/samples/sharing_sample.h"
#include "crypto/hash.h"
#include "rpc/codec/sharing.h"
#include "rpc/request_auth.h"
#include "tools/cli/commands.h"
#include "tools/cli/sample_network_access.h"
#include "tools/import/credit_import.h"
#include "tools/common/files.h"
#include "tools/common/json_view.h"
#include "tools/common/timefmt.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {

namespace json = boost::json;
namespace {

// ---------------------------------------------------------------------------
// Shared helpers

// A date or time option: empty = 0.
Result<int64_t> TimeOption(const std::string& text, DateEdge edge) {
  if (text.empty()) return int64_t{0};
  return ParseTimeMs(text, edge);
}

Result<Bytes> DigestOption(const std::string& hex, const std::string& file, const char* what) {
  if (!hex.empty() && !file.empty()) {
    return Status::InvalidArgument(err::BAD_DIGEST, std::string("give ") + what + " as hex or as a file, not both");
  }
  if (!file.empty()) {
    CIVIC_ASSIGN_OR_RETURN(std::string content, ReadFile(file));
    return crypto::Sha256(content);
  }
  auto raw = FromHex(hex);
  if (hex.empty() || !raw || raw->size() != 32) {
    return Status::InvalidArgument(err::BAD_DIGEST, std::string(what) + " must be 64 hex characters (SHA-256)");
  }
  return *raw;
}

// The subject key of a holder's certificate copy (contracts/sharing/subject_tag.h).
Result<Bytes> SubjectKeyOfHolderFile(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto cert = rpc::ParseHolderCertificate(text);
  if (!cert.ok()) return Status(cert.status().code(), cert.status().app_code(), path + ": " + cert.status().message());
  return contracts::SubjectKey(cert->holder_salt, cert->holder_code_type, cert->holder_code);
}

Result<Bytes> Hex32Option(const std::string& option, const std::string& hex) {
  auto raw = FromHex(hex);
  if (!raw || raw->size() != 32) {
    return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT,
                                   option + " \"" + hex.substr(0, 80) + "\" is not 64 hex characters");
  }
  return *raw;
}

// The subject tags an access logged by `requester_org` carries: given tags as
// they are, subject keys and holder copies turned into their tag.
Result<std::vector<Bytes>> SubjectTags(const std::vector<std::string>& tags, const std::vector<std::string>& keys,
                                       const std::vector<std::string>& holder_files, const std::string& requester_org) {
  std::vector<Bytes> out;
  for (const auto& h : tags) {
    CIVIC_ASSIGN_OR_RETURN(Bytes tag, Hex32Option("--subject-tag", h));
    out.push_back(std::move(tag));
  }
  for (const auto& h : keys) {
    CIVIC_ASSIGN_OR_RETURN(Bytes key, Hex32Option("--subject-key", h));
    out.push_back(contracts::AccessSubjectTag(key, requester_org));
  }
  for (const auto& f : holder_files) {
    CIVIC_ASSIGN_OR_RETURN(Bytes key, SubjectKeyOfHolderFile(f));
    out.push_back(contracts::AccessSubjectTag(key, requester_org));
  }
  return out;
}

// Sends one sharing call and prints the outcome.
CmdStatus Send(const CommonOptions& common, const std::string& what, const pb::SharingCall& call, bool force_wait,
               json::object extra = {}) {
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  std::string tx_id;
  CIVIC_ASSIGN_OR_RETURN(auto outcome,
                         SendTx(
                             *api, common, *signer,
                             [&](const contracts::TxParams& p) { return contracts::SharingTx(p, call, signer->key); },
                             force_wait, &tx_id));
  PrintTxOutcome(common, what, tx_id, outcome, std::move(extra));
  return CmdStatus::Ok();
}

// Left-aligned columns (by bytes; Chinese text may look wider).
void PrintTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto visible = [](const std::string& s) {
    size_t n = 0;  // UTF-8 code points, wide ones counted twice
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if ((c & 0xC0) == 0x80) continue;
      n += c >= 0xE0 ? 2 : 1;
    }
    return n;
  };
  for (size_t i = 0; i < header.size(); ++i) width[i] = visible(header[i]);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], visible(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - visible(cells[i]) + 2, ' ');
    }
    std::cout << out << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

std::string Join(const std::vector<JsonView>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i.Str();
  return out;
}

// ---------------------------------------------------------------------------
// Catalogue

CmdStatus Catalogue(const std::string& provider, const std::string& code, const CommonOptions& common) {
  json::object params;
  if (!provider.empty()) params["provider"] = provider;
  if (!code.empty()) params["code"] = code;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("sharing_catalogue", params));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const JsonView r : JsonView(v)["resources"].Items()) {
    rows.push_back(
        {r["code"].Str(), r["provider"].Str(), r["share_type"].Str(), r["name"].Str(), Join(r["fields"].Items())});
  }
  PrintTable({"CODE", "PROVIDER", "SHARE", "NAME", "FIELDS"}, rows);
  return CmdStatus::Ok();
}

struct ResourceArgs {
  std::string code, name, share_type = "conditional", description;
  std::vector<std::string> fields;
};

CmdStatus RegisterResource(const ResourceArgs& a, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateResourceCode(a.code));
  auto type = contracts::ParseShareType(a.share_type);
  if (!type.ok()) return CmdStatus::Usage(type.status());
  for (const auto& f : a.fields) CIVIC_USAGE_IF_ERROR(contracts::ValidateSharingFieldName(f));
  pb::SharingResource r;
  r.set_code(a.code);
  r.set_name(a.name);
  r.set_share_type(*type);
  r.set_description(a.description);
  for (const auto& f : a.fields) r.add_fields(f);
  return Send(common, "resource " + a.code, contracts::RegisterResourceCall(r), false, {{"code", a.code}});
}

// ---------------------------------------------------------------------------
// Grants

CmdStatus Grants(const contracts::GrantFilter& f, const std::string& status, const CommonOptions& common) {
  json::object params;
  if (!f.id.empty()) params["id"] = f.id;
  if (!f.requester.empty()) params["requester"] = f.requester;
  if (!f.provider.empty()) params["provider"] = f.provider;
  if (!f.resource.empty()) params["resource"] = f.resource;
  if (!status.empty()) params["status"] = status;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("sharing_grants", params));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const JsonView g : JsonView(v)["grants"].Items()) {
    rows.push_back({g["id"].Str(), g["status"].Str(), g["requester"].Str(), g["provider"].Str(), g["resource"].Str(),
                    Join(g["fields"].Items()), g["purpose"].Str(), g["expires_at"].Str()});
  }
  PrintTable({"ID", "STATUS", "REQUESTER", "PROVIDER", "RESOURCE", "FIELDS", "PURPOSE", "EXPIRES"}, rows);
  return CmdStatus::Ok();
}

struct GrantArgs {
  std::string id, requester, resource, purpose, legal_basis, valid_from, expires, note, reason;
  std::vector<std::string> fields;
};

CmdStatus NewGrant(const GrantArgs& a, bool issue, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateGrantId(a.id));
  CIVIC_USAGE_IF_ERROR(contracts::ValidateResourceCode(a.resource));
  if (issue) CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.requester));
  for (const auto& f : a.fields) CIVIC_USAGE_IF_ERROR(contracts::ValidateSharingFieldName(f));
  auto from = TimeOption(a.valid_from, DateEdge::kStartOfDay);
  if (!from.ok()) return CmdStatus::Usage(from.status());
  auto expires = ParseTimeMs(a.expires, DateEdge::kEndOfDay);
  if (!expires.ok()) return CmdStatus::Usage(expires.status());
  if (*expires <= NowMs()) return CmdStatus::Usage(err::BAD_TIME, "--expires " + a.expires + " has passed");
  pb::SharingGrant g;
  g.set_id(a.id);
  g.set_requester_org(a.requester);
  g.set_resource(a.resource);
  for (const auto& f : a.fields) g.add_fields(f);
  g.set_purpose(a.purpose);
  g.set_legal_basis(a.legal_basis);
  g.set_valid_from_ms(*from);
  g.set_expires_at_ms(*expires);
  return Send(common, std::string(issue ? "grant " : "grant request ") + a.id,
              issue ? contracts::IssueGrantCall(g) : contracts::RequestGrantCall(g), false, {{"grant", a.id}});
}

enum class GrantAction { kApprove, kReject, kRevoke };

CmdStatus DecideGrant(GrantAction action, const GrantArgs& a, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(contracts::ValidateGrantId(a.id));
  switch (action) {
    case GrantAction::kApprove: {
      for (const auto& f : a.fields) CIVIC_USAGE_IF_ERROR(contracts::ValidateSharingFieldName(f));
      auto expires = TimeOption(a.expires, DateEdge::kEndOfDay);
      if (!expires.ok()) return CmdStatus::Usage(expires.status());
      return Send(common, "grant " + a.id + " approved", contracts::ApproveGrantCall(a.id, a.fields, *expires, a.note),
                  false);
    }
    case GrantAction::kReject:
      return Send(common, "grant " + a.id + " rejected", contracts::RejectGrantCall(a.id, a.reason), false);
    case GrantAction::kRevoke:
      return Send(common, "grant " + a.id + " revoked", contracts::RevokeGrantCall(a.id, a.reason), false);
  }
  return CmdStatus::Ok();
}

// ---------------------------------------------------------------------------
// Access logging and acknowledgements

struct LogArgs {
  std::string request_id, resource, provider, grant, purpose, response_digest, response_file, accessed_at;
  std::vector<std::string> fields, subject_tags, subject_keys, subject_holders;
  int64_t records = -1;
  std::string batch;
  size_t batch_size = 1000;
  size_t from_line = 1;
};

// Reads the JSONL lines from `from_line` on: (line number, parsed item).
template <typename Item>
Result<std::vector<std::pair<size_t, Item>>> ReadLines(const std::string& path, size_t from_line,
                                                       const std::function<Result<Item>(const json::value&)>& parse) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(err::FILE_NOT_FOUND, "cannot read " + path);
  std::vector<std::pair<size_t, Item>> out;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number < from_line) continue;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec) return Status::InvalidArgument(err::BAD_JSONL, path + " line " + std::to_string(number) + ": not JSON");
    auto item = parse(v);
    if (!item.ok()) {
      return Status(item.status().code(), item.status().app_code(),
                    path + " line " + std::to_string(number) + ": " + item.status().message());
    }
    out.emplace_back(number, std::move(*item));
  }
  return out;
}

constexpr size_t kMaxBatchBytes = 400 * 1024;

// Sends `items` in txs of at most `batch_size` items, each committed before the next.
template <typename Item>
CmdStatus SendBatches(const CommonOptions& common, const std::string& what, const std::string& path,
                      std::vector<std::pair<size_t, Item>> items, size_t batch_size,
                      const std::function<pb::SharingCall(std::vector<Item>)>& make_call) {
  if (items.empty()) return CmdStatus::Usage(err::EMPTY_BATCH, path + " holds no " + what + " (from the given line)");
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  size_t sent = 0, txs = 0;
  uint64_t last_height = 0;
  for (size_t start = 0, end = 0; start < items.size(); start = end) {
    // Up to batch_size items and kMaxBatchBytes of calls: the tx travels as hex
    // in a request body the node limits (1 MiB by default).
    std::vector<Item> batch;
    size_t bytes = 0;
    for (end = start; end < items.size() && end - start < batch_size; ++end) {
      size_t size = items[end].second.ByteSizeLong() + 8;
      if (!batch.empty() && bytes + size > kMaxBatchBytes) break;
      bytes += size;
      batch.push_back(items[end].second);
    }
    pb::SharingCall call = make_call(std::move(batch));
    std::string tx_id;
    auto outcome = SendTx(
        *api, common, *signer, [&](const contracts::TxParams& p) { return contracts::SharingTx(p, call, signer->key); },
        /*force_wait=*/true, &tx_id);
    if (!outcome.ok()) {
      const Status& st = outcome.status();
      return Status(st.code(), st.app_code(),
                    st.message() + "; lines " + std::to_string(items[start].first) + ".." +
                        std::to_string(items[end - 1].first) + " were not recorded" +
                        (sent ? " (" + std::to_string(sent) + " before them were); resume with --from-line " +
                                    std::to_string(items[start].first)
                              : ""));
    }
    sent += end - start;
    ++txs;
    if (*outcome) last_height = (*outcome)->height;
    if (!common.json) {
      std::cout << "lines " << items[start].first << ".." << items[end - 1].first << ": committed in block "
                << last_height << " (tx " << tx_id << ")\n";
    }
  }
  if (common.json) {
    PrintJson(json::object{{"recorded", sent}, {"txs", txs}, {"last_height", last_height}});
  } else {
    std::cout << sent << " " << what << " recorded in " << txs << " tx" << (txs == 1 ? "" : "s") << "\n";
  }
  return CmdStatus::Ok();
}

CmdStatus Log(const LogArgs& a, const CommonOptions& common) {
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);  // its org is the requester every subject tag is derived for
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  const std::string requester = signer->org;
  if (!a.batch.empty()) {
    if (!a.request_id.empty() || !a.resource.empty()) {
      return CmdStatus::Usage(err::BATCH_OR_SINGLE, "give either --batch or the options of one access");
    }
    auto items = ReadLines<pb::SharingAccess>(
        a.batch, a.from_line, [&requester](const json::value& v) { return rpc::AccessFromJson(v, requester); });
    if (!items.ok()) return CmdStatus::Usage(items.status());
    return SendBatches<pb::SharingAccess>(
        common, "accesses", a.batch, std::move(*items), a.batch_size,
        [](std::vector<pb::SharingAccess> b) { return contracts::LogAccessCall(std::move(b)); });
  }
  if (a.request_id.empty() || a.resource.empty() || a.purpose.empty() || a.fields.empty()) {
    return CmdStatus::Usage(err::ACCESS_INCOMPLETE,
                            "an access needs --request-id, --resource, --purpose and --field "
                            "(or --batch FILE)");
  }
  CIVIC_USAGE_IF_ERROR(contracts::ValidateRequestId(a.request_id));
  CIVIC_USAGE_IF_ERROR(contracts::ValidateResourceCode(a.resource));
  if (!a.provider.empty()) CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.provider));
  if (!a.grant.empty()) CIVIC_USAGE_IF_ERROR(contracts::ValidateGrantId(a.grant));
  for (const auto& f : a.fields) CIVIC_USAGE_IF_ERROR(contracts::ValidateSharingFieldName(f));
  auto digest =
      DigestOption(a.response_digest, a.response_file, "the response digest (--response-digest/--response-file)");
  if (!digest.ok()) return CmdStatus::Usage(digest.status());
  auto subjects = SubjectTags(a.subject_tags, a.subject_keys, a.subject_holders, requester);
  if (!subjects.ok()) return CmdStatus::Usage(subjects.status());
  auto at = TimeOption(a.accessed_at, DateEdge::kStartOfDay);
  if (!at.ok()) return CmdStatus::Usage(at.status());
  pb::SharingAccess access;
  access.set_request_id(a.request_id);
  access.set_resource(a.resource);
  access.set_provider_org(a.provider);
  access.set_grant_id(a.grant);
  access.set_purpose(a.purpose);
  for (const auto& f : a.fields) access.add_fields(f);
  for (auto& s : *subjects) access.add_subject_tags(std::move(s));
  access.set_record_count(a.records >= 0 ? static_cast<uint64_t>(a.records)
                                         : static_cast<uint64_t>(access.subject_tags_size()));
  access.set_response_digest(*digest);
  access.set_accessed_at_ms(*at);
  return Send(common, "access " + a.request_id, contracts::LogAccessCall({access}), false,
              {{"request_id", a.request_id}});
}

struct AckArgs {
  std::string requester, request_id, provider_digest, response_file, batch;
  size_t batch_size = 1000;
  size_t from_line = 1;
};

CmdStatus Ack(const AckArgs& a, const CommonOptions& common) {
  if (!a.batch.empty()) {
    auto items = ReadLines<pb::SharingAck>(a.batch, a.from_line, rpc::AckFromJson);
    if (!items.ok()) return CmdStatus::Usage(items.status());
    return SendBatches<pb::SharingAck>(
        common, "acknowledgements", a.batch, std::move(*items), a.batch_size,
        [](std::vector<pb::SharingAck> b) { return contracts::AcknowledgeCall(std::move(b)); });
  }
  if (a.requester.empty() || a.request_id.empty()) {
    return CmdStatus::Usage(err::ACK_INCOMPLETE,
                            "an acknowledgement needs --requester and --request-id (or --batch FILE)");
  }
  CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.requester));
  CIVIC_USAGE_IF_ERROR(contracts::ValidateRequestId(a.request_id));
  auto digest =
      DigestOption(a.provider_digest, a.response_file, "the provider digest (--provider-digest/--response-file)");
  if (!digest.ok()) return CmdStatus::Usage(digest.status());
  pb::SharingAck ack;
  ack.set_requester_org(a.requester);
  ack.set_request_id(a.request_id);
  ack.set_provider_digest(*digest);
  return Send(common, "acknowledgement of " + a.requester + "/" + a.request_id, contracts::AcknowledgeCall({ack}),
              false);
}

// ---------------------------------------------------------------------------
// Auditor queries

struct QueryArgs {
  std::string dept, side, resource, purpose, verdict, reason, from, to, subject_tag, subject_holder, cursor;
  int64_t limit = 50;
  bool all = false;
  bool subjects = false;
};

Result<json::object> FilterParams(const QueryArgs& a, bool stats) {
  json::object p;
  if (!a.dept.empty()) {
    CIVIC_RETURN_IF_ERROR(contracts::ValidateUscc(a.dept));
    p["org"] = a.dept;
  }
  if (!a.side.empty()) {
    if (a.dept.empty()) return Status::InvalidArgument(err::SIDE_NEEDS_DEPT, "--side needs --dept");
    p["org_role"] = a.side;
  }
  if (!a.resource.empty()) p["resource"] = a.resource;
  if (!a.purpose.empty()) p["purpose"] = a.purpose;
  if (!a.verdict.empty()) p["verdict"] = a.verdict;
  if (!a.reason.empty()) p["reason"] = a.reason;
  if (!a.from.empty()) {
    CIVIC_ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs(a.from, DateEdge::kStartOfDay));
    p["from_ms"] = ms;
  }
  if (!a.to.empty()) {
    CIVIC_ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs(a.to, DateEdge::kEndOfDay));
    p["to_ms"] = ms;
  }
  if (!a.subject_tag.empty() && !a.subject_holder.empty()) {
    return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT, "give --subject-tag or --subject-holder, not both");
  }
  if (!a.subject_tag.empty()) p["subject_tag"] = a.subject_tag;
  if (!a.subject_holder.empty()) {  // the node looks the subject up under every org
    CIVIC_ASSIGN_OR_RETURN(Bytes key, SubjectKeyOfHolderFile(a.subject_holder));
    p["subject_key"] = ToHex(key);
  }
  if (!stats) {
    p["limit"] = a.limit;
    if (!a.cursor.empty()) p["cursor"] = a.cursor;
    if (a.subjects) p["subjects"] = true;
  }
  return p;
}

// The auditor's signed call: the key (with its org) signs the request now.
Result<json::value> SignedCall(NodeApi& api, const Signer& signer, const std::string& method,
                               const json::object& request) {
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, GetChainStatus(api));
  json::object params =
      rpc::SignRequest(signer.key, signer.org, tip.chain_id, tip.node_id, method, json::serialize(request), NowMs());
  return api.Call(method, params);
}

void AddRecordRows(const JsonView& page, std::vector<std::vector<std::string>>* rows) {
  for (const JsonView r : page["records"].Items()) {
    rows->push_back({r["time"].Str(), r["requester"].Str() + "/" + r["request_id"].Str(), r["provider"].Str(),
                     r["resource"].Str(), r["purpose"].Str(), Join(r["fields"].Items()), r["record_count"].Str(),
                     r["verdict"].Str(), r["violation_reason"].Str(), r["ack"]["status"].Str()});
  }
}

CmdStatus Query(const QueryArgs& a, const char* method, const CommonOptions& common) {
  auto request = FilterParams(a, false);
  if (!request.ok()) return CmdStatus::Usage(request.status());
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  json::array records;
  std::vector<std::vector<std::string>> rows;
  uint64_t total = 0;
  std::string next;
  while (true) {
    CIVIC_ASSIGN_OR_RETURN(json::value v, SignedCall(*api, *signer, method, *request));
    if (common.json && !a.all) {
      PrintJson(v);
      return CmdStatus::Ok();
    }
    JsonView view(v);
    total = view["total"].U64();
    next = view["next_cursor"].Str();
    AddRecordRows(view, &rows);
    for (const auto& r : v.at("records").as_array()) records.push_back(r);
    if (!a.all || next.empty()) break;
    (*request)["cursor"] = next;
  }
  if (common.json) {
    PrintJson(json::object{{"records", std::move(records)}, {"next_cursor", next}, {"total", total}});
    return CmdStatus::Ok();
  }
  PrintTable(
      {"TIME", "REQUESTER/REQUEST", "PROVIDER", "RESOURCE", "PURPOSE", "FIELDS", "ROWS", "VERDICT", "REASON", "ACK"},
      rows);
  std::cout << total << " record" << (total == 1 ? "" : "s") << " match";
  if (!next.empty()) std::cout << "; more with --cursor " << next << " (or --all)";
  std::cout << "\n";
  return CmdStatus::Ok();
}

CmdStatus Stats(const QueryArgs& a, const CommonOptions& common) {
  auto request = FilterParams(a, true);
  if (!request.ok()) return CmdStatus::Usage(request.status());
  CmdStatus usage;
  auto signer = LoadSigner(common, &usage);
  if (!signer.ok()) return usage.ok() ? CmdStatus(signer.status()) : usage;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, SignedCall(*api, *signer, "sharing_stats", *request));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  JsonView s(v);
  std::vector<std::vector<std::string>> rows;
  for (const JsonView d : s["days"].Items()) rows.push_back({d["day"].Str(), d["total"].Str(), d["violations"].Str()});
  PrintTable({"DAY", "ACCESSES", "VIOLATIONS"}, rows);
  rows.clear();
  std::cout << "\n";
  for (const JsonView o : s["by_org"].Items()) {
    rows.push_back({o["org"].Str(), o["as_requester"].Str(), o["as_provider"].Str(), o["violations"].Str()});
  }
  PrintTable({"DEPARTMENT", "AS REQUESTER", "AS PROVIDER", "VIOLATIONS"}, rows);
  rows.clear();
  std::cout << "\n";
  for (const JsonView r : s["by_resource"].Items()) {
    rows.push_back({r["resource"].Str(), r["resource_name"].Str(), r["total"].Str(), r["violations"].Str()});
  }
  PrintTable({"RESOURCE", "NAME", "ACCESSES", "VIOLATIONS"}, rows);
  return CmdStatus::Ok();
}

struct SubjectKeyArgs {
  std::string holder_file, org;
};

// Offline: what a department logs for this subject (the tag) and what an
// auditor looks the subject up with (the key). Both are secrets of the subject.
CmdStatus PrintSubjectKey(const SubjectKeyArgs& a, const CommonOptions& common) {
  auto key = SubjectKeyOfHolderFile(a.holder_file);
  if (!key.ok()) return CmdStatus::Usage(key.status());
  json::object out{{"subject_key", ToHex(*key)}};
  if (!a.org.empty()) {
    CIVIC_USAGE_IF_ERROR(contracts::ValidateUscc(a.org));
    out["org"] = a.org;
    out["subject_tag"] = ToHex(contracts::AccessSubjectTag(*key, a.org));
  }
  if (common.json) {
    PrintJson(out);
  } else {
    std::cout << "subject key: " << out["subject_key"].as_string() << "\n";
    if (!a.org.empty()) std::cout << "tag in " << a.org << "'s records: " << out["subject_tag"].as_string() << "\n";
  }
  return CmdStatus::Ok();
}

struct MineArgs {
  std::string holder_file, salt_file, code_type = "citizen", code_file, cursor;
  int64_t limit = 100;
};

CmdStatus Mine(const MineArgs& a, const CommonOptions& common) {
  json::object params;
  if (!a.holder_file.empty()) {
    if (!a.salt_file.empty() || !a.code_file.empty()) {
      return CmdStatus::Usage(err::HOLDER_OR_OPENING, "give --holder-file or --salt-file with --code-file, not both");
    }
    CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(a.holder_file));
    auto cert = rpc::ParseHolderCertificate(text);
    if (!cert.ok()) return CmdStatus::Usage(cert.status());
    params["salt"] = cert->holder_salt;
    params["code_type"] = cert->holder_code_type;
    params["code"] = cert->holder_code;
  } else {
    if (a.salt_file.empty() || a.code_file.empty()) {
      return CmdStatus::Usage(err::HOLDER_OR_OPENING,
                              "give --holder-file, or --salt-file and --code-file (and --code-type)");
    }
    CIVIC_USAGE_IF_ERROR(AtMostOneStdin({{"--salt-file", a.salt_file}, {"--code-file", a.code_file}}));
    auto salt = ReadSecretValue(a.salt_file, "holder salt");
    if (!salt.ok()) return CmdStatus::Usage(salt.status());
    auto code = ReadSecretValue(a.code_file, "citizen identity number or USCC");
    if (!code.ok()) return CmdStatus::Usage(code.status());
    std::string type =
        a.code_type == "enterprise" ? std::string(contracts::kHolderUscc) : std::string(contracts::kHolderCitizenId);
    CIVIC_USAGE_IF_ERROR(contracts::ValidateHolderCode(type, *code));
    params["salt"] = *salt;
    params["code_type"] = type;
    params["code"] = *code;
  }
  params["limit"] = a.limit;
  if (!a.cursor.empty()) params["cursor"] = a.cursor;
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(common));
  CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("sharing_mySubjectAccesses", params));
  if (common.json) {
    PrintJson(v);
    return CmdStatus::Ok();
  }
  JsonView page(v);
  std::vector<std::vector<std::string>> rows;
  for (const JsonView r : page["records"].Items()) {
    rows.push_back({r["time"].Str(), r["requester"].Str(), r["provider"].Str(),
                    r["resource_name"].Str().empty() ? r["resource"].Str() : r["resource_name"].Str(),
                    r["purpose"].Str(), Join(r["fields"].Items()), r["verdict"].Str(), r["violation_reason"].Str()});
  }
  PrintTable({"TIME", "REQUESTER", "PROVIDER", "RESOURCE", "PURPOSE", "FIELDS", "VERDICT", "REASON"}, rows);
  std::cout << page["total"].U64() << " access" << (page["total"].U64() == 1 ? "" : "es")
            << " to your data, searched under " << page["orgs_searched"].U64() << " departments\n";
  if (!page["next_cursor"].Str().empty()) std::cout << "more with --cursor " << page["next_cursor"].Str() << "\n";
  return CmdStatus::Ok();
}

// --key, --passphrase-env, --org, --node, --json: what a signed query needs.
// ---------------------------------------------------------------------------
// sample

struct SampleArgs {
  std::string net_dir;
  uint32_t records = 3000;
  std::vector<std::string> holder_files;
};

CmdStatus Sample(const SampleArgs& a, const CommonOptions& common) {
  std::vector<Bytes> extra;
  for (const auto& file : a.holder_files) {
    CIVIC_ASSIGN_OR_RETURN(Bytes key, SubjectKeyOfHolderFile(file));
    extra.push_back(std::move(key));
  }
  CIVIC_ASSIGN_OR_RETURN(SampleNetworkAccess net, OpenSampleNetwork(a.net_dir, common));
  CIVIC_ASSIGN_OR_RETURN(auto api, Connect(net.options));
  CIVIC_ASSIGN_OR_RETURN(json::value catalogue, api->Call("sharing_catalogue", json::object()));
  if (!JsonView(catalogue)["resources"].Items().empty()) {
    return Status::AlreadyExists(err::SHARING_SAMPLE_EXISTS,
                                 "the chain already has a data resource catalogue; the sample sharing data goes on "
                                 "a chain without one");
  }
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, GetChainStatus(*api));
  samples::SharingSampleInput in;
  in.chain_id = tip.chain_id;
  in.org_keys = net.org_keys;
  in.now_ms = tip.time_ms;
  in.valid_until_height = tip.height + 300;
  in.nonce_prefix = "sharing-sample-" + std::to_string(tip.height) + "-";
  in.records = a.records;
  in.extra_subject_keys = std::move(extra);
  CIVIC_ASSIGN_OR_RETURN(samples::SharingSampleBlocks sample, samples::SampleSharingBlocks(in));
  size_t txs = 0;
  for (const auto& block : sample.blocks) {
    // Every tx of a block is submitted first, so the node can commit them together.
    for (const Bytes& raw : block) {
      CIVIC_RETURN_IF_ERROR(SendSignedTx(*api, raw, /*wait=*/false, common.commit_timeout_ms).status());
    }
    for (const Bytes& raw : block) {
      CIVIC_ASSIGN_OR_RETURN(std::optional<TxOutcome> sent, SendSignedTx(*api, raw, /*wait=*/true,
                                                                         common.commit_timeout_ms));
      ++txs;
      if (!sent->result.ok()) {
        const Status& r = sent->result;
        return Status(r.code(), r.app_code(), "sample sharing tx " + std::to_string(txs) + " (" + sent->id +
                                                  ") was refused: " + r.message());
      }
    }
  }
  if (common.json) {
    PrintJson(json::object{{"txs", txs},
                           {"records", sample.records},
                           {"violations_at_logging", sample.violations_at_logging},
                           {"digest_mismatches", sample.digest_mismatches},
                           {"unacknowledged", sample.unacknowledged}});
    return CmdStatus::Ok();
  }
  std::cout << "sample sharing data committed (" << txs << " txs): 4 resources, 4 grants (1 revoked), "
            << sample.records << " access records\n"
            << "  " << sample.violations_at_logging << " judged violations when logged, " << sample.digest_mismatches
            << " acknowledged with a different digest, " << sample.unacknowledged
            << " not acknowledged (violations once the deadline passes)\n"
            << "try: civic sharing violations --key <auditor key>\n";
  return CmdStatus::Ok();
}

void AddAuditorOptions(CLI::App* cmd, CliContext* ctx) {
  AddNodeOption(cmd, ctx);
  AddJsonOption(cmd, ctx);
  cmd->add_option("--key", ctx->common.key_file, "The auditor's key file (its org must hold AUDITOR)")->required();
  cmd->add_option("--passphrase-env", ctx->common.passphrase_env,
                  "Name of the environment variable that holds the key file's passphrase");
  cmd->add_option("--org", ctx->common.org, "The auditor org's code (USCC); default: the key's sidecar <key>.org");
}

void AddFilterOptions(CLI::App* cmd, QueryArgs* q, bool verdict, bool paging) {
  cmd->add_option("--dept", q->dept, "A department (USCC) as requester or provider");
  cmd->add_option("--side", q->side, "With --dept: requester | provider (default: either)")
      ->check(CLI::IsMember({"requester", "provider"}));
  cmd->add_option("--resource", q->resource, "A resource code");
  cmd->add_option("--purpose", q->purpose, "A purpose, exactly as logged");
  if (verdict) {
    cmd->add_option("--verdict", q->verdict, "authorized | violation")
        ->check(CLI::IsMember({"authorized", "violation"}));
  }
  cmd->add_option("--reason", q->reason, "A violation reason, e.g. NO_GRANT");
  cmd->add_option("--from", q->from, "From this date or time (China Standard Time for dates)");
  cmd->add_option("--to", q->to, "Up to this date or time (a date includes the whole day)");
  cmd->add_option("--subject-tag", q->subject_tag, "A subject tag (64 hex): whose data one department read");
  cmd->add_option("--subject-holder", q->subject_holder,
                  "A holder's certificate copy: its subject's records under every department");
  if (paging) {
    cmd->add_option("--limit", q->limit, "Records per page (1..1000)")->check(CLI::Range(int64_t{1}, int64_t{1000}));
    cmd->add_option("--cursor", q->cursor, "Continue after this cursor (next_cursor of a previous page)");
    cmd->add_flag("--all", q->all, "Follow next_cursor until every matching record is printed");
    cmd->add_flag("--subjects", q->subjects, "Include each record's subject tags (with --json)");
  }
}

void AddGrantContent(CLI::App* cmd, GrantArgs* g) {
  cmd->add_option("--id", g->id, "Grant id (A-Z a-z 0-9 _ . : -, at most 64)")->required();
  cmd->add_option("--resource", g->resource, "The resource code")->required();
  cmd->add_option("--field", g->fields, "A granted field; repeatable (or comma-separated)")->required()->delimiter(',');
  cmd->add_option("--purpose", g->purpose, "The purpose, e.g. 社保待遇资格认证")->required();
  cmd->add_option("--legal-basis", g->legal_basis, "The legal basis, e.g. 《社会保险法》第七十四条")->required();
  cmd->add_option("--valid-from", g->valid_from, "In force from (date or time); default: on approval");
  cmd->add_option("--expires", g->expires, "Expiry (a date means the end of that day)")->required();
}

}  // namespace

void AddSharingCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* sharing =
      app->add_subcommand("sharing", "Data-sharing audit: catalogue, grants, access logging, auditor queries");
  sharing->require_subcommand(1);

  // catalogue
  auto provider = std::make_shared<std::string>();
  auto code = std::make_shared<std::string>();
  CLI::App* cat = sharing->add_subcommand("catalogue", "List the data resource catalogue");
  cat->add_option("--provider", *provider, "Only this provider's resources (USCC)");
  cat->add_option("--code", *code, "Only this resource");
  AddNodeOption(cat, ctx);
  AddJsonOption(cat, ctx);
  OnRun(cat, ctx, [provider, code, ctx] { return Catalogue(*provider, *code, ctx->common); });

  CLI::App* resource = sharing->add_subcommand("resource", "Catalogue entries");
  resource->require_subcommand(1);
  auto res = std::make_shared<ResourceArgs>();
  CLI::App* reg = resource->add_subcommand(
      "register", "Register (or update) one of the signing department's resources (needs DATA_PROVIDER)");
  reg->add_option("--code", res->code, "Resource code (A-Z a-z 0-9 _ . : / -, at most 64)")->required();
  reg->add_option("--name", res->name, "Name, e.g. 人口基础信息")->required();
  reg->add_option("--field", res->fields, "A field name; repeatable (or comma-separated)")->required()->delimiter(',');
  reg->add_option("--share-type", res->share_type, "unconditional | conditional | not_shared")
      ->check(CLI::IsMember({"unconditional", "conditional", "not_shared"}))
      ->capture_default_str();
  reg->add_option("--description", res->description, "Conditions, update cycle, ...");
  AddSignerOptions(reg, ctx);
  OnRun(reg, ctx, [res, ctx] { return RegisterResource(*res, ctx->common); });

  // grants
  auto gf = std::make_shared<contracts::GrantFilter>();
  auto gstatus = std::make_shared<std::string>();
  CLI::App* grants = sharing->add_subcommand("grants", "List grants");
  grants->add_option("--id", gf->id, "One grant");
  grants->add_option("--requester", gf->requester, "Of this requester (USCC)");
  grants->add_option("--provider", gf->provider, "Of this provider (USCC)");
  grants->add_option("--resource", gf->resource, "For this resource");
  grants->add_option("--status", *gstatus, "requested | active | rejected | revoked")
      ->check(CLI::IsMember({"requested", "active", "rejected", "revoked"}));
  AddNodeOption(grants, ctx);
  AddJsonOption(grants, ctx);
  OnRun(grants, ctx, [gf, gstatus, ctx] { return Grants(*gf, *gstatus, ctx->common); });

  CLI::App* grant = sharing->add_subcommand("grant", "Request, issue, approve, reject and revoke grants");
  grant->require_subcommand(1);
  auto req = std::make_shared<GrantArgs>();
  CLI::App* req_cmd =
      grant->add_subcommand("request", "Request a grant from a resource's provider (needs DATA_REQUESTER)");
  AddGrantContent(req_cmd, req.get());
  AddSignerOptions(req_cmd, ctx);
  OnRun(req_cmd, ctx, [req, ctx] { return NewGrant(*req, false, ctx->common); });

  auto iss = std::make_shared<GrantArgs>();
  CLI::App* iss_cmd = grant->add_subcommand("issue", "Issue a grant on one of your resources, active at once");
  iss_cmd->add_option("--requester", iss->requester, "The requesting department (USCC)")->required();
  AddGrantContent(iss_cmd, iss.get());
  AddSignerOptions(iss_cmd, ctx);
  OnRun(iss_cmd, ctx, [iss, ctx] { return NewGrant(*iss, true, ctx->common); });

  auto apr = std::make_shared<GrantArgs>();
  CLI::App* apr_cmd = grant->add_subcommand("approve", "Approve a requested grant, possibly narrowing it");
  apr_cmd->add_option("ID", apr->id, "The grant id")->required();
  apr_cmd->add_option("--field", apr->fields, "Grant only these of the requested fields")->delimiter(',');
  apr_cmd->add_option("--expires", apr->expires, "An earlier expiry than requested");
  apr_cmd->add_option("--note", apr->note, "Kept in the grant's history");
  AddSignerOptions(apr_cmd, ctx);
  OnRun(apr_cmd, ctx, [apr, ctx] { return DecideGrant(GrantAction::kApprove, *apr, ctx->common); });

  for (auto [name, help, action] :
       {std::tuple{"reject", "Reject a requested grant", GrantAction::kReject},
        std::tuple{"revoke", "Revoke an active grant; later accesses under it are violations", GrantAction::kRevoke}}) {
    auto d = std::make_shared<GrantArgs>();
    CLI::App* cmd = grant->add_subcommand(name, help);
    cmd->add_option("ID", d->id, "The grant id")->required();
    cmd->add_option("--reason", d->reason, "Why (public)")->required();
    AddSignerOptions(cmd, ctx);
    GrantAction act = action;
    OnRun(cmd, ctx, [act, d, ctx] { return DecideGrant(act, *d, ctx->common); });
  }

  auto sample = std::make_shared<SampleArgs>();
  CLI::App* sample_cmd = sharing->add_subcommand(
      "sample", "Commit the sample sharing data on a local sample network (civic net init): a catalogue, grants\n"
                "and access records with a few violations of each kind");
  sample_cmd->add_option("--net", sample->net_dir, "The network folder")->required();
  sample_cmd->add_option("--records", sample->records, "Access records (100..1000000)")
      ->check(CLI::Range(uint32_t{100}, uint32_t{1000000}))
      ->capture_default_str();
  sample_cmd->add_option("--subject-holder", sample->holder_files,
                         "A holder's certificate copy whose subject a few records name; repeatable");
  AddNodeOption(sample_cmd, ctx);
  AddJsonOption(sample_cmd, ctx);
  OnRun(sample_cmd, ctx, [sample, ctx] { return Sample(*sample, ctx->common); });

  // access logging
  auto log = std::make_shared<LogArgs>();
  CLI::App* log_cmd = sharing->add_subcommand(
      "log", "Log data accesses as the requesting department: one (options) or a batch (--batch FILE.jsonl)");
  log_cmd->add_option("--request-id", log->request_id, "Your id of the request (unique for your department)");
  log_cmd->add_option("--resource", log->resource, "The resource read");
  log_cmd->add_option("--provider", log->provider, "The provider (USCC); default: the catalogue's");
  log_cmd->add_option("--grant", log->grant, "The grant the access is made under");
  log_cmd->add_option("--purpose", log->purpose, "The purpose");
  log_cmd->add_option("--field", log->fields, "A field read; repeatable (or comma-separated)")->delimiter(',');
  log_cmd->add_option("--subject-key", log->subject_keys,
                      "A subject key (64 hex), logged as its tag for your department; repeatable");
  log_cmd->add_option("--subject-tag", log->subject_tags, "A subject tag (64 hex) as derived already; repeatable");
  log_cmd->add_option("--subject-holder", log->subject_holders,
                      "A holder's certificate copy (its subject key), logged as its tag; repeatable");
  log_cmd->add_option("--records", log->records, "Rows returned (default: the number of subjects)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  log_cmd->add_option("--response-digest", log->response_digest, "SHA-256 of the response (64 hex)");
  log_cmd->add_option("--response-file", log->response_file, "The response as received (its SHA-256 is logged)");
  log_cmd->add_option("--accessed-at", log->accessed_at, "When the access happened (default: the block time)");
  log_cmd->add_option("--batch", log->batch, "A JSONL file of accesses (see rpc/codec/sharing.h AccessFromJson)");
  log_cmd->add_option("--batch-size", log->batch_size, "Accesses per tx (1..10000)")
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  log_cmd->add_option("--from-line", log->from_line, "Start at this line of --batch (to resume)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 40));
  AddSignerOptions(log_cmd, ctx);
  OnRun(log_cmd, ctx, [log, ctx] { return Log(*log, ctx->common); });

  auto ack = std::make_shared<AckArgs>();
  CLI::App* ack_cmd = sharing->add_subcommand(
      "ack", "Acknowledge accesses as the providing department, with your digest of each response");
  ack_cmd->add_option("--requester", ack->requester, "The requesting department (USCC)");
  ack_cmd->add_option("--request-id", ack->request_id, "The requester's request id");
  ack_cmd->add_option("--provider-digest", ack->provider_digest, "SHA-256 of the response you sent (64 hex)");
  ack_cmd->add_option("--response-file", ack->response_file, "The response you sent (its SHA-256 is used)");
  ack_cmd->add_option("--batch", ack->batch, "A JSONL file of {requester, request_id, provider_digest}");
  ack_cmd->add_option("--batch-size", ack->batch_size, "Acknowledgements per tx (1..10000)")
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  ack_cmd->add_option("--from-line", ack->from_line, "Start at this line of --batch (to resume)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 40));
  AddSignerOptions(ack_cmd, ctx);
  OnRun(ack_cmd, ctx, [ack, ctx] { return Ack(*ack, ctx->common); });

  // auditor queries
  auto q = std::make_shared<QueryArgs>();
  CLI::App* query = sharing->add_subcommand("query", "Access records with their verdicts (signed with an auditor key)");
  AddFilterOptions(query, q.get(), true, true);
  AddAuditorOptions(query, ctx);
  OnRun(query, ctx, [q, ctx] { return Query(*q, "sharing_query", ctx->common); });

  auto v = std::make_shared<QueryArgs>();
  CLI::App* vio = sharing->add_subcommand("violations", "Access records judged violations (auditor key)");
  AddFilterOptions(vio, v.get(), false, true);
  AddAuditorOptions(vio, ctx);
  OnRun(vio, ctx, [v, ctx] { return Query(*v, "sharing_violations", ctx->common); });

  auto st = std::make_shared<QueryArgs>();
  CLI::App* stats =
      sharing->add_subcommand("stats", "Accesses and violations per day, department and resource (auditor key)");
  AddFilterOptions(stats, st.get(), true, false);
  AddAuditorOptions(stats, ctx);
  OnRun(stats, ctx, [st, ctx] { return Stats(*st, ctx->common); });

  auto mine = std::make_shared<MineArgs>();
  CLI::App* mine_cmd =
      sharing->add_subcommand("mine",
                              "Which accesses touched my data: proves the opening of my holder commitment to the node\n"
                              "(use the node's loopback address or HTTPS)");
  mine_cmd->add_option("--holder-file", mine->holder_file, "My certificate copy (its holder salt and code are used)");
  mine_cmd->add_option("--salt-file", mine->salt_file, "File holding the holder salt (- = stdin)");
  mine_cmd->add_option("--code-type", mine->code_type, "citizen | enterprise")
      ->check(CLI::IsMember({"citizen", "enterprise"}))
      ->capture_default_str();
  mine_cmd->add_option("--code-file", mine->code_file, "File holding my citizen identity number or USCC (- = stdin)");
  RefuseSecretOption(mine_cmd, "--salt", "--salt-file FILE");
  RefuseSecretOption(mine_cmd, "--code", "--code-file FILE");
  mine_cmd->add_option("--limit", mine->limit, "Records per page (1..1000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  mine_cmd->add_option("--cursor", mine->cursor, "Continue after this cursor");
  AddNodeOption(mine_cmd, ctx);
  AddJsonOption(mine_cmd, ctx);
  OnRun(mine_cmd, ctx, [mine, ctx] { return Mine(*mine, ctx->common); });

  auto key = std::make_shared<SubjectKeyArgs>();
  CLI::App* key_cmd = sharing->add_subcommand(
      "subject-key", "The subject key of a certificate copy, and its tag under one department (offline)");
  key_cmd->add_option("--holder-file", key->holder_file, "The certificate copy")->required();
  key_cmd->add_option("--org", key->org, "A department (USCC): also print the subject's tag in its access records");
  AddJsonOption(key_cmd, ctx);
  OnRun(key_cmd, ctx, [key, ctx] { return PrintSubjectKey(*key, ctx->common); });
}

}  // namespace civic::tools
