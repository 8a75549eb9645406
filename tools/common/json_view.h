// A read-only view of a Boost.JSON value for printing node answers: missing
// members and wrong types read as empty/zero instead of throwing.
// Cheap to copy (a pointer); the viewed value must outlive the view.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace civic::tools {

class JsonView {
 public:
  JsonView() = default;
  explicit JsonView(const boost::json::value& v) : v_(&v) {}

  bool Has(std::string_view key) const {
    return v_ && v_->is_object() && v_->get_object().find(key) != v_->get_object().end();
  }
  JsonView operator[](std::string_view key) const {
    if (!v_ || !v_->is_object()) return JsonView();
    auto it = v_->get_object().find(key);
    return it == v_->get_object().end() ? JsonView() : JsonView(it->value());
  }
  std::string Str() const {
    if (!v_) return "";
    if (v_->is_string()) return std::string(v_->get_string());
    if (v_->is_int64()) return std::to_string(v_->get_int64());
    if (v_->is_uint64()) return std::to_string(v_->get_uint64());
    if (v_->is_bool()) return v_->get_bool() ? "true" : "false";
    return "";
  }
  uint64_t U64() const {
    if (!v_) return 0;
    if (v_->is_uint64()) return v_->get_uint64();
    if (v_->is_int64() && v_->get_int64() >= 0) return static_cast<uint64_t>(v_->get_int64());
    return 0;
  }
  int64_t I64() const {
    if (!v_) return 0;
    if (v_->is_int64()) return v_->get_int64();
    if (v_->is_uint64()) return static_cast<int64_t>(v_->get_uint64());
    return 0;
  }
  bool Bool() const { return v_ && v_->is_bool() && v_->get_bool(); }
  std::vector<JsonView> Items() const {
    std::vector<JsonView> out;
    if (v_ && v_->is_array()) {
      for (const auto& e : v_->get_array()) out.emplace_back(e);
    }
    return out;
  }
  std::vector<std::pair<std::string, JsonView>> Members() const {
    std::vector<std::pair<std::string, JsonView>> out;
    if (v_ && v_->is_object()) {
      for (const auto& kv : v_->get_object()) out.emplace_back(std::string(kv.key()), JsonView(kv.value()));
    }
    return out;
  }
  const boost::json::value* raw() const { return v_; }

 private:
  const boost::json::value* v_ = nullptr;
};

}  // namespace civic::tools
