// The one rendering of a contract's call message for a viewer, shared by every
// call decoder (ProtoCallDecoder in rpc/methods.h, the governance decoder in
// rpc/codec/governance.h, which renders a proposal's action with the decoder
// of the action's contract): the call's name, the call redacted for the viewer
// (contracts/base/visibility.h) and its JSON.
//
// Pure; thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include "contracts/base/visibility.h"
#include "crypto/base/status.h"
#include "rpc/methods.h"

namespace civic::rpc {

// `method` from the set field of the call's oneof, `call` with what `viewer`
// may not see cleared (in place) and rendered by protobuf's JSON mapping with
// the proto field names (bytes as base64), `redacted` whether anything was
// cleared. Typed error: INTERNAL when the JSON cannot be made.
Result<DecodedCall> RenderCall(google::protobuf::Message* call, contracts::Viewer viewer);

}  // namespace civic::rpc
