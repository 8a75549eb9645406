// Reads the examples out of docs/RPC.md so that tests can keep them true.
//
// The format: under a "### <name>" heading (a method name such as
// "chain_getBlock", or a route such as "GET /v1/blocks/{height}"), an example
// is a fenced block whose info string ends in "request", followed by a fenced
// block whose info string ends in "response":
//
//   ```json request
//   {"jsonrpc":"2.0","id":1,"method":"chain_status","params":{}}
//   ```
//   ```json response
//   {"jsonrpc":"2.0","id":1,"result":{...}}
//   ```
//
// The word before request/response is the language: "json" blocks must parse
// as JSON; "http" requests hold a request line such as "GET /v1/blocks/1";
// "text" responses are kept as text. Other fenced blocks are ignored.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/status.h"

namespace civic::rpc {

struct DocExample {
  std::string heading;  // the "### " heading the example is under
  size_t line = 0;      // 1-based line of the request block's opening fence
  std::string request_lang;
  std::string request_text;
  std::string response_lang;
  std::string response_text;
  std::optional<boost::json::value> request_json;   // set for json blocks
  std::optional<boost::json::value> response_json;  // set for json blocks

  // True for a JSON-RPC example (a json request with a "method").
  bool is_jsonrpc() const;
  // The JSON-RPC method called, or "" for other examples.
  std::string method() const;
};

// Typed error BAD_DOC (with the line) for: a json block that does not parse, a
// request without a response, a response without a request, an unclosed fence.
Result<std::vector<DocExample>> ParseDocExamples(std::string_view markdown);

// The JSON-RPC methods that have at least one example under their own heading
// (examples under other headings, e.g. "POST /rpc: batch", do not count).
std::set<std::string> DocumentedMethods(const std::vector<DocExample>& examples);

// A JSON-RPC example is consistent: the request is a valid JSON-RPC 2.0 request
// for the method named by its heading and carries an id; the response is a
// valid response with the same id. BAD_DOC otherwise.
Status CheckJsonRpcExample(const DocExample& example);

// Checks that `actual` has the shape of `documented`: every documented object
// member exists in `actual` with the same kind (string, number, bool, object,
// array); documented null matches anything; arrays are compared element by
// element up to the shorter length. Unless `allow_extra_members`, members of
// `actual` that the documentation lacks are errors too. Values are not compared
// (hashes and times differ from run to run). SHAPE_MISMATCH names the path.
Status MatchShape(const boost::json::value& documented, const boost::json::value& actual,
                  bool allow_extra_members = false);

// How an example is sent over HTTP.
struct ExampleHttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // "/rpc", "/v1/blocks/1"
  std::string body;
};
// A json request (an object or a batch array) -> POST /rpc with its text; a
// text request under a heading that starts with "POST /rpc" -> POST /rpc with
// that text as is (malformed bodies); an http request -> its request line
// "METHOD /target" (a body may follow an empty line). NOT_RUNNABLE otherwise
// (the docs test sends WebSocket examples over a WebSocket).
Result<ExampleHttpRequest> HttpRequestOf(const DocExample& example);

// Compares a real answer with the documented one. JSON-RPC answers (single or
// batch): the same ids, errors with the same code and data.app_code, results
// of the documented shape (MatchShape without extra members). REST answers:
// an error with the same app_code, or a body of the documented shape. Text
// responses only need HTTP 200. ANSWER_MISMATCH says what differs.
Status CheckAnswer(const DocExample& example, int http_status, std::string_view body);

}  // namespace civic::rpc
