// Fuzz target: a whole JSON-RPC request body as a client POSTs it (single call or
// batch), handled by the real dispatcher and every method of this build over the
// sample chain.
// Properties: `done` is called exactly once and synchronously (no handler of
// this backend replies later); the response is empty (notifications only) or
// valid JSON: an object, or an array for a batch.
#include <boost/json.hpp>

#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/rpc_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  RpcFixture& rpc = RpcFixture::Get();
  int calls = 0;
  std::string body;
  rpc.dispatcher->Handle(
      AsText(data, size), rpc.context, [](size_t) { return true; },
      [&](rpc::DispatchResult result) {
        ++calls;
        body = std::move(result.body);
      });
  FUZZ_CHECK(calls == 1);
  if (!body.empty()) {
    std::error_code ec;
    boost::json::value response = boost::json::parse(body, ec);
    FUZZ_CHECK(!ec);
    FUZZ_CHECK(response.is_object() || response.is_array());
  }
  return 0;
}
