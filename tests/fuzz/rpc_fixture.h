// The JSON-RPC side of the fuzz targets: every method of this build
// (RegisterAllMethods) over a FuzzNode on the sample chain, and a dispatcher.
// Built once per process. Not thread-safe (fuzz targets run one input at a time).
#pragma once

#include "rpc/jsonrpc.h"
#include "rpc/methods.h"
#include "tests/fuzz/sample_chain.h"

namespace civic::fuzz {

struct RpcFixture {
  static constexpr size_t kMaxBatch = 16;

  rpc::MethodTable methods;
  FuzzNode node;
  std::unique_ptr<rpc::Dispatcher> dispatcher;
  rpc::CallContext context;

  static RpcFixture& Get() {
    static RpcFixture* fixture = new RpcFixture();
    return *fixture;
  }

 private:
  RpcFixture() {
    rpc::RegisterAllMethods(&methods);
    dispatcher = std::make_unique<rpc::Dispatcher>(&methods, kMaxBatch);
    context.node = &node;
    context.remote = "fuzz";
    context.methods = &methods;
  }
};

}  // namespace civic::fuzz
