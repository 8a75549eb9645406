// The data-sharing contract's values as JSON: the answers of the sharing_* RPC
// methods (rpc/methods_sharing.cc) and the CLI's JSONL batches of accesses and
// acknowledgements (tools/cmd_sharing.cc).
//
// Conventions (docs/RPC.md): binary values are lower-case hex; times appear as
// "<name>_ms" and "<name>" (RFC 3339, "" for 0); enum values by their names
// (contracts/base/enum_names.h; violation reasons upper case). Member order is
// part of the answer: docs/RPC.md shows it and the tests check it.
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "contracts/sharing/query.h"
#include "contracts/sharing/sharing.pb.h"
#include "crypto/base/status.h"

namespace civic::rpc {

// One access as a JSON object:
//   {"request_id": "...", "resource": "...", "provider": "<USCC>"?, "grant": "..."?,
//    "purpose": "...", "fields": ["name", ...], "subject_tags": ["<64 hex>", ...]?,
//    "subject_keys": ["<64 hex>", ...]?, "record_count": 12,
//    "response_digest": "<64 hex>", "accessed_at": ms | "RFC 3339"?}
// Subjects are given as tags (contracts/sharing/subject_tag.h) or as subject
// keys, each turned into its tag under `requester_org` (the logging org); the
// call carries tags only. record_count defaults to the number of subjects.
// Unknown members are refused. Typed errors: ACCESS_MALFORMED (naming the
// member), BAD_SUBJECT_COMMITMENT; syntax errors of the values keep their own codes
// (BAD_REQUEST_ID, ...).
Result<pb::SharingAccess> AccessFromJson(const boost::json::value& json, std::string_view requester_org);
boost::json::object AccessToJson(const pb::SharingAccess& access);
// {"requester": "<USCC>", "request_id": "...", "provider_digest": "<64 hex>"}.
// Typed error: ACK_MALFORMED.
Result<pb::SharingAck> AckFromJson(const boost::json::value& json);

boost::json::object ResourceToJson(const pb::SharingResource& resource);
boost::json::object GrantToJson(const pb::SharingGrant& grant);
// An access record for auditors. `resource_name` is "" for resources outside the
// catalogue; subject tags are listed only when `with_subjects`.
boost::json::object AccessRecordToJson(const pb::SharingAccessRecord& record, std::string_view resource_name,
                                       bool with_subjects);
// An access record as shown to the subject itself: who read which fields of its
// data, when, why and with what verdict; nothing about other subjects of the
// same access (no subject tags, counts or response digests).
boost::json::object SubjectAccessToJson(const pb::SharingAccessRecord& record, std::string_view resource_name);
boost::json::object StatsToJson(const contracts::SharingStats& stats);

}  // namespace civic::rpc
