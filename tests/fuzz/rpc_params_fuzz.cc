// Fuzz target: the params of every JSON-RPC method. The first byte picks the
// method (in name order among all methods of this build); the rest is the params
// as JSON text (text that does not parse is passed as a JSON string). The call
// runs through Dispatcher::Call against the sample chain.
// Properties: the reply comes exactly once and synchronously; an error carries a
// stable app code.
#include <boost/json.hpp>

#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/rpc_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  RpcFixture& rpc = RpcFixture::Get();
  static const std::vector<std::string>* names = [] {
    auto* all = new std::vector<std::string>();
    for (const auto& [name, method] : RpcFixture::Get().methods.all()) all->push_back(name);
    return all;
  }();
  std::string_view in = AsText(data, size);
  const std::string& method = (*names)[TakeByte(&in) % names->size()];
  std::error_code ec;
  boost::json::value params = boost::json::parse(in, ec);
  if (ec) params = boost::json::string(in);
  int replies = 0;
  rpc.dispatcher->Call(method, params, rpc.context, [&](Result<boost::json::value> result) {
    ++replies;
    FUZZ_CHECK(result.ok() || !result.status().app_code().empty());
  });
  FUZZ_CHECK(replies == 1);
  return 0;
}
