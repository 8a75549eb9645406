#include "rpc/methods.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "contracts/base/errors.h"
#include "rpc/call_render.h"
#include "rpc/error_codes.h"

namespace civic::rpc {

void MethodTable::Add(std::string name, Handler handler) {
  Method method{name, std::move(handler)};
  methods_.insert_or_assign(std::move(name), std::move(method));
}

const Method* MethodTable::Find(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

void MethodTable::AddCallDecoder(std::string contract, CallDecoder decoder) {
  decoders_.insert_or_assign(std::move(contract), std::move(decoder));
}

const CallDecoder* MethodTable::FindCallDecoder(std::string_view contract) const {
  auto it = decoders_.find(contract);
  return it == decoders_.end() ? nullptr : &it->second;
}

CallDecoder ProtoCallDecoder(const google::protobuf::Message& prototype) {
  return [&prototype](std::string_view bytes, contracts::Viewer viewer) -> Result<DecodedCall> {
    std::unique_ptr<google::protobuf::Message> call(prototype.New());
    if (!call->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::InvalidArgument(err::CALL_MALFORMED, "the " + prototype.GetDescriptor()->name() + " does not decode");
    }
    return RenderCall(call.get(), viewer);
  };
}

namespace {

Status InvalidParams(std::string message) {
  return Status::InvalidArgument(err::INVALID_PARAMS, std::move(message));
}

std::string Describe(std::string_view name, size_t pos) {
  return "parameter \"" + std::string(name) + "\" (position " + std::to_string(pos) + ")";
}

// The parameter by name (object) or position (array); nullptr when absent or null.
const json::value* Lookup(const json::value& params, std::string_view name, size_t pos) {
  const json::value* v = nullptr;
  if (const json::object* obj = params.if_object()) {
    v = obj->if_contains(name);
  } else if (const json::array* arr = params.if_array()) {
    if (pos < arr->size()) v = &(*arr)[pos];
  }
  if (v && v->is_null()) return nullptr;
  return v;
}

}  // namespace

Result<const json::value*> ValueParam(const json::value& params, std::string_view name,
                                      size_t pos, bool required) {
  if (!params.is_object() && !params.is_array() && !params.is_null()) {
    return InvalidParams("params must be an object or an array");
  }
  const json::value* v = Lookup(params, name, pos);
  if (!v && required) return InvalidParams("missing " + Describe(name, pos));
  return v;
}

Result<std::string> StringParam(const json::value& params, std::string_view name, size_t pos,
                                bool required, std::string def) {
  CIVIC_ASSIGN_OR_RETURN(const json::value* v, ValueParam(params, name, pos, required));
  if (!v) return def;
  if (!v->is_string()) return InvalidParams(Describe(name, pos) + " must be a string");
  return std::string(v->get_string());
}

Result<int64_t> IntParam(const json::value& params, std::string_view name, size_t pos,
                         bool required, int64_t def) {
  CIVIC_ASSIGN_OR_RETURN(const json::value* v, ValueParam(params, name, pos, required));
  if (!v) return def;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidParams(Describe(name, pos) + " is out of range");
    }
    return static_cast<int64_t>(v->get_uint64());
  }
  if (v->is_double()) {
    // 1e3 is an integer written in exponent form; 1.5 is not.
    double d = v->get_double();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
    return InvalidParams(Describe(name, pos) + " must be an integer");
  }
  return InvalidParams(Describe(name, pos) + " must be an integer");
}

Result<bool> BoolParam(const json::value& params, std::string_view name, size_t pos,
                       bool required, bool def) {
  CIVIC_ASSIGN_OR_RETURN(const json::value* v, ValueParam(params, name, pos, required));
  if (!v) return def;
  if (!v->is_bool()) return InvalidParams(Describe(name, pos) + " must be true or false");
  return v->get_bool();
}

}  // namespace civic::rpc
