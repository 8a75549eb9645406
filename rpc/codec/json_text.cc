#include "rpc/codec/json_text.h"

#include <algorithm>

namespace civic::rpc {
namespace {

namespace json = boost::json;

void Pretty(std::string* out, const json::value& v, int indent) {
  auto pad = [&](int n) { out->append(static_cast<size_t>(n) * 2, ' '); };
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      out->append("{}");
      return;
    }
    out->append("{\n");
    size_t i = 0;
    for (const auto& member : o) {
      pad(indent + 1);
      out->append(json::serialize(json::string(member.key()))).append(": ");
      Pretty(out, member.value(), indent + 1);
      out->append(++i < o.size() ? ",\n" : "\n");
    }
    pad(indent);
    out->push_back('}');
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    bool scalars = std::all_of(a.begin(), a.end(), [](const json::value& x) { return !x.is_structured(); });
    if (scalars) {
      out->append(json::serialize(v));
      return;
    }
    out->append("[\n");
    for (size_t i = 0; i < a.size(); ++i) {
      pad(indent + 1);
      Pretty(out, a[i], indent + 1);
      out->append(i + 1 < a.size() ? ",\n" : "\n");
    }
    pad(indent);
    out->push_back(']');
  } else {
    out->append(json::serialize(v));
  }
}

}  // namespace

std::string PrettyJson(const json::value& value) {
  std::string out;
  Pretty(&out, value, 0);
  return out;
}

}  // namespace civic::rpc
