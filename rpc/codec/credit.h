// JSON renderings of the credit contract's records and query results, as the
// credit_* RPC methods, REST (GET /v1/credit/{subject}) and the CLI show them
// (docs/RPC.md). Binary values are lower-case hex, keys "<algo>:<hex>", times
// both as "<name>_ms" and RFC 3339 "<name>" (0 ms renders as null). Member order
// is part of the format.
//
// An entry is rendered in its state at the result's time (EffectiveState), and
// in the view asked for (contracts/credit/query.h: CreditView says what each
// caller may see).
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "contracts/credit/credit.pb.h"
#include "contracts/credit/query.h"

namespace civic::rpc {

boost::json::object CreditSubjectToJson(const pb::CreditSubject& subject);
boost::json::object CreditEntryToJson(const pb::CreditEntry& entry, int64_t now_ms, contracts::CreditView view,
                                      std::string_view category_name);
// The category with those of `measures` that belong to it.
boost::json::object CreditCategoryToJson(const pb::CreditCategory& category,
                                         const std::vector<pb::CreditMeasure>& measures);
boost::json::object CreditMeasureToJson(const pb::CreditMeasure& measure);
boost::json::object CreditCommitmentToJson(const pb::CreditCommitment& commitment);
boost::json::object CreditReportToJson(const contracts::CreditReport& report, contracts::CreditView view);
boost::json::object CreditCheckToJson(const contracts::CreditCheck& check);
boost::json::object CreditPageToJson(const contracts::CreditPage& page);

}  // namespace civic::rpc
