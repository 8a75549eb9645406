#include "rpc/jsonrpc.h"

#include <gtest/gtest.h>

#include <future>
#include <random>

#include "test_util.h"

namespace civic::rpc {
namespace {

using testing::ParseJson;

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : dispatcher_(&methods_, 5) { testing::RegisterTestMethods(&methods_); }

  DispatchResult Run(std::string_view body, const Dispatcher::AdmitHook& admit = {}) {
    std::promise<DispatchResult> promise;
    auto future = promise.get_future();
    auto calls = std::make_shared<std::atomic<int>>(0);
    dispatcher_.Handle(body, CallContext{}, admit, [&promise, calls](DispatchResult r) {
      if (calls->fetch_add(1) == 0) promise.set_value(std::move(r));
    });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready) << body;
    DispatchResult r = future.get();
    EXPECT_EQ(calls->load(), 1);
    return r;
  }

  json::object RunOne(std::string_view body) {
    DispatchResult r = Run(body);
    json::value v = ParseJson(r.body);
    EXPECT_TRUE(v.is_object()) << r.body;
    EXPECT_TRUE(ValidateResponse(v).ok()) << r.body;
    return v.is_object() ? v.get_object() : json::object();
  }

  static int64_t ErrorCode(const json::object& resp) {
    return resp.at("error").at("code").as_int64();
  }
  static std::string AppCode(const json::object& resp) {
    return std::string(resp.at("error").at("data").at("app_code").as_string());
  }

  MethodTable methods_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, SingleCallKeepsIdAndReturnsResult) {
  auto resp = RunOne(R"({"jsonrpc":"2.0","id":7,"method":"echo","params":{"x":[1,2]}})");
  EXPECT_EQ(resp.at("id"), json::value(7));
  EXPECT_EQ(resp.at("result"), ParseJson(R"({"x":[1,2]})"));
  resp = RunOne(R"({"jsonrpc":"2.0","id":"abc","method":"add","params":[2,3]})");
  EXPECT_EQ(resp.at("id"), json::value("abc"));
  EXPECT_EQ(resp.at("result"), json::value(5));
  resp = RunOne(R"({"jsonrpc":"2.0","id":null,"method":"echo"})");
  EXPECT_TRUE(resp.at("id").is_null());
  EXPECT_EQ(resp.at("result"), json::value(json::object()));
}

TEST_F(DispatcherTest, ParseErrors) {
  for (std::string_view body : {"", "{", "not json", "{\"jsonrpc\":\"2.0\",", "[1,2", "\xff\xfe"}) {
    auto resp = RunOne(body);
    EXPECT_EQ(ErrorCode(resp), kParseError) << body;
    EXPECT_TRUE(resp.at("id").is_null());
    EXPECT_EQ(AppCode(resp), "PARSE_ERROR");
  }
  // Nesting deeper than the parser allows is a parse error, not a crash.
  std::string deep(10000, '[');
  EXPECT_EQ(ErrorCode(RunOne(deep)), kParseError);
}

TEST_F(DispatcherTest, InvalidRequests) {
  const char* cases[] = {
      R"(1)",
      R"("str")",
      R"({"id":1,"method":"echo"})",
      R"({"jsonrpc":"1.0","id":1,"method":"echo"})",
      R"({"jsonrpc":2.0,"id":1,"method":"echo"})",
      R"({"jsonrpc":"2.0","id":1})",
      R"({"jsonrpc":"2.0","id":1,"method":42})",
      R"({"jsonrpc":"2.0","id":1,"method":""})",
      R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})",
      R"({"jsonrpc":"2.0","id":1,"method":"echo","params":3})",
      R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})",
      R"({"jsonrpc":"2.0","id":[1],"method":"echo"})",
      R"({"jsonrpc":"2.0","id":true,"method":"echo"})",
      R"({"jsonrpc":"2.0","id":1,"method":"echo","extra":1})",
  };
  for (const char* body : cases) {
    auto resp = RunOne(body);
    EXPECT_EQ(ErrorCode(resp), kInvalidRequest) << body;
    EXPECT_EQ(AppCode(resp), "INVALID_REQUEST") << body;
  }
  // A usable id is echoed even when the request is invalid.
  auto resp = RunOne(R"({"jsonrpc":"1.0","id":9,"method":"echo"})");
  EXPECT_EQ(resp.at("id"), json::value(9));
  resp = RunOne(R"({"jsonrpc":"2.0","id":[1],"method":"echo"})");
  EXPECT_TRUE(resp.at("id").is_null());
}

TEST_F(DispatcherTest, MethodNotFoundAndInvalidParams) {
  auto resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"nope"})");
  EXPECT_EQ(ErrorCode(resp), kMethodNotFound);
  EXPECT_EQ(AppCode(resp), "METHOD_NOT_FOUND");
  EXPECT_EQ(resp.at("error").at("data").at("code_name"), json::value("NOT_FOUND"));

  resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1}})");
  EXPECT_EQ(ErrorCode(resp), kInvalidParams);
  EXPECT_EQ(AppCode(resp), "INVALID_PARAMS");
  resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":"1","b":2}})");
  EXPECT_EQ(ErrorCode(resp), kInvalidParams);
  resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1.5,"b":2}})");
  EXPECT_EQ(ErrorCode(resp), kInvalidParams);
  resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1e3,"b":2}})");
  EXPECT_EQ(resp.at("result"), json::value(1002));
  resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":18446744073709551615,"b":2}})");
  EXPECT_EQ(ErrorCode(resp), kInvalidParams);
}

TEST_F(DispatcherTest, ApplicationErrorsMapToStableCodes) {
  struct Case {
    const char* code;
    int rpc;
    const char* app;
    const char* name;
  } cases[] = {
      {"not_found", -32002, "THING_NOT_FOUND", "NOT_FOUND"},
      {"permission", -32004, "NOT_ISSUER", "PERMISSION_DENIED"},
      {"deadline", -32008, "TX_TIMEOUT", "DEADLINE_EXCEEDED"},
      {"internal", -32603, "INTERNAL", "INTERNAL"},
      {"bad", -32602, "BAD_THING", "INVALID_ARGUMENT"},
  };
  for (const Case& c : cases) {
    auto resp = RunOne(std::string(R"({"jsonrpc":"2.0","id":1,"method":"fail","params":{"code":")") + c.code + "\"}}");
    EXPECT_EQ(ErrorCode(resp), c.rpc) << c.code;
    EXPECT_EQ(AppCode(resp), c.app);
    EXPECT_EQ(resp.at("error").at("data").at("code_name"), json::value(c.name));
    EXPECT_TRUE(resp.at("error").at("message").is_string());
  }
}

TEST_F(DispatcherTest, HandlersThatThrowOrDropTheirReplyGetInternalErrors) {
  auto resp = RunOne(R"({"jsonrpc":"2.0","id":1,"method":"throw"})");
  EXPECT_EQ(ErrorCode(resp), kInternalError);
  resp = RunOne(R"({"jsonrpc":"2.0","id":2,"method":"silent"})");
  EXPECT_EQ(ErrorCode(resp), kInternalError);
  EXPECT_EQ(resp.at("id"), json::value(2));
}

TEST_F(DispatcherTest, NotificationsGetNoAnswer) {
  EXPECT_EQ(Run(R"({"jsonrpc":"2.0","method":"echo","params":[1]})").body, "");
  EXPECT_EQ(Run(R"({"jsonrpc":"2.0","method":"nope"})").body, "");
  EXPECT_EQ(Run(R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"later","params":[1]}])").body, "");
}

TEST_F(DispatcherTest, BatchAnswersInOrderWithoutNotifications) {
  DispatchResult r = Run(R"([
    {"jsonrpc":"2.0","id":1,"method":"later","params":{"ms":30}},
    {"jsonrpc":"2.0","method":"echo","params":["note"]},
    {"jsonrpc":"2.0","id":2,"method":"add","params":[1,2]},
    5,
    {"jsonrpc":"2.0","id":3,"method":"nope"}
  ])");
  json::value v = ParseJson(r.body);
  ASSERT_TRUE(v.is_array());
  const json::array& a = v.get_array();
  ASSERT_EQ(a.size(), 4u);
  for (const auto& item : a) EXPECT_TRUE(ValidateResponse(item).ok()) << json::serialize(item);
  EXPECT_EQ(a[0].at("id"), json::value(1));
  EXPECT_EQ(a[0].at("result"), json::value(30));
  EXPECT_EQ(a[1].at("result"), json::value(3));
  EXPECT_TRUE(a[2].at("id").is_null());
  EXPECT_EQ(a[2].at("error").at("code"), json::value(kInvalidRequest));
  EXPECT_EQ(a[3].at("error").at("code"), json::value(kMethodNotFound));
}

TEST_F(DispatcherTest, EmptyAndOversizedBatches) {
  auto resp = RunOne("[]");
  EXPECT_EQ(ErrorCode(resp), kInvalidRequest);
  std::string big = "[";
  for (int i = 0; i < 6; ++i) big += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","id":1,"method":"echo"})";
  big += "]";
  resp = RunOne(big);
  EXPECT_EQ(ErrorCode(resp), kInvalidRequest);
  EXPECT_EQ(AppCode(resp), "BATCH_TOO_LARGE");
}

TEST_F(DispatcherTest, AdmitHookSeesCallCountAndCanRefuse) {
  size_t seen = 0;
  DispatchResult r = Run(R"([{"jsonrpc":"2.0","id":1,"method":"echo"},{"jsonrpc":"2.0","id":2,"method":"echo"}])",
                         [&](size_t n) {
                           seen = n;
                           return false;
                         });
  EXPECT_EQ(seen, 2u);
  EXPECT_FALSE(r.admitted);
  EXPECT_EQ(r.body, "");
}

TEST_F(DispatcherTest, ManyConcurrentAsyncBatches) {
  std::vector<std::future<DispatchResult>> futures;
  std::vector<std::shared_ptr<std::promise<DispatchResult>>> promises;
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<std::promise<DispatchResult>>();
    futures.push_back(p->get_future());
    promises.push_back(p);
    dispatcher_.Handle(R"([{"jsonrpc":"2.0","id":1,"method":"later","params":[5]},{"jsonrpc":"2.0","id":2,"method":"later","params":[1]}])",
                       CallContext{}, {}, [p](DispatchResult r) { p->set_value(std::move(r)); });
  }
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    json::value v = ParseJson(f.get().body);
    ASSERT_TRUE(v.is_array());
    EXPECT_EQ(v.get_array().size(), 2u);
  }
}

// Random bytes and random JSON never crash and always get exactly one answer.
TEST_F(DispatcherTest, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  std::vector<std::string> pieces = {"{", "}", "[", "]", ",", ":", "\"jsonrpc\"", "\"2.0\"", "\"method\"", "\"echo\"",
                                     "\"id\"", "\"params\"", "1", "-1", "1e999", "null", "true", "\"\\u0000\"",
                                     "\"add\"", "\"nope\"", "0.5", "\"a\"", "\"b\"", " ", "\"\xe4\xb8\xad\""};
  for (int i = 0; i < 3000; ++i) {
    std::string body;
    if (i % 3 == 0) {
      size_t n = rng() % 64;
      for (size_t k = 0; k < n; ++k) body.push_back(static_cast<char>(rng() & 0xff));
    } else {
      size_t n = rng() % 40;
      for (size_t k = 0; k < n; ++k) body += pieces[rng() % pieces.size()];
    }
    DispatchResult r = Run(body);
    if (!r.body.empty()) {
      json::value v = ParseJson(r.body);
      EXPECT_TRUE(v.is_object() || v.is_array());
    }
  }
  // Structured random requests: well-formed JSON with random member types.
  std::vector<json::value> values = {json::value(nullptr), json::value(1), json::value("echo"), json::value("2.0"),
                                     json::value(json::array{1, "x"}), json::value(json::object{{"a", 1}}),
                                     json::value(true), json::value(-7.25), json::value("add")};
  for (int i = 0; i < 2000; ++i) {
    json::object req;
    for (const char* key : {"jsonrpc", "id", "method", "params"}) {
      if (rng() % 4 != 0) req[key] = values[rng() % values.size()];
    }
    DispatchResult r = Run(json::serialize(req));
    if (!r.body.empty()) {
      EXPECT_TRUE(ValidateResponse(ParseJson(r.body)).ok()) << r.body;
    }
  }
}

TEST(ParamHelpersTest, ObjectsArraysAndDefaults) {
  json::value obj = ParseJson(R"({"s":"x","i":5,"b":true,"n":null})");
  json::value arr = ParseJson(R"(["x",5,true])");
  EXPECT_EQ(*StringParam(obj, "s", 0), "x");
  EXPECT_EQ(*StringParam(arr, "s", 0), "x");
  EXPECT_EQ(*IntParam(obj, "i", 1), 5);
  EXPECT_EQ(*IntParam(arr, "i", 1), 5);
  EXPECT_TRUE(*BoolParam(arr, "b", 2));
  EXPECT_EQ(*StringParam(obj, "missing", 9, false, "def"), "def");
  EXPECT_EQ(*IntParam(obj, "n", 9, false, 42), 42);  // null counts as absent
  EXPECT_EQ(StringParam(obj, "missing", 9).status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(StringParam(obj, "i", 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(IntParam(obj, "s", 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(BoolParam(obj, "s", 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(StringParam(json::value(3), "s", 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*ValueParam(json::value(nullptr), "s", 0, false), nullptr);
}

TEST(ErrorMappingTest, RoundTripsThroughErrorObjects) {
  for (int i = 1; i <= static_cast<int>(Code::kInternal); ++i) {
    Code code = static_cast<Code>(i);
    Status st(code, "SOME_APP_CODE", "a message");
    json::object obj = ErrorObject(st);
    Status back = StatusFromErrorObject(obj);
    EXPECT_EQ(back.code(), code);
    EXPECT_EQ(back.app_code(), "SOME_APP_CODE");
    EXPECT_EQ(back.message(), "a message");
    EXPECT_EQ(CodeFromName(CodeName(code)), code);
    EXPECT_GE(HttpStatusFor(code), 400);
  }
  EXPECT_EQ(JsonRpcCode(Code::kNotFound), -32002);
  EXPECT_EQ(JsonRpcCode(Code::kInvalidArgument), -32602);
  EXPECT_EQ(JsonRpcCode(Code::kInternal), -32603);
  EXPECT_EQ(JsonRpcCodeFor(MethodNotFoundStatus("x")), -32601);
  EXPECT_EQ(StatusFromErrorObject(json::value("junk")).code(), Code::kInternal);
  Status rest = StatusFromErrorObject(
      ParseJson(R"({"code":-32007,"code_name":"UNAVAILABLE","app_code":"TOO_MANY_CONNECTIONS","message":"m"})"));
  EXPECT_EQ(rest.code(), Code::kUnavailable);
  EXPECT_EQ(rest.app_code(), "TOO_MANY_CONNECTIONS");
  EXPECT_FALSE(CodeFromName("NOPE").has_value());
}

}  // namespace
}  // namespace civic::rpc
