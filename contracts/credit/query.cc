#include "contracts/credit/query.h"

#include <algorithm>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/credit/keys.h"
#include "contracts/credit/rules.h"

namespace civic::contracts {
namespace {

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

Status AddCategoryName(const ledger::KvReader& state, std::string_view code, CreditCategoryNames* names) {
  if (names->count(code)) return Status::Ok();
  auto c = ReadRecord<pb::CreditCategory>(state, credit_keys::Category(code));
  if (!c.ok()) return c.status();
  names->emplace(std::string(code), c->has_value() ? (*c)->name() : std::string());
  return Status::Ok();
}

// The measures that apply to the published entries among `entries` for `matter`
// (empty: any), in (category, code) order, and the ids of the entries that trigger one.
Result<std::vector<MeasureHit>> MeasuresFor(const ledger::KvReader& state, const std::vector<pb::CreditEntry>& entries,
                                            std::string_view matter, int64_t now_ms, std::set<uint64_t>* triggering) {
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

std::string Cursor(const pb::CreditEntry& e) { return e.category() + "/" + std::to_string(e.id()); }

}  // namespace

// ---------------------------------------------------------------------------
// Reads

Result<pb::CreditCategory> GetCreditCategory(const ledger::KvReader& state, std::string_view code) {
  CIVIC_RETURN_IF_ERROR(CheckCategoryCode(code));
  auto c = ReadRecord<pb::CreditCategory>(state, credit_keys::Category(code));
  if (!c.ok()) return c.status();
  if (!c->has_value()) return Status::NotFound(err::UNKNOWN_CATEGORY, "no credit category '" + std::string(code) + "'");
  return std::move(**c);
}

Result<std::vector<pb::CreditCategory>> ListCreditCategories(const ledger::KvReader& state) {
  return RecordsUnder<pb::CreditCategory>(state, credit_keys::kCategoryPrefix);
}

Result<std::vector<pb::CreditMeasure>> ListCreditMeasures(const ledger::KvReader& state, std::string_view category) {
  return RecordsUnder<pb::CreditMeasure>(
      state, category.empty() ? std::string(credit_keys::kMeasurePrefix) : credit_keys::MeasurePrefix(category));
}

Result<pb::CreditEntry> GetCreditEntry(const ledger::KvReader& state, uint64_t id) {
  auto e = ReadRecord<pb::CreditEntry>(state, credit_keys::Entry(id));
  if (!e.ok()) return e.status();
  if (id == 0 || !e->has_value()) return Status::NotFound(err::ENTRY_NOT_FOUND, "no credit entry " + std::to_string(id));
  return std::move(**e);
}

Result<pb::CreditCommitment> GetCreditCommitment(const ledger::KvReader& state, uint64_t id) {
  auto c = ReadRecord<pb::CreditCommitment>(state, credit_keys::Commitment(id));
  if (!c.ok()) return c.status();
  if (id == 0 || !c->has_value()) {
    return Status::NotFound(err::COMMITMENT_NOT_FOUND, "no credit commitment " + std::to_string(id));
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
  return Status::InvalidArgument(err::BAD_SUBJECT,
                                 "a subject is an 18-character unified social credit code or the "
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
  if (!matter.empty()) CIVIC_RETURN_IF_ERROR(CheckMatter(matter));
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
    return Status::InvalidArgument(err::BAD_LIST, "the list must be red or black");
  }
  if (limit < 1 || limit > kMaxCreditPage) {
    return Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1.." + std::to_string(kMaxCreditPage));
  }
  if (!category.empty()) CIVIC_RETURN_IF_ERROR(GetCreditCategory(state, category).status());
  std::string prefix = credit_keys::ListIndexPrefix(list, category);
  std::string start;
  if (!cursor.empty()) {
    auto bad = [] { return Status::InvalidArgument(err::BAD_CURSOR, "the cursor is not a next_cursor of credit_list"); };
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

}  // namespace civic::contracts
