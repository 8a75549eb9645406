#include "node/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <span>
#include <type_traits>
#include <utility>
#include <sstream>

#include "consensus/wal.h"
#include "contracts/base/identifiers.h"
#include "node/errors.h"
#include "rpc/client_address.h"

namespace civic::node {

// A proposal's envelope around its block is far below 1 MiB.
static_assert(kMaxBlockBytesForWal + (1u << 20) <= consensus::kMaxWalRecordBytes);

namespace {

namespace fs = std::filesystem;

constexpr const char *kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

Status BadValue(std::string msg) { return Status::InvalidArgument(err::CONFIG_BAD_VALUE, std::move(msg)); }

std::string ResolvePath(const std::string &base_dir, const std::string &value) {
  fs::path p(value);
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

// Reads one [section] table, remembering which keys were consumed so that the
// rest can be reported as unknown. Every error names file:line and section.key.
class SectionReader {
 public:
  SectionReader(const toml::table *table, std::string section, const std::string &source, const std::string &base_dir)
      : table_(table), section_(std::move(section)), source_(source), base_dir_(base_dir) {}

  Status String(std::string_view key, std::string *out, bool required = false) {
    const toml::node *n = Find(key);
    if (n == nullptr) return required ? Missing(key) : Status::Ok();
    const auto *s = n->as_string();
    if (s == nullptr) return BadType(*n, key, "a string");
    *out = s->get();
    if (required && out->empty()) return Bad(*n, key, "must not be empty");
    return Status::Ok();
  }

  // A path: relative paths resolve against the config file's folder.
  Status Path(std::string_view key, std::string *out, bool required = false) {
    std::string raw;
    CIVIC_RETURN_IF_ERROR(String(key, &raw, required));
    if (!raw.empty()) *out = ResolvePath(base_dir_, raw);
    return Status::Ok();
  }

  template <typename T>
  Status Int(std::string_view key, int64_t min, int64_t max, T *out) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *i = n->as_integer();
    if (i == nullptr) return BadType(*n, key, "an integer");
    int64_t v = i->get();
    if (v < min || v > max) {
      return Bad(*n, key, fmt::format("must be an integer from {} to {}, got {}", min, max, v));
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool *out) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *b = n->as_boolean();
    if (b == nullptr) return BadType(*n, key, "true or false");
    *out = b->get();
    return Status::Ok();
  }

  Status Address(std::string_view key, HostPort *out) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *s = n->as_string();
    if (s == nullptr) return BadType(*n, key, "a string \"host:port\"");
    auto hp = ParseHostPort(s->get());
    if (!hp.ok()) return Bad(*n, key, hp.status().message());
    *out = *hp;
    return Status::Ok();
  }

  Status OneOf(std::string_view key, std::span<const char *const> allowed, std::string *out) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *s = n->as_string();
    if (s == nullptr) return BadType(*n, key, "a string");
    for (const char *a : allowed) {
      if (s->get() == a) {
        *out = a;
        return Status::Ok();
      }
    }
    std::string list;
    for (const char *a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
    return Bad(*n, key, fmt::format("must be one of {}, got \"{}\"", list, s->get()));
  }

  // An array of web origins "http(s)://host[:port]" (no path, no slash at the end).
  Status Origins(std::string_view key, std::vector<std::string> *out) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *arr = n->as_array();
    if (arr == nullptr) return BadType(*n, key, "an array of \"https://host[:port]\" strings");
    out->clear();
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::node &item = *arr->get(i);
      std::string item_key = fmt::format("{}[{}]", key, i);
      const auto *s = item.as_string();
      if (s == nullptr) return BadType(item, item_key, "a string \"https://host[:port]\"");
      const std::string &origin = s->get();
      std::string_view rest = origin;
      bool scheme = rest.starts_with("https://") || rest.starts_with("http://");
      rest.remove_prefix(scheme ? rest.find("//") + 2 : 0);
      if (!scheme || rest.empty() || rest.find_first_of("/?#@ \t") != std::string_view::npos) {
        return Bad(item, item_key, "must be an origin like \"https://civic.example.gov.cn\" (scheme and host, no path)");
      }
      out->push_back(origin);
    }
    return Status::Ok();
  }

  // An array of reverse-proxy addresses or CIDRs (rpc/client_address.h).
  Status Proxies(std::string_view key, std::vector<std::string> *out) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *arr = n->as_array();
    if (arr == nullptr) return BadType(*n, key, "an array of \"address\" or \"address/bits\" strings");
    out->clear();
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::node &item = *arr->get(i);
      std::string item_key = fmt::format("{}[{}]", key, i);
      const auto *s = item.as_string();
      if (s == nullptr) return BadType(item, item_key, "a string \"address\" or \"address/bits\"");
      auto parsed = rpc::TrustedProxies::Parse({s->get()});
      if (!parsed.ok()) return Bad(item, item_key, parsed.status().message());
      out->push_back(s->get());
    }
    return Status::Ok();
  }

  // An array of "node_id@host:port" strings, no node id twice.
  Status Peers(std::string_view key, std::vector<PeerAddress> *out) {
    return NodeList<PeerAddress>(
        key, "node_id@host:port", out,
        [](std::string_view text) -> Result<PeerAddress> { return ParsePeerAddress(text); },
        [](const PeerAddress &p) { return p.node_id; });
  }

  // An array of node keys "ed25519:<hex>", none twice.
  Status NodeKeys(std::string_view key, std::vector<crypto::PublicKey> *out) {
    return NodeList<crypto::PublicKey>(
        key, "ed25519:<hex>", out,
        [](std::string_view text) -> Result<crypto::PublicKey> {
          auto id = crypto::PublicKey::Parse(text);
          if (!id.ok()) return Status::InvalidArgument(err::CONFIG_INVALID, "is not a node key: " + id.status().message());
          if (id->algo != crypto::Algo::kEd25519) {
            return Status::InvalidArgument(err::CONFIG_INVALID, "must be an ed25519 node key");
          }
          return id;
        },
        [](const crypto::PublicKey &k) { return k; });
  }

  // An array of strings, each parsed by `parse`; `node_id` of two items never
  // equal.
  template <typename T, typename Parse, typename NodeId>
  Status NodeList(std::string_view key, std::string_view form, std::vector<T> *out, Parse parse, NodeId node_id) {
    const toml::node *n = Find(key);
    if (n == nullptr) return Status::Ok();
    const auto *arr = n->as_array();
    if (arr == nullptr) return BadType(*n, key, fmt::format("an array of \"{}\" strings", form));
    out->clear();
    std::set<std::decay_t<decltype(node_id(std::declval<T>()))>> seen;
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::node &item = *arr->get(i);
      std::string item_key = fmt::format("{}[{}]", key, i);
      const auto *s = item.as_string();
      if (s == nullptr) return BadType(item, item_key, fmt::format("a string \"{}\"", form));
      Result<T> parsed = parse(s->get());
      if (!parsed.ok()) return Bad(item, item_key, parsed.status().message());
      if (!seen.insert(node_id(*parsed)).second) return Bad(item, item_key, "lists an entry twice");
      out->push_back(std::move(parsed).value());
    }
    return Status::Ok();
  }

  // A value that a check outside the reader refused: the error names where it is.
  Status Invalid(std::string_view key, std::string_view what) {
    const toml::node *n = Find(key);
    return n ? Bad(*n, key, what) : Missing(key);
  }

  // Every key of the section that no getter consumed is a typo or a stale key.
  Status CheckNoUnknownKeys() const {
    if (table_ == nullptr) return Status::Ok();
    for (auto &&[k, v] : *table_) {
      if (!known_.contains(std::string(k.str()))) {
        return Status::InvalidArgument(err::CONFIG_UNKNOWN_KEY,
                                       fmt::format("{}: unknown key {}.{}", Where(v), section_, k.str()));
      }
    }
    return Status::Ok();
  }

 private:
  const toml::node *Find(std::string_view key) {
    known_.insert(std::string(key));
    if (table_ == nullptr) return nullptr;
    return table_->get(key);
  }

  std::string Where(const toml::node &n) const {
    if (n.source().begin.line == 0) return source_;
    return fmt::format("{}:{}", source_, n.source().begin.line);
  }

  Status Missing(std::string_view key) const {
    return Status::InvalidArgument(err::CONFIG_MISSING_KEY,
                                   fmt::format("{}: required key {}.{} is missing", source_, section_, key));
  }
  Status BadType(const toml::node &n, std::string_view key, std::string_view expected) const {
    return Status::InvalidArgument(err::CONFIG_BAD_TYPE,
                                   fmt::format("{}: {}.{} must be {}, got a TOML {}", Where(n), section_, key, expected,
                                               toml::impl::node_type_friendly_names[static_cast<size_t>(n.type())]));
  }
  Status Bad(const toml::node &n, std::string_view key, std::string_view what) const {
    return BadValue(fmt::format("{}: {}.{} {}", Where(n), section_, key, what));
  }

  const toml::table *table_;
  std::string section_;
  const std::string &source_;
  const std::string &base_dir_;
  std::set<std::string, std::less<>> known_;
};

Status ParseNode(SectionReader &r, NodeSection *s) {
  CIVIC_RETURN_IF_ERROR(r.String("moniker", &s->moniker));
  CIVIC_RETURN_IF_ERROR(r.Path("data_dir", &s->data_dir, true));
  CIVIC_RETURN_IF_ERROR(r.Path("key_file", &s->key_file, true));
  CIVIC_RETURN_IF_ERROR(r.String("key_passphrase_env", &s->key_passphrase_env));
  CIVIC_RETURN_IF_ERROR(r.Path("genesis_file", &s->genesis_file, true));
  CIVIC_RETURN_IF_ERROR(r.OneOf("log_level", kLogLevels, &s->log_level));
  CIVIC_RETURN_IF_ERROR(r.Path("log_file", &s->log_file));
  return r.CheckNoUnknownKeys();
}

Status ParseRpc(SectionReader &r, RpcSection *s) {
  CIVIC_RETURN_IF_ERROR(r.Address("listen", &s->listen));
  CIVIC_RETURN_IF_ERROR(r.Int("threads", 1, 256, &s->threads));
  CIVIC_RETURN_IF_ERROR(r.Int("max_body_bytes", 1024, int64_t{1} << 30, &s->max_body_bytes));
  CIVIC_RETURN_IF_ERROR(r.Int("max_inflight_body_bytes", 1024, int64_t{64} << 30, &s->max_inflight_body_bytes));
  CIVIC_RETURN_IF_ERROR(r.Int("max_batch", 1, 100000, &s->max_batch));
  CIVIC_RETURN_IF_ERROR(r.Int("max_connections_per_ip", 0, 100000, &s->max_connections_per_ip));
  CIVIC_RETURN_IF_ERROR(r.Int("header_timeout_ms", 100, 600000, &s->header_timeout_ms));
  CIVIC_RETURN_IF_ERROR(r.Origins("ws_allowed_origins", &s->ws_allowed_origins));
  CIVIC_RETURN_IF_ERROR(r.Int("ws_max_subscriptions_per_ip", 0, 100000, &s->ws_max_subscriptions_per_ip));
  CIVIC_RETURN_IF_ERROR(r.Int("rate_limit_per_sec", 0, 10000000, &s->rate_limit_per_sec));
  CIVIC_RETURN_IF_ERROR(r.Int("rate_limit_burst", 0, 100000000, &s->rate_limit_burst));
  CIVIC_RETURN_IF_ERROR(r.Proxies("trusted_proxies", &s->trusted_proxies));
  CIVIC_RETURN_IF_ERROR(r.Int("commit_timeout_ms", 1, 3600000, &s->commit_timeout_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("auth_window_ms", 1000, 600000, &s->auth_window_ms));
  CIVIC_RETURN_IF_ERROR(r.Path("web_root", &s->web_root));
  CIVIC_RETURN_IF_ERROR(r.Origins("cors_origins", &s->cors_origins));
  CIVIC_RETURN_IF_ERROR(r.Path("tls_cert_file", &s->tls_cert_file));
  CIVIC_RETURN_IF_ERROR(r.Path("tls_key_file", &s->tls_key_file));
  CIVIC_RETURN_IF_ERROR(r.Path("tls_client_ca_file", &s->tls_client_ca_file));
  return r.CheckNoUnknownKeys();
}

Status ParseMempool(SectionReader &r, MempoolSection *s) {
  CIVIC_RETURN_IF_ERROR(r.Int("max_txs", 1, 10000000, &s->max_txs));
  CIVIC_RETURN_IF_ERROR(r.Int("max_bytes", 1024, int64_t{64} << 30, &s->max_bytes));
  CIVIC_RETURN_IF_ERROR(r.Int("verify_threads", 0, 256, &s->verify_threads));
  return r.CheckNoUnknownKeys();
}

Status ParseConsensus(SectionReader &r, ConsensusSection *s) {
  constexpr int64_t kMaxMs = 3600000;
  CIVIC_RETURN_IF_ERROR(r.Int("block_interval_ms", 1, kMaxMs, &s->block_interval_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("max_block_txs", 1, 1000000, &s->max_block_txs));
  CIVIC_RETURN_IF_ERROR(r.Int("max_block_bytes", 1024, int64_t{1} << 30, &s->max_block_bytes));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_propose_ms", 1, kMaxMs, &s->timeout_propose_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_propose_delta_ms", 0, kMaxMs, &s->timeout_propose_delta_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_prevote_ms", 1, kMaxMs, &s->timeout_prevote_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_prevote_delta_ms", 0, kMaxMs, &s->timeout_prevote_delta_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_precommit_ms", 1, kMaxMs, &s->timeout_precommit_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_precommit_delta_ms", 0, kMaxMs, &s->timeout_precommit_delta_ms));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_commit_ms", 0, kMaxMs, &s->timeout_commit_ms));
  return r.CheckNoUnknownKeys();
}

Status ParseWebhooks(SectionReader &r, WebhooksSection *s) {
  auto identity = [](const std::string &v) { return v; };
  CIVIC_RETURN_IF_ERROR(r.NodeList<std::string>(
      "targets", "https://host[:port]/path", &s->targets,
      [](std::string_view text) -> Result<std::string> {
        static const std::regex kUrl(R"(^https?://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?(/[\x21-\x7e]*)?$)");
        if (!std::regex_match(text.begin(), text.end(), kUrl)) {
          return Status::InvalidArgument(err::CONFIG_BAD_VALUE, "is not an http:// or https:// URL");
        }
        return std::string(text);
      },
      identity));
  CIVIC_RETURN_IF_ERROR(r.Path("secret_file", &s->secret_file));
  CIVIC_RETURN_IF_ERROR(r.NodeList<std::string>(
      "issuers", "<USCC>", &s->issuers,
      [](std::string_view text) -> Result<std::string> {
        if (Status st = contracts::ValidateUscc(text); !st.ok()) {
          return Status::InvalidArgument(err::CONFIG_BAD_VALUE, "is not a USCC: " + st.message());
        }
        return std::string(text);
      },
      identity));
  CIVIC_RETURN_IF_ERROR(r.Int("timeout_ms", 100, 600000, &s->timeout_ms));
  return r.CheckNoUnknownKeys();
}

Status ParseP2p(SectionReader &r, P2pSection *s) {
  CIVIC_RETURN_IF_ERROR(r.Address("listen", &s->listen));
  CIVIC_RETURN_IF_ERROR(r.Peers("peers", &s->peers));
  CIVIC_RETURN_IF_ERROR(r.NodeKeys("observers", &s->observers));
  return r.CheckNoUnknownKeys();
}

Status ParseIssuer(SectionReader &r, IssuerSection *s) {
  CIVIC_RETURN_IF_ERROR(r.Bool("enabled", &s->enabled));
  CIVIC_RETURN_IF_ERROR(r.String("org", &s->org, s->enabled));
  CIVIC_RETURN_IF_ERROR(r.Path("org_key_file", &s->org_key_file, s->enabled));
  CIVIC_RETURN_IF_ERROR(r.String("org_key_passphrase_env", &s->org_key_passphrase_env));
  CIVIC_RETURN_IF_ERROR(r.Path("tokens_file", &s->tokens_file));
  CIVIC_RETURN_IF_ERROR(r.Proxies("allowed_clients", &s->allowed_clients));
  if (!s->org.empty()) {
    Status uscc = contracts::ValidateUscc(s->org);
    if (!uscc.ok()) return r.Invalid("org", uscc.message());
  }
  return r.CheckNoUnknownKeys();
}

std::string Quote(std::string_view s) {
  // TOML basic string: escape backslash, quote and control characters.
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<HostPort> ParseHostPort(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return BadValue(fmt::format("\"{}\" is not a \"host:port\" address: {}", text, why));
  };
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing ':port'");
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing ':port'");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("write IPv6 hosts as [addr]:port");
  }
  if (host.empty()) return bad("empty host");
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_')) {
      return bad("bad character in host");
    }
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(value)};
}

std::string PeerAddress::ToString() const { return node_id.ToString() + "@" + address.ToString(); }

Result<PeerAddress> ParsePeerAddress(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos) {
    return BadValue(fmt::format("\"{}\" is not a peer address \"node_id@host:port\"", text));
  }
  auto id = crypto::PublicKey::Parse(text.substr(0, at));
  if (!id.ok()) {
    return BadValue(fmt::format("\"{}\": bad node id: {}", text, id.status().message()));
  }
  if (id->algo != crypto::Algo::kEd25519) {
    return BadValue(fmt::format("\"{}\": node ids are ed25519 keys", text));
  }
  CIVIC_ASSIGN_OR_RETURN(HostPort addr, ParseHostPort(text.substr(at + 1)));
  if (addr.port == 0) return BadValue(fmt::format("\"{}\": peer port must not be 0", text));
  return PeerAddress{*id, std::move(addr)};
}

Result<Config> ParseConfig(std::string_view toml_text, const std::string &base_dir, const std::string &source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error &e) {
    return Status::InvalidArgument(err::CONFIG_SYNTAX, fmt::format("{}:{}:{}: {}", source_name, e.source().begin.line,
                                                                e.source().begin.column, e.description()));
  } catch (const std::exception &e) {
    return Status::InvalidArgument(err::CONFIG_SYNTAX, fmt::format("{}: {}", source_name, e.what()));
  }

  Config config;
  struct Section {
    const char *name;
    Status (*parse)(SectionReader &, Config *);
  };
  static const Section kSections[] = {
      {"node", [](SectionReader &r, Config *c) { return ParseNode(r, &c->node); }},
      {"rpc", [](SectionReader &r, Config *c) { return ParseRpc(r, &c->rpc); }},
      {"mempool", [](SectionReader &r, Config *c) { return ParseMempool(r, &c->mempool); }},
      {"consensus", [](SectionReader &r, Config *c) { return ParseConsensus(r, &c->consensus); }},
      {"p2p", [](SectionReader &r, Config *c) { return ParseP2p(r, &c->p2p); }},
      {"webhooks", [](SectionReader &r, Config *c) { return ParseWebhooks(r, &c->webhooks); }},
      {"issuer", [](SectionReader &r, Config *c) { return ParseIssuer(r, &c->issuer); }},
  };

  for (auto &&[k, v] : root) {
    bool known = false;
    for (const Section &s : kSections) known = known || k.str() == s.name;
    std::string where = v.source().begin.line ? fmt::format("{}:{}", source_name, v.source().begin.line) : source_name;
    if (!known) {
      return Status::InvalidArgument(err::CONFIG_UNKNOWN_KEY,
                                     fmt::format("{}: unknown section or key \"{}\"", where, k.str()));
    }
    if (!v.is_table()) {
      return Status::InvalidArgument(err::CONFIG_BAD_TYPE,
                                     fmt::format("{}: \"{}\" must be a [{}] table", where, k.str(), k.str()));
    }
  }

  for (const Section &s : kSections) {
    SectionReader reader(root[s.name].as_table(), s.name, source_name, base_dir);
    CIVIC_RETURN_IF_ERROR(s.parse(reader, &config));
  }

  // Cross-field checks.
  // A certificate without its key (or the reverse) cannot serve TLS, and a
  // node must not quietly fall back to plain HTTP.
  if (config.rpc.tls_cert_file.empty() != config.rpc.tls_key_file.empty()) {
    const char* missing = config.rpc.tls_cert_file.empty() ? "rpc.tls_cert_file" : "rpc.tls_key_file";
    return BadValue(fmt::format("{}: {} is missing: rpc.tls_cert_file and rpc.tls_key_file go together", source_name,
                                missing));
  }
  if (!config.rpc.tls_client_ca_file.empty() && config.rpc.tls_cert_file.empty()) {
    return BadValue(fmt::format("{}: rpc.tls_client_ca_file needs rpc.tls_cert_file and rpc.tls_key_file (mutual TLS "
                                "is TLS)", source_name));
  }
  if (config.issuer.tokens_file.empty()) {
    config.issuer.tokens_file = (fs::path(config.node.data_dir) / "issuer_tokens.json").string();
  }
  // A body as large as allowed must fit in the budget, or it could never be sent.
  if (config.rpc.max_inflight_body_bytes < config.rpc.max_body_bytes) {
    return BadValue(fmt::format("{}: rpc.max_inflight_body_bytes ({}) must be at least rpc.max_body_bytes ({})",
                                source_name, config.rpc.max_inflight_body_bytes, config.rpc.max_body_bytes));
  }
  // A proposal is one WAL record holding the whole block: a bigger block could
  // be proposed but not logged, and the node would halt.
  if (config.consensus.max_block_bytes > kMaxBlockBytesForWal) {
    return BadValue(fmt::format("{}: consensus.max_block_bytes ({}) must not exceed {} (the WAL record limit of {} "
                                "bytes less room for the proposal around the block)",
                                source_name, config.consensus.max_block_bytes, kMaxBlockBytesForWal,
                                consensus::kMaxWalRecordBytes));
  }
  if (config.webhooks.targets.size() > kMaxWebhookTargets) {
    return BadValue(fmt::format("{}: webhooks.targets lists {} URLs; at most {}", source_name,
                                config.webhooks.targets.size(), kMaxWebhookTargets));
  }
  if (!config.webhooks.targets.empty() && config.webhooks.secret_file.empty()) {
    return Status::InvalidArgument(err::CONFIG_MISSING_KEY,
                                   fmt::format("{}: webhooks.targets needs webhooks.secret_file (the key deliveries "
                                               "are signed with)", source_name));
  }
  if (config.consensus.max_block_bytes > config.mempool.max_bytes) {
    return BadValue(
        fmt::format("{}: consensus.max_block_bytes ({}) must not "
                    "exceed mempool.max_bytes ({})",
                    source_name, config.consensus.max_block_bytes, config.mempool.max_bytes));
  }
  return config;
}

Result<Config> LoadConfig(const std::string &path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status(Code::kNotFound, err::CONFIG_UNREADABLE,
                  fmt::format("config file {} does not exist or is not a regular file", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return Status(Code::kIOError, err::CONFIG_UNREADABLE, fmt::format("cannot read config file {}", path));
  }
  fs::path abs = fs::absolute(path, ec);
  if (ec) abs = path;
  CIVIC_ASSIGN_OR_RETURN(Config config, ParseConfig(text.str(), abs.parent_path().string(), path));
  config.path = abs.lexically_normal().string();
  return config;
}

std::string FormatConfig(const Config &c) {
  std::string out;
  auto line = [&](std::string_view key, const std::string &value) { out += fmt::format("{} = {}\n", key, value); };
  auto str = [&](std::string_view key, const std::string &value) { line(key, Quote(value)); };
  auto num = [&](std::string_view key, uint64_t value) { line(key, std::to_string(value)); };
  auto strings = [&](std::string_view key, const std::vector<std::string> &values) {
    std::string list;
    for (const std::string &v : values) list += (list.empty() ? "" : ", ") + Quote(v);
    line(key, "[" + list + "]");
  };

  out += "[node]\n";
  str("moniker", c.node.moniker);
  str("data_dir", c.node.data_dir);
  str("key_file", c.node.key_file);
  if (!c.node.key_passphrase_env.empty()) str("key_passphrase_env", c.node.key_passphrase_env);
  str("genesis_file", c.node.genesis_file);
  str("log_level", c.node.log_level);
  if (!c.node.log_file.empty()) str("log_file", c.node.log_file);

  out += "\n[rpc]\n";
  str("listen", c.rpc.listen.ToString());
  num("threads", c.rpc.threads);
  num("max_body_bytes", c.rpc.max_body_bytes);
  num("max_inflight_body_bytes", c.rpc.max_inflight_body_bytes);
  num("max_batch", c.rpc.max_batch);
  num("max_connections_per_ip", c.rpc.max_connections_per_ip);
  num("header_timeout_ms", c.rpc.header_timeout_ms);
  strings("ws_allowed_origins", c.rpc.ws_allowed_origins);
  num("ws_max_subscriptions_per_ip", c.rpc.ws_max_subscriptions_per_ip);
  num("rate_limit_per_sec", c.rpc.rate_limit_per_sec);
  num("rate_limit_burst", c.rpc.rate_limit_burst);
  strings("trusted_proxies", c.rpc.trusted_proxies);
  num("commit_timeout_ms", c.rpc.commit_timeout_ms);
  num("auth_window_ms", c.rpc.auth_window_ms);
  if (!c.rpc.web_root.empty()) str("web_root", c.rpc.web_root);
  strings("cors_origins", c.rpc.cors_origins);
  if (!c.rpc.tls_cert_file.empty()) str("tls_cert_file", c.rpc.tls_cert_file);
  if (!c.rpc.tls_key_file.empty()) str("tls_key_file", c.rpc.tls_key_file);
  if (!c.rpc.tls_client_ca_file.empty()) str("tls_client_ca_file", c.rpc.tls_client_ca_file);

  out += "\n[mempool]\n";
  num("max_txs", c.mempool.max_txs);
  num("max_bytes", c.mempool.max_bytes);
  num("verify_threads", c.mempool.verify_threads);

  out += "\n[consensus]\n";
  num("block_interval_ms", c.consensus.block_interval_ms);
  num("max_block_txs", c.consensus.max_block_txs);
  num("max_block_bytes", c.consensus.max_block_bytes);
  num("timeout_propose_ms", c.consensus.timeout_propose_ms);
  num("timeout_propose_delta_ms", c.consensus.timeout_propose_delta_ms);
  num("timeout_prevote_ms", c.consensus.timeout_prevote_ms);
  num("timeout_prevote_delta_ms", c.consensus.timeout_prevote_delta_ms);
  num("timeout_precommit_ms", c.consensus.timeout_precommit_ms);
  num("timeout_precommit_delta_ms", c.consensus.timeout_precommit_delta_ms);
  num("timeout_commit_ms", c.consensus.timeout_commit_ms);

  out += "\n[p2p]\n";
  str("listen", c.p2p.listen.ToString());
  std::string peers = "[";
  for (size_t i = 0; i < c.p2p.peers.size(); ++i) {
    peers += (i ? ", " : "") + Quote(c.p2p.peers[i].ToString());
  }
  line("peers", peers + "]");
  std::string observers = "[";
  for (size_t i = 0; i < c.p2p.observers.size(); ++i) {
    observers += (i ? ", " : "") + Quote(c.p2p.observers[i].ToString());
  }
  line("observers", observers + "]");
  if (!c.webhooks.targets.empty()) {
    out += "\n[webhooks]\n";
    strings("targets", c.webhooks.targets);
    str("secret_file", c.webhooks.secret_file);
    strings("issuers", c.webhooks.issuers);
    num("timeout_ms", c.webhooks.timeout_ms);
  }

  out += "\n[issuer]\n";
  line("enabled", c.issuer.enabled ? "true" : "false");
  if (!c.issuer.org.empty()) str("org", c.issuer.org);
  if (!c.issuer.org_key_file.empty()) str("org_key_file", c.issuer.org_key_file);
  if (!c.issuer.org_key_passphrase_env.empty()) str("org_key_passphrase_env", c.issuer.org_key_passphrase_env);
  if (!c.issuer.tokens_file.empty()) str("tokens_file", c.issuer.tokens_file);
  strings("allowed_clients", c.issuer.allowed_clients);
  return out;
}

}  // namespace civic::node
