// Status and Result: errors as values, never exceptions across module boundaries.
//
// A Status is either OK or carries a Code (the broad class, mapped to JSON-RPC
// errors by rpc/), a stable application code (e.g. "CERT_NOT_FOUND") that clients
// may match on, and a message a person understands. Result<T> holds a value or a
// non-OK Status. Both are plain values; not thread-safe to mutate concurrently.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace civic {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed input: bad encoding, bad field, bad identifier
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // duplicate id, duplicate tx, duplicate registration
  kPermissionDenied,    // signer lacks the role or the key is not admitted/revoked
  kFailedPrecondition,  // state does not allow it (revoked cert, expired tx, ...)
  kResourceExhausted,   // mempool full, body too large, rate limit
  kUnavailable,         // shutting down, not ready
  kDeadlineExceeded,    // timed out waiting
  kCorruption,          // stored data failed a check
  kIOError,             // disk or socket failure
  kInternal,            // a bug
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string app_code, std::string message)
      : code_(code), app_code_(std::move(app_code)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string app, std::string msg) { return {Code::kInvalidArgument, std::move(app), std::move(msg)}; }
  static Status NotFound(std::string app, std::string msg) { return {Code::kNotFound, std::move(app), std::move(msg)}; }
  static Status AlreadyExists(std::string app, std::string msg) { return {Code::kAlreadyExists, std::move(app), std::move(msg)}; }
  static Status PermissionDenied(std::string app, std::string msg) { return {Code::kPermissionDenied, std::move(app), std::move(msg)}; }
  static Status FailedPrecondition(std::string app, std::string msg) { return {Code::kFailedPrecondition, std::move(app), std::move(msg)}; }
  static Status ResourceExhausted(std::string app, std::string msg) { return {Code::kResourceExhausted, std::move(app), std::move(msg)}; }
  static Status Unavailable(std::string app, std::string msg) { return {Code::kUnavailable, std::move(app), std::move(msg)}; }
  static Status DeadlineExceeded(std::string app, std::string msg) { return {Code::kDeadlineExceeded, std::move(app), std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, "CORRUPTION", std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, "IO_ERROR", std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, "INTERNAL", std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& app_code() const { return app_code_; }
  const std::string& message() const { return message_; }
  // "APP_CODE: message" (or "OK").
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string app_code_;
  std::string message_;
};

// Holds a T or an error Status. Accessing value() of an error is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace civic

// Propagates a non-OK Status out of the calling function.
#define CIVIC_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::civic::Status _st = (expr);              \
    if (!_st.ok()) return _st;                 \
  } while (0)

#define CIVIC_CONCAT_INNER(a, b) a##b
#define CIVIC_CONCAT(a, b) CIVIC_CONCAT_INNER(a, b)
// Declares `lhs` from a Result, or returns its Status.
#define CIVIC_ASSIGN_OR_RETURN(lhs, expr) \
  CIVIC_ASSIGN_OR_RETURN_IMPL(CIVIC_CONCAT(_res_, __LINE__), lhs, expr)
#define CIVIC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
