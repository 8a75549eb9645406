#include "rpc/codec/credit.h"

#include "contracts/base/enum_names.h"
#include "contracts/base/time_format.h"
#include "contracts/base/visibility.h"
#include "contracts/credit/rules.h"
#include "crypto/signature.h"

namespace civic::rpc {

namespace json = boost::json;
using contracts::CreditView;

namespace {

void PutTime(json::object& o, std::string_view name, int64_t ms) {
  o[std::string(name) + "_ms"] = ms;
  if (ms == 0) {
    o[name] = nullptr;
  } else {
    o[name] = contracts::FormatRfc3339(ms);
  }
}

json::value HexOrNull(std::string_view bytes) {
  if (bytes.empty()) return nullptr;
  return json::value(ToHex(bytes));
}

std::string KeyText(uint32_t algo, std::string_view key) {
  return crypto::PublicKey{static_cast<crypto::Algo>(algo), std::string(key)}.ToString();
}

std::string NameOf(const contracts::CreditCategoryNames& names, std::string_view code) {
  auto it = names.find(code);
  return it == names.end() ? std::string() : it->second;
}

// The full view is the deciding org's (ISSUER in credit.proto's annotations).
contracts::Viewer ViewerOf(CreditView view) {
  return view == CreditView::kFull ? contracts::Viewer::kIssuer : contracts::Viewer::kPublic;
}

// Sets o[field] when the viewer may see `field` of `message` (visibility.proto).
void PutIfVisible(json::object& o, const google::protobuf::Descriptor& message, std::string_view field,
                  contracts::Viewer viewer, json::value value) {
  if (contracts::FieldVisible(message, field, viewer)) o[field] = std::move(value);
}

json::object ApplicationToJson(const pb::CreditApplication& a, uint64_t entry_id, CreditView view) {
  json::object o;
  o["entry"] = entry_id;
  o["seq"] = a.seq();
  o["state"] = contracts::EnumName(a.state());
  PutTime(o, "filed_at", a.filed_at_ms());
  PutTime(o, "decided_at", a.decided_at_ms());
  const google::protobuf::Descriptor& d = *pb::CreditApplication::descriptor();
  contracts::Viewer viewer = ViewerOf(view);
  PutIfVisible(o, d, "applicant_org", viewer, json::value(a.applicant_org()));
  PutIfVisible(o, d, "on_behalf", viewer, json::value(a.on_behalf()));
  PutIfVisible(o, d, "evidence_digest", viewer, json::value(ToHex(a.evidence_digest())));
  PutIfVisible(o, d, "statement", viewer, json::value(a.statement()));
  PutIfVisible(o, d, "decision_note", viewer, json::value(a.decision_note()));
  PutIfVisible(o, d, "filed_tx_id", viewer, HexOrNull(a.filed_tx_id()));
  PutIfVisible(o, d, "decided_tx_id", viewer, HexOrNull(a.decided_tx_id()));
  return o;
}

json::object EventToJson(const pb::CreditEvent& e) {
  json::object o;
  o["kind"] = contracts::EnumName(e.kind());
  PutTime(o, "time", e.time_ms());
  o["height"] = e.height();
  o["tx_id"] = HexOrNull(e.tx_id());
  o["org"] = e.org();
  o["note"] = e.note();
  o["state_after"] = contracts::EnumName(e.state_after());
  return o;
}

json::object HitToJson(const contracts::MeasureHit& hit) {
  json::object o = CreditMeasureToJson(hit.measure);
  o["list"] = contracts::EnumName(hit.list);
  json::array ids;
  for (uint64_t id : hit.entries) ids.emplace_back(id);
  o["entries"] = std::move(ids);
  return o;
}

json::array HitsToJson(const std::vector<contracts::MeasureHit>& hits) {
  json::array out;
  for (const auto& h : hits) out.push_back(HitToJson(h));
  return out;
}

}  // namespace

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
  pb::CreditEntryState state = contracts::EffectiveState(e, now_ms);
  bool published = state == pb::CREDIT_LISTED;
  json::object o;
  o["id"] = e.id();
  o["subject"] = CreditSubjectToJson(e.subject());
  o["list"] = contracts::EnumName(e.list());
  o["category"] = e.category();
  o["category_name"] = category_name;
  o["deciding_org"] = e.deciding_org();
  PutTime(o, "listed_at", e.listed_at_ms());
  o["listed_tx_id"] = ToHex(e.listed_tx_id());
  o["height"] = e.height();
  o["state"] = contracts::EnumName(state);
  o["published"] = published;
  if (!published) {
    int64_t ended = e.ended_at_ms() != 0 ? e.ended_at_ms() : e.publicity_end_ms();
    PutTime(o, "ended_at", ended);
  }
  if (published || view == CreditView::kFull) {
    o["severity"] = contracts::EnumName(e.severity());
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
  const google::protobuf::Descriptor& d = *pb::CreditEntry::descriptor();
  contracts::Viewer viewer = ViewerOf(view);
  PutIfVisible(o, d, "listing_key", viewer, json::value(KeyText(e.listing_key_algo(), e.listing_key())));
  if (view == CreditView::kFull) {  // the public report lists approved repairs on its own
    json::array repairs;
    for (const auto& a : e.repairs()) repairs.push_back(ApplicationToJson(a, e.id(), view));
    o["repairs"] = std::move(repairs);
  }
  if (contracts::FieldVisible(d, "objections", viewer)) {
    json::array objections;
    for (const auto& a : e.objections()) objections.push_back(ApplicationToJson(a, e.id(), view));
    o["objections"] = std::move(objections);
  }
  if (contracts::FieldVisible(d, "events", viewer)) {
    json::array events;
    for (const auto& ev : e.events()) events.push_back(EventToJson(ev));
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
  o["list"] = contracts::EnumName(c.list());
  o["severity"] = contracts::EnumName(c.severity());
  json::array orgs;
  for (const auto& org : c.deciding_orgs()) orgs.emplace_back(org);
  o["deciding_orgs"] = std::move(orgs);
  o["min_publicity_ms"] = c.min_publicity_ms();
  o["min_publicity_days"] = c.min_publicity_ms() / contracts::kDayMs;
  o["max_publicity_ms"] = c.max_publicity_ms();
  o["max_publicity_days"] = c.max_publicity_ms() / contracts::kDayMs;
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
  o["state"] = contracts::EnumName(c.state());
  PutTime(o, "broken_at", c.broken_at_ms());
  o["broken_note"] = c.broken_note();
  o["recorded_tx_id"] = ToHex(c.recorded_tx_id());
  return o;
}

json::object CreditReportToJson(const contracts::CreditReport& r, CreditView view) {
  json::object o;
  o["subject"] = CreditSubjectToJson(r.subject);
  PutTime(o, "at", r.at_ms);
  bool black = false, red = false;
  json::array entries, repairs;
  for (const auto& e : r.entries) {
    if (contracts::EffectiveState(e, r.at_ms) == pb::CREDIT_LISTED) {
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

json::object CreditCheckToJson(const contracts::CreditCheck& c) {
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

json::object CreditPageToJson(const contracts::CreditPage& p) {
  json::object o;
  o["list"] = contracts::EnumName(p.list);
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

}  // namespace civic::rpc
