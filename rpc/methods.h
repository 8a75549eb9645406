// JSON-RPC method registry. Each module registers its methods (rpc/methods_*.cc);
// the server dispatches by name. docs/RPC.md is the one place that documents
// them: params, answers, errors and an example of each, which the tests run
// against a node (tests/unit/rpc/doc_examples_test.cc, and the credit and
// sharing rpc tests for theirs).
//
// A handler answers through `reply` exactly once, synchronously or later (tx_commit
// waits for a commit). Errors are Status values: the server maps the Code to a
// JSON-RPC error code and puts the stable app code in error.data.app_code.
#pragma once

#include <google/protobuf/message.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>

#include "contracts/base/visibility.h"
#include "rpc/backend.h"

namespace civic::rpc {

namespace json = boost::json;

class MethodTable;

struct CallContext {
  NodeBackend* node = nullptr;
  std::string remote;  // peer address, for logs and rate limits
  // The table the call was dispatched from (lets chain_getTx find call decoders).
  const MethodTable* methods = nullptr;
};

using Reply = std::function<void(Result<json::value>)>;
using Handler = std::function<void(const CallContext&, const json::value& params, Reply reply)>;

// A contract's serialized call message (TxBody.call) as `viewer` may see it:
// `method` (the call's name, public for every viewer), `call` (JSON of what is
// left after redaction, contracts/base/visibility.h) and `redacted` (whether
// anything was removed).
struct DecodedCall {
  std::string method;
  json::value call;
  bool redacted = false;
};

// Must not throw; a call that does not decode gets an error Status.
using CallDecoder = std::function<Result<DecodedCall>(std::string_view call, contracts::Viewer viewer)>;

// The decoder of a contract whose call is a protobuf message holding one oneof
// (`prototype`, e.g. pb::CreditCall::default_instance(), which must outlive the
// decoder): parsed, redacted for the viewer, rendered by protobuf's JSON mapping
// with the proto field names (bytes as base64). Typed error: CALL_MALFORMED.
CallDecoder ProtoCallDecoder(const google::protobuf::Message& prototype);

struct Method {
  std::string name;
  Handler handler;
};

// Filled once at start-up (Add, AddCallDecoder), then read concurrently by the
// server's threads without locks; do not add after the server has started.
class MethodTable {
 public:
  void Add(std::string name, Handler handler);
  const Method* Find(std::string_view name) const;
  const std::map<std::string, Method, std::less<>>& all() const { return methods_; }

  // Decoders for TxBody.call, by contract name (TxBody.contract).
  void AddCallDecoder(std::string contract, CallDecoder decoder);
  const CallDecoder* FindCallDecoder(std::string_view contract) const;

 private:
  std::map<std::string, Method, std::less<>> methods_;
  std::map<std::string, CallDecoder, std::less<>> decoders_;
};

// Registration functions, one per module.
void RegisterChainMethods(MethodTable* table);        // chain_*, tx_*
void RegisterCertificateMethods(MethodTable* table);  // cert_*
void RegisterGovernanceMethods(MethodTable* table);   // gov_*
void RegisterCreditMethods(MethodTable* table);       // credit_*
void RegisterSharingMethods(MethodTable* table);      // sharing_*
void RegisterProofMethods(MethodTable* table);        // cert_proof, state_proof, light_headers
// Every method this build has (chain_*, tx_*, and cert_* / gov_* / credit_* /
// sharing_* when their files are built in; see rpc/CMakeLists.txt).
void RegisterAllMethods(MethodTable* table);

// Helpers for handlers: typed parameter access with INVALID_PARAMS errors.
// Params may be an object (by name) or an array (by position).
Result<std::string> StringParam(const json::value& params, std::string_view name, size_t pos,
                                bool required = true, std::string def = "");
Result<int64_t> IntParam(const json::value& params, std::string_view name, size_t pos,
                         bool required = true, int64_t def = 0);
Result<bool> BoolParam(const json::value& params, std::string_view name, size_t pos,
                       bool required = true, bool def = false);
// The raw parameter, or nullptr when it is absent (or null) and not required.
Result<const json::value*> ValueParam(const json::value& params, std::string_view name,
                                      size_t pos, bool required = true);

}  // namespace civic::rpc
