// Field visibility of the contracts' messages (contracts/base/visibility.proto)
// and the one redaction every reader of contract data applies: the RPC chain
// codec for tx bodies (chain_getTx, /v1/txs/{id}) and the query renderers.
//
// Rule: a field's visibility is its own `visibility` option, else the
// `default_visibility` of its message, else PUBLIC (an unannotated field is
// public; the table test in tests/unit/contracts/visibility_test.cc keeps
// docs/security/confid.md equal to what the .proto files say, so a change of
// what is public shows in review). A viewer may see:
//   kPublic  - PUBLIC
//   kSubject - PUBLIC, SUBJECT
//   kIssuer  - PUBLIC, ISSUER
//   kAuditor - everything
// Redact clears, recursively through set sub-messages (and every element of
// repeated ones), each set field the viewer may not see, and drops unknown
// fields for every viewer but an auditor (they could carry anything).
//
// Pure functions over protobuf descriptors and reflection; thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <vector>

#include "contracts/base/visibility.pb.h"

namespace civic::contracts {

enum class Viewer { kPublic, kSubject, kIssuer, kAuditor };

pb::Visibility FieldVisibility(const google::protobuf::FieldDescriptor& field);
bool MaySee(pb::Visibility visibility, Viewer viewer);
// For renderers that pick fields by hand: whether `viewer` may see the field
// `field_name` of `message` (false for a name the message does not have).
bool FieldVisible(const google::protobuf::Descriptor& message, std::string_view field_name, Viewer viewer);

// Clears what `viewer` may not see; returns how many set fields (and unknown
// field sets) were removed, 0 when the viewer sees the message whole.
size_t Redact(google::protobuf::Message* message, Viewer viewer);

// "public" | "auditor" | "subject" | "issuer".
std::string_view VisibilityName(pb::Visibility visibility);

// One row per message of `file` with a non-public default and per field whose
// visibility is not PUBLIC, in declaration order: "| Message | field | level |"
// (field "*" for a message default). The visibility table of the docs.
std::vector<std::string> VisibilityTable(const google::protobuf::FileDescriptor& file);

}  // namespace civic::contracts
