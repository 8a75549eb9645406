// JSON-RPC method registry. Each module registers its methods with their docs
// (rpc/methods_*.cc); the server dispatches by name.
//
// A handler answers through `reply` exactly once, synchronously or later (tx_commit
// waits for a commit). Errors are Status values: the server maps the Code to a
// JSON-RPC error code and puts the stable app code in error.data.app_code.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>

#include "rpc/backend.h"

namespace civic::rpc {

namespace json = boost::json;

struct CallContext {
  NodeBackend* node = nullptr;
  std::string remote;  // peer address, for logs and rate limits
};

using Reply = std::function<void(Result<json::value>)>;
using Handler = std::function<void(const CallContext&, const json::value& params, Reply reply)>;

struct Method {
  std::string name;
  std::string summary;  // one line for docs
  Handler handler;
};

class MethodTable {
 public:
  void Add(std::string name, std::string summary, Handler handler);
  const Method* Find(std::string_view name) const;
  const std::map<std::string, Method, std::less<>>& all() const { return methods_; }

 private:
  std::map<std::string, Method, std::less<>> methods_;
};

// Registration functions, one per module.
void RegisterChainMethods(MethodTable* table);        // chain_*, tx_*
void RegisterCertificateMethods(MethodTable* table);  // cert_*
void RegisterGovernanceMethods(MethodTable* table);   // gov_*

// Helpers for handlers: typed parameter access with INVALID_PARAMS errors.
// Params may be an object (by name) or an array (by position).
Result<std::string> StringParam(const json::value& params, std::string_view name, size_t pos,
                                bool required = true, std::string def = "");
Result<int64_t> IntParam(const json::value& params, std::string_view name, size_t pos,
                         bool required = true, int64_t def = 0);

}  // namespace civic::rpc
