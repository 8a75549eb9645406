#include "rpc/call_render.h"

#include <google/protobuf/util/json_util.h>

#include <string>
#include <vector>

namespace civic::rpc {

Result<DecodedCall> RenderCall(google::protobuf::Message* call, contracts::Viewer viewer) {
  DecodedCall out;
  std::vector<const google::protobuf::FieldDescriptor*> set_fields;
  call->GetReflection()->ListFields(*call, &set_fields);
  if (!set_fields.empty()) out.method = set_fields.front()->name();
  out.redacted = contracts::Redact(call, viewer) > 0;
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(*call, &text, options).ok()) {
    return Status::Internal("a call could not be rendered as JSON");
  }
  boost::system::error_code ec;
  out.call = json::parse(text, ec);
  if (ec) return Status::Internal("a call's JSON does not parse");
  return out;
}

}  // namespace civic::rpc
