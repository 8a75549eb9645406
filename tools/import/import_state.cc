#include "tools/import/import_state.h"

#include <boost/json.hpp>

#include "crypto/hash.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

Status StateCorrupt(const std::string& what) {
  return Status(Code::kCorruption, err::STATE_CORRUPT, "import state file is damaged: " + what);
}

json::object ToJson(const ImportState& s) {
  json::object o;
  o["version"] = ImportState::kVersion;
  o["input_sha256"] = s.input_sha256;
  o["type_code"] = s.type_code;
  o["org"] = s.org;
  o["signer"] = s.signer;
  o["chain_id"] = s.chain_id;
  o["batch_size"] = s.batch_size;
  o["accepted_digest"] = s.accepted_digest;
  o["accepted_rows"] = s.accepted_rows;
  o["secret"] = ToHex(s.secret);
  o["holders_file"] = s.holders_file;
  o["holders_batches"] = s.holders_batches;
  o["holders_bytes"] = s.holders_bytes;
  json::array batches;
  for (const auto& b : s.batches) {
    json::object j;
    j["index"] = b.index;
    j["first_row"] = b.first_row;
    j["row_count"] = b.row_count;
    j["first_line"] = b.first_line;
    j["last_line"] = b.last_line;
    j["attempt"] = b.attempt;
    j["tx_id"] = b.tx_id;
    j["valid_until_height"] = b.valid_until_height;
    j["status"] = BatchStatusName(b.status);
    j["height"] = b.height;
    if (!b.app_code.empty()) j["app_code"] = b.app_code;
    if (!b.message.empty()) j["message"] = b.message;
    batches.push_back(std::move(j));
  }
  o["batches"] = std::move(batches);
  return o;
}

// Typed member readers that never throw.
struct Reader {
  const json::object& o;
  std::string where;
  Status error;

  const json::value* Get(const char* key) {
    auto it = o.find(key);
    if (it == o.end()) {
      if (error.ok()) error = StateCorrupt(where + "missing \"" + key + "\"");
      return nullptr;
    }
    return &it->value();
  }
  std::string Str(const char* key) {
    const json::value* v = Get(key);
    if (!v) return "";
    if (!v->is_string()) {
      if (error.ok()) error = StateCorrupt(where + "\"" + key + "\" is not a string");
      return "";
    }
    return std::string(v->get_string());
  }
  std::string OptStr(const char* key) {
    auto it = o.find(key);
    if (it == o.end()) return "";
    return Str(key);
  }
  uint64_t U64(const char* key) {
    const json::value* v = Get(key);
    if (!v) return 0;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
    if (error.ok()) error = StateCorrupt(where + "\"" + key + "\" is not a non-negative integer");
    return 0;
  }
};

bool IsHex(std::string_view s, size_t len) { return s.size() == len && FromHex(s).has_value(); }

}  // namespace

const char* BatchStatusName(BatchStatus status) {
  switch (status) {
    case BatchStatus::kPending: return "pending";
    case BatchStatus::kCommitted: return "committed";
    case BatchStatus::kFailed: return "failed";
  }
  return "pending";
}

BatchRecord* ImportState::Find(uint64_t index) {
  if (index < batches.size() && batches[index].index == index) return &batches[index];
  for (auto& b : batches) {
    if (b.index == index) return &b;
  }
  return nullptr;
}

uint64_t ImportState::CommittedRows() const {
  uint64_t n = 0;
  for (const auto& b : batches) {
    if (b.status == BatchStatus::kCommitted) n += b.row_count;
  }
  return n;
}

std::string SerializeImportState(const ImportState& state) {
  json::object body = ToJson(state);
  std::string body_text = json::serialize(body);
  json::object file;
  file["state"] = std::move(body);
  file["sha256"] = ToHex(crypto::Sha256(body_text));
  return json::serialize(file) + "\n";
}

Result<ImportState> ParseImportState(std::string_view text) {
  json::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return StateCorrupt("not a JSON object");
  const json::object& file = root.get_object();
  auto st_it = file.find("state");
  auto sum_it = file.find("sha256");
  if (st_it == file.end() || !st_it->value().is_object() || sum_it == file.end() ||
      !sum_it->value().is_string()) {
    return StateCorrupt("missing \"state\" or \"sha256\"");
  }
  const json::object& o = st_it->value().get_object();
  if (ToHex(crypto::Sha256(json::serialize(o))) != sum_it->value().get_string()) {
    return StateCorrupt("checksum mismatch (the file was modified or partly written)");
  }
  Reader r{o, "", Status::Ok()};
  ImportState s;
  if (r.U64("version") != static_cast<uint64_t>(ImportState::kVersion) && r.error.ok()) {
    return StateCorrupt("unsupported version");
  }
  s.input_sha256 = r.Str("input_sha256");
  s.type_code = r.Str("type_code");
  s.org = r.Str("org");
  s.signer = r.Str("signer");
  s.chain_id = r.Str("chain_id");
  s.batch_size = r.U64("batch_size");
  s.accepted_digest = r.Str("accepted_digest");
  s.accepted_rows = r.U64("accepted_rows");
  std::string secret_hex = r.Str("secret");
  s.holders_file = r.Str("holders_file");
  s.holders_batches = r.U64("holders_batches");
  s.holders_bytes = r.U64("holders_bytes");
  if (!r.error.ok()) return r.error;
  if (!IsHex(s.input_sha256, 64) || !IsHex(s.accepted_digest, 64)) return StateCorrupt("bad digest");
  if (!IsHex(secret_hex, 64)) return StateCorrupt("bad import secret");
  s.secret = *FromHex(secret_hex);
  if (s.batch_size == 0) return StateCorrupt("batch_size is 0");

  auto b_it = o.find("batches");
  if (b_it == o.end() || !b_it->value().is_array()) return StateCorrupt("missing \"batches\"");
  uint64_t expected_first = 0;
  for (const json::value& v : b_it->value().get_array()) {
    if (!v.is_object()) return StateCorrupt("a batch is not an object");
    Reader br{v.get_object(), "batch " + std::to_string(s.batches.size()) + ": ", Status::Ok()};
    BatchRecord b;
    b.index = br.U64("index");
    b.first_row = br.U64("first_row");
    b.row_count = br.U64("row_count");
    b.first_line = br.U64("first_line");
    b.last_line = br.U64("last_line");
    uint64_t attempt = br.U64("attempt");
    b.tx_id = br.Str("tx_id");
    b.valid_until_height = br.U64("valid_until_height");
    std::string status = br.Str("status");
    b.height = br.U64("height");
    b.app_code = br.OptStr("app_code");
    b.message = br.OptStr("message");
    if (!br.error.ok()) return br.error;
    if (attempt > 1000000) return StateCorrupt(br.where + "impossible attempt count");
    b.attempt = static_cast<uint32_t>(attempt);
    if (status == "pending") {
      b.status = BatchStatus::kPending;
    } else if (status == "committed") {
      b.status = BatchStatus::kCommitted;
    } else if (status == "failed") {
      b.status = BatchStatus::kFailed;
    } else {
      return StateCorrupt(br.where + "unknown status \"" + status + "\"");
    }
    if (b.index != s.batches.size()) return StateCorrupt(br.where + "batches out of order");
    if (b.first_row != expected_first || b.row_count == 0 || b.row_count > s.batch_size) {
      return StateCorrupt(br.where + "row range does not follow the previous batch");
    }
    if (!IsHex(b.tx_id, 64)) return StateCorrupt(br.where + "bad tx id");
    expected_first += b.row_count;
    s.batches.push_back(std::move(b));
  }
  if (expected_first > s.accepted_rows) return StateCorrupt("batches cover more rows than accepted");
  if (s.holders_batches > s.batches.size()) return StateCorrupt("holders_batches beyond the batches");
  return s;
}

Status SaveImportState(const std::string& path, const ImportState& state) {
  return WriteFileAtomic(path, SerializeImportState(state), 0600);
}

Result<ImportState> LoadImportState(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto parsed = ParseImportState(text);
  if (!parsed.ok()) {
    return Status(Code::kCorruption, err::STATE_CORRUPT, path + ": " + parsed.status().message());
  }
  return parsed;
}

}  // namespace civic::tools
