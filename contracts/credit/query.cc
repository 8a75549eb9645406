#include "contracts/credit/query.h"

#include <algorithm>
#include <set>

#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "crypto/signature.h"

namespace civic::contracts {
namespace {

namespace json = boost::json;

constexpr int64_t kDayMs = 86'400'000;

using CategoryNames = std::map<std::string, std::string, std::less<>>;

void PutTime(json::object& o, std::string_view name, int64_t ms) {
  o[std::string(name) + "_ms"] = ms;
  if (ms == 0) {
    o[name] = nullptr;
  } else {
    o[name] = FormatRfc3339(ms);
  }
}

json::value HexOrNull(std::string_view bytes) {
  if (bytes.empty()) return nullptr;
  return json::value(ToHex(bytes));
}

std::string KeyText(uint32_t algo, std::string_view key) {
  crypto::PublicKey pub{static_cast<crypto::Algo>(algo), std::string(key)};
  return pub.ToString();
}

// The entry ids under an index prefix (a key fragment followed by an 8-byte id), ascending.
Result<std::vector<uint64_t>> IdsUnder(const ledger::KvReader& state, std::string_view prefix) {
  std::vector<uint64_t> ids;
  Status st = state.Scan(ledger::Space::kIndex, prefix, "", [&](std::string_view key, std::string_view) {
    if (key.size() == prefix.size() + 8) ids.push_back(GetBigEndian64(key.substr(prefix.size())));
    return true;
  });
  if (!st.ok()) return st;
  return ids;
}

Status AddCategoryName(const ledger::KvReader& state, std::string_view code, CategoryNames* names) {
  if (names->count(code)) return Status::Ok();
  auto c = ReadRecord<pb::CreditCategory>(state, credit_keys::Category(code));
  if (!c.ok()) return c.status();
  names->emplace(std::string(code), c->has_value() ? (*c)->name() : std::string());
  return Status::Ok();
}

std::string NameOf(const CategoryNames& names, std::string_view code) {
  auto it = names.find(code);
  return it == names.end() ? std::string() : it->second;
}

// The measures that apply to the published entries among `entries` for `matter`
// (empty: any), in (category, code) order, and the ids of the entries that trigger one.
Result<std::vector<MeasureHit>> MeasuresFor(const ledger::KvReader& state,
                                            const std::vector<pb::CreditEntry>& entries, std::string_view matter,
                                            int64_t now_ms, std::set<uint64_t>* triggering) {
  std::map<std::string, std::pair<pb::CreditList, std::vector<uint64_t>>> published;  // category -> ids
  for (const auto& e : entries) {
    if (EffectiveState(e, now_ms) != pb::CREDIT_LISTED) continue;
    auto& slot = published[e.category()];
    slot.first = e.list();
    slot.second.push_back(e.id());
  }
  std::vector<MeasureHit> hits;
  for (auto& [category, slot] : published) {
    std::sort(slot.second.begin(), slot.second.end());
    CIVIC_ASSIGN_OR_RETURN(std::vector<pb::CreditMeasure> measures, ListCreditMeasures(state, category));
    for (auto& m : measures) {
      if (!matter.empty() && m.matter() != matter) continue;
      MeasureHit hit;
      hit.measure = std::move(m);
      hit.list = slot.first;
      hit.entries = slot.second;
      if (triggering != nullptr) triggering->insert(slot.second.begin(), slot.second.end());
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

Result<std::vector<pb::CreditEntry>> ReadEntries(const ledger::KvReader& state, const std::vector<uint64_t>& ids) {
  std::vector<pb::CreditEntry> out;
  out.reserve(ids.size());
  for (uint64_t id : ids) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, GetCreditEntry(state, id));
    out.push_back(std::move(e));
  }
  return out;
}

json::object ApplicationToJson(const pb::CreditApplication& a, uint64_t entry_id, CreditView view) {
  json::object o;
  o["entry"] = entry_id;
  o["seq"] = a.seq();
  o["state"] = CreditApplicationStateName(a.state());
  PutTime(o, "filed_at", a.filed_at_ms());
  PutTime(o, "decided_at", a.decided_at_ms());
  if (view == CreditView::kFull) {
    o["applicant_org"] = a.applicant_org();
    o["on_behalf"] = a.on_behalf();
    o["evidence_digest"] = ToHex(a.evidence_digest());
    o["statement"] = a.statement();
    o["decision_note"] = a.decision_note();
    o["filed_tx_id"] = HexOrNull(a.filed_tx_id());
    o["decided_tx_id"] = HexOrNull(a.decided_tx_id());
  }
  return o;
}

json::object EventToJson(const pb::CreditEvent& e) {
  json::object o;
  o["kind"] = CreditEventKindName(e.kind());
  PutTime(o, "time", e.time_ms());
  o["height"] = e.height();
  o["tx_id"] = HexOrNull(e.tx_id());
  o["org"] = e.org();
  o["note"] = e.note();
  o["state_after"] = CreditStateName(e.state_after());
  return o;
}

json::object HitToJson(const MeasureHit& hit) {
  json::object o = CreditMeasureToJson(hit.measure);
  o["list"] = CreditListName(hit.list);
  json::array ids;
  for (uint64_t id : hit.entries) ids.emplace_back(id);
  o["entries"] = std::move(ids);
  return o;
}

json::array HitsToJson(const std::vector<MeasureHit>& hits) {
  json::array out;
  for (const auto& h : hits) out.push_back(HitToJson(h));
  return out;
}

std::string Cursor(const pb::CreditEntry& e) { return e.category() + "/" + std::to_string(e.id()); }

}  // namespace

// ---------------------------------------------------------------------------
// Reads

Result<pb::CreditCategory> GetCreditCategory(const ledger::KvReader& state, std::string_view code) {
  if (!IsCreditToken(code)) {
    return Status::InvalidArgument("BAD_CATEGORY_CODE", "category code '" + std::string(code.substr(0, 64)) +
                                                            "' must match [A-Za-z0-9_.-]{1,64}");
  }
  auto c = ReadRecord<pb::CreditCategory>(state, credit_keys::Category(code));
  if (!c.ok()) return c.status();
  if (!c->has_value()) return Status::NotFound("UNKNOWN_CATEGORY", "no credit category '" + std::string(code) + "'");
  return std::move(**c);
}

Result<std::vector<pb::CreditCategory>> ListCreditCategories(const ledger::KvReader& state) {
  std::vector<pb::CreditCategory> out;
  Status bad;
  Status st = state.Scan(ledger::Space::kState, credit_keys::kCategoryPrefix, "",
                         [&](std::string_view key, std::string_view value) {
                           pb::CreditCategory c;
                           if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                             bad = Status::Corruption("state record '" + std::string(key) +
                                                      "' does not parse as CreditCategory");
                             return false;
                           }
                           out.push_back(std::move(c));
                           return true;
                         });
  if (!st.ok()) return st;
  if (!bad.ok()) return bad;
  return out;
}

Result<std::vector<pb::CreditMeasure>> ListCreditMeasures(const ledger::KvReader& state, std::string_view category) {
  std::string prefix = category.empty() ? std::string(credit_keys::kMeasurePrefix) : credit_keys::MeasurePrefix(category);
  std::vector<pb::CreditMeasure> out;
  Status bad;
  Status st = state.Scan(ledger::Space::kState, prefix, "", [&](std::string_view key, std::string_view value) {
    pb::CreditMeasure m;
    if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      bad = Status::Corruption("state record '" + std::string(key) + "' does not parse as CreditMeasure");
      return false;
    }
    out.push_back(std::move(m));
    return true;
  });
  if (!st.ok()) return st;
  if (!bad.ok()) return bad;
  return out;
}

Result<pb::CreditEntry> GetCreditEntry(const ledger::KvReader& state, uint64_t id) {
  auto e = ReadRecord<pb::CreditEntry>(state, credit_keys::Entry(id));
  if (!e.ok()) return e.status();
  if (id == 0 || !e->has_value()) return Status::NotFound("ENTRY_NOT_FOUND", "no credit entry " + std::to_string(id));
  return std::move(**e);
}

Result<pb::CreditCommitment> GetCreditCommitment(const ledger::KvReader& state, uint64_t id) {
  auto c = ReadRecord<pb::CreditCommitment>(state, credit_keys::Commitment(id));
  if (!c.ok()) return c.status();
  if (id == 0 || !c->has_value()) {
    return Status::NotFound("COMMITMENT_NOT_FOUND", "no credit commitment " + std::to_string(id));
  }
  return std::move(**c);
}

Result<pb::CreditSubject> ParseCreditSubject(std::string_view text) {
  pb::CreditSubject s;
  if (text.size() == 18) {
    CIVIC_RETURN_IF_ERROR(ValidateUscc(text));
    s.set_type(pb::CREDIT_SUBJECT_ENTERPRISE);
    s.set_uscc(std::string(text));
    return s;
  }
  if (text.size() == 64) {
    auto raw = FromHex(text);
    if (raw && raw->size() == 32) {
      s.set_type(pb::CREDIT_SUBJECT_PERSON);
      s.set_commitment(*raw);
      return s;
    }
  }
  return Status::InvalidArgument("BAD_SUBJECT", "a subject is an 18-character unified social credit code or the "
                                                "64 hex characters of a person's commitment");
}

Result<CreditReport> BuildCreditReport(const ledger::KvReader& state, const pb::CreditSubject& subject,
                                       int64_t now_ms) {
  CreditReport r;
  r.subject = subject;
  r.at_ms = now_ms;
  std::string key = CreditSubjectKey(subject);
  CIVIC_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, IdsUnder(state, credit_keys::SubjectIndexPrefix(key)));
  r.entries_total = ids.size();
  CIVIC_ASSIGN_OR_RETURN(std::vector<pb::CreditEntry> all, ReadEntries(state, ids));
  // Measures look at every published entry, the listing at the newest ones.
  CIVIC_ASSIGN_OR_RETURN(r.measures, MeasuresFor(state, all, "", now_ms, nullptr));
  for (auto it = all.rbegin(); it != all.rend() && r.entries.size() < kMaxReportEntries; ++it) {
    r.entries.push_back(std::move(*it));
  }
  if (!r.entries.empty()) r.subject = r.entries.front().subject();
  for (const auto& e : r.entries) CIVIC_RETURN_IF_ERROR(AddCategoryName(state, e.category(), &r.category_names));

  CIVIC_ASSIGN_OR_RETURN(std::vector<uint64_t> commitment_ids,
                         IdsUnder(state, credit_keys::CommitmentIndexPrefix(key)));
  for (auto it = commitment_ids.rbegin(); it != commitment_ids.rend() && r.commitments.size() < kMaxReportEntries;
       ++it) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditCommitment c, GetCreditCommitment(state, *it));
    r.commitments.push_back(std::move(c));
  }
  return r;
}

Result<CreditCheck> CheckCredit(const ledger::KvReader& state, const pb::CreditSubject& subject,
                                std::string_view matter, int64_t now_ms) {
  if (!matter.empty() && !IsCreditToken(matter)) {
    return Status::InvalidArgument("BAD_MATTER", "matter '" + std::string(matter.substr(0, 64)) +
                                                     "' must match [A-Za-z0-9_.-]{1,64}");
  }
  CreditCheck c;
  c.subject = subject;
  c.matter = std::string(matter);
  c.at_ms = now_ms;
  CIVIC_ASSIGN_OR_RETURN(std::vector<uint64_t> ids,
                         IdsUnder(state, credit_keys::SubjectIndexPrefix(CreditSubjectKey(subject))));
  CIVIC_ASSIGN_OR_RETURN(std::vector<pb::CreditEntry> all, ReadEntries(state, ids));
  if (!all.empty()) c.subject = all.back().subject();
  std::set<uint64_t> triggering;
  CIVIC_ASSIGN_OR_RETURN(c.measures, MeasuresFor(state, all, matter, now_ms, &triggering));
  for (auto& e : all) {
    if (!triggering.count(e.id())) continue;
    CIVIC_RETURN_IF_ERROR(AddCategoryName(state, e.category(), &c.category_names));
    c.entries.push_back(std::move(e));
  }
  return c;
}

Result<CreditPage> ListPublished(const ledger::KvReader& state, pb::CreditList list, std::string_view category,
                                 std::string_view cursor, size_t limit, int64_t now_ms) {
  if (list != pb::CREDIT_LIST_RED && list != pb::CREDIT_LIST_BLACK) {
    return Status::InvalidArgument("BAD_LIST", "the list must be red or black");
  }
  if (limit < 1 || limit > kMaxCreditPage) {
    return Status::InvalidArgument("BAD_LIMIT", "limit must be 1.." + std::to_string(kMaxCreditPage));
  }
  if (!category.empty()) CIVIC_RETURN_IF_ERROR(GetCreditCategory(state, category).status());
  std::string prefix = credit_keys::ListIndexPrefix(list, category);
  std::string start;
  if (!cursor.empty()) {
    auto bad = [] { return Status::InvalidArgument("BAD_CURSOR", "the cursor is not a next_cursor of credit_list"); };
    size_t slash = cursor.rfind('/');
    if (slash == std::string_view::npos) return bad();
    std::string_view cat = cursor.substr(0, slash);
    std::string_view digits = cursor.substr(slash + 1);
    if (!IsCreditToken(cat) || (!category.empty() && cat != category) || digits.empty() || digits.size() > 19) {
      return bad();
    }
    uint64_t id = 0;
    for (char ch : digits) {
      if (ch < '0' || ch > '9') return bad();
      id = id * 10 + static_cast<uint64_t>(ch - '0');
    }
    start = credit_keys::ListIndex(list, cat, id);
    start.push_back('\0');  // strictly after the cursor's entry
  }
  CreditPage page;
  page.list = list;
  page.category = std::string(category);
  page.at_ms = now_ms;
  std::vector<uint64_t> ids;
  bool more = false;
  Status st = state.Scan(ledger::Space::kIndex, prefix, start, [&](std::string_view key, std::string_view) {
    if (key.size() < prefix.size() + 8) return true;
    if (ids.size() >= limit) {
      more = true;
      return false;
    }
    ids.push_back(GetBigEndian64(key.substr(key.size() - 8)));
    return true;
  });
  if (!st.ok()) return st;
  for (uint64_t id : ids) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, GetCreditEntry(state, id));
    // The index keeps an entry until a block records its expiry; the time decides.
    if (EffectiveState(e, now_ms) != pb::CREDIT_LISTED) continue;
    CIVIC_RETURN_IF_ERROR(AddCategoryName(state, e.category(), &page.category_names));
    page.entries.push_back(std::move(e));
  }
  if (more && !ids.empty()) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry last, GetCreditEntry(state, ids.back()));
    page.next_cursor = Cursor(last);
  }
  return page;
}

// ---------------------------------------------------------------------------
// JSON

json::object CreditSubjectToJson(const pb::CreditSubject& s) {
  json::object o;
  if (s.type() == pb::CREDIT_SUBJECT_PERSON) {
    o["type"] = "person";
    o["commitment"] = ToHex(s.commitment());
    o["masked_name"] = s.masked_name();
  } else {
    o["type"] = "enterprise";
    o["uscc"] = s.uscc();
    o["name"] = s.name();
  }
  return o;
}

json::object CreditEntryToJson(const pb::CreditEntry& e, int64_t now_ms, CreditView view,
                               std::string_view category_name) {
  pb::CreditEntryState state = EffectiveState(e, now_ms);
  bool published = state == pb::CREDIT_LISTED;
  json::object o;
  o["id"] = e.id();
  o["subject"] = CreditSubjectToJson(e.subject());
  o["list"] = CreditListName(e.list());
  o["category"] = e.category();
  o["category_name"] = category_name;
  o["deciding_org"] = e.deciding_org();
  PutTime(o, "listed_at", e.listed_at_ms());
  o["listed_tx_id"] = ToHex(e.listed_tx_id());
  o["height"] = e.height();
  o["state"] = CreditStateName(state);
  o["published"] = published;
  if (!published) {
    int64_t ended = e.ended_at_ms() != 0 ? e.ended_at_ms() : e.publicity_end_ms();
    PutTime(o, "ended_at", ended);
  }
  if (published || view == CreditView::kFull) {
    o["severity"] = CreditSeverityName(e.severity());
    o["reason"] = e.reason();
    o["legal_basis"] = e.legal_basis();
    o["decision_doc_no"] = e.decision_doc_no();
    o["decision_doc_digest"] = ToHex(e.decision_doc_digest());
    PutTime(o, "decided_at", e.decided_at_ms());
    PutTime(o, "publicity_end", e.publicity_end_ms());
    PutTime(o, "earliest_repair", e.earliest_repair_ms());
    o["repairable"] = e.repairable();
    o["basis_commitment_id"] = e.basis_commitment_id();
  }
  if (view == CreditView::kFull) {
    o["listing_key"] = KeyText(e.listing_key_algo(), e.listing_key());
    json::array repairs, objections, events;
    for (const auto& a : e.repairs()) repairs.push_back(ApplicationToJson(a, e.id(), view));
    for (const auto& a : e.objections()) objections.push_back(ApplicationToJson(a, e.id(), view));
    for (const auto& ev : e.events()) events.push_back(EventToJson(ev));
    o["repairs"] = std::move(repairs);
    o["objections"] = std::move(objections);
    o["events"] = std::move(events);
  }
  return o;
}

json::object CreditMeasureToJson(const pb::CreditMeasure& m) {
  json::object o;
  o["category"] = m.category();
  o["code"] = m.code();
  o["org"] = m.org();
  o["matter"] = m.matter();
  o["description"] = m.description();
  o["registered_height"] = m.registered_height();
  return o;
}

json::object CreditCategoryToJson(const pb::CreditCategory& c, const std::vector<pb::CreditMeasure>& measures) {
  json::object o;
  o["code"] = c.code();
  o["name"] = c.name();
  o["list"] = CreditListName(c.list());
  o["severity"] = CreditSeverityName(c.severity());
  json::array orgs;
  for (const auto& org : c.deciding_orgs()) orgs.emplace_back(org);
  o["deciding_orgs"] = std::move(orgs);
  o["min_publicity_ms"] = c.min_publicity_ms();
  o["min_publicity_days"] = c.min_publicity_ms() / kDayMs;
  o["max_publicity_ms"] = c.max_publicity_ms();
  o["max_publicity_days"] = c.max_publicity_ms() / kDayMs;
  o["repairable"] = c.repairable();
  o["retired"] = c.retired();
  o["registered_height"] = c.registered_height();
  o["updated_height"] = c.updated_height();
  json::array list;
  for (const auto& m : measures) {
    if (m.category() == c.code()) list.push_back(CreditMeasureToJson(m));
  }
  o["measures"] = std::move(list);
  return o;
}

json::object CreditCommitmentToJson(const pb::CreditCommitment& c) {
  json::object o;
  o["id"] = c.id();
  o["subject"] = CreditSubjectToJson(c.subject());
  o["matter"] = c.matter();
  o["summary"] = c.summary();
  o["content_digest"] = ToHex(c.content_digest());
  o["recorded_by"] = c.recorded_by();
  PutTime(o, "made_at", c.made_at_ms());
  PutTime(o, "valid_until", c.valid_until_ms());
  o["state"] = CreditCommitmentStateName(c.state());
  PutTime(o, "broken_at", c.broken_at_ms());
  o["broken_note"] = c.broken_note();
  o["recorded_tx_id"] = ToHex(c.recorded_tx_id());
  return o;
}

json::object CreditReportToJson(const CreditReport& r, CreditView view) {
  json::object o;
  o["subject"] = CreditSubjectToJson(r.subject);
  PutTime(o, "at", r.at_ms);
  bool black = false, red = false;
  json::array entries, repairs;
  for (const auto& e : r.entries) {
    if (EffectiveState(e, r.at_ms) == pb::CREDIT_LISTED) {
      black = black || e.list() == pb::CREDIT_LIST_BLACK;
      red = red || e.list() == pb::CREDIT_LIST_RED;
    }
    entries.push_back(CreditEntryToJson(e, r.at_ms, view, NameOf(r.category_names, e.category())));
    for (const auto& a : e.repairs()) {
      if (view == CreditView::kFull || a.state() == pb::CREDIT_APPLICATION_APPROVED) {
        repairs.push_back(ApplicationToJson(a, e.id(), view));
      }
    }
  }
  o["current_list"] = black ? "black" : red ? "red" : "none";
  o["on_black_list"] = black;
  o["on_red_list"] = red;
  o["entries_total"] = r.entries_total;
  o["entries"] = std::move(entries);
  o["repairs"] = std::move(repairs);
  o["measures"] = HitsToJson(r.measures);
  json::array commitments;
  for (const auto& c : r.commitments) commitments.push_back(CreditCommitmentToJson(c));
  o["commitments"] = std::move(commitments);
  return o;
}

json::object CreditCheckToJson(const CreditCheck& c) {
  json::object o;
  o["subject"] = CreditSubjectToJson(c.subject);
  o["matter"] = c.matter;
  PutTime(o, "at", c.at_ms);
  o["applies"] = !c.measures.empty();
  o["measures"] = HitsToJson(c.measures);
  json::array entries;
  for (const auto& e : c.entries) {
    entries.push_back(CreditEntryToJson(e, c.at_ms, CreditView::kPublic, NameOf(c.category_names, e.category())));
  }
  o["entries"] = std::move(entries);
  return o;
}

json::object CreditPageToJson(const CreditPage& p) {
  json::object o;
  o["list"] = CreditListName(p.list);
  o["category"] = p.category;
  PutTime(o, "at", p.at_ms);
  json::array entries;
  for (const auto& e : p.entries) {
    entries.push_back(CreditEntryToJson(e, p.at_ms, CreditView::kPublic, NameOf(p.category_names, e.category())));
  }
  o["entries"] = std::move(entries);
  if (p.next_cursor.empty()) {
    o["next_cursor"] = nullptr;
  } else {
    o["next_cursor"] = p.next_cursor;
  }
  return o;
}

}  // namespace civic::contracts
