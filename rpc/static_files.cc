#include "rpc/static_files.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "rpc/error_codes.h"

namespace civic::rpc {

namespace fs = std::filesystem;

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Inside(const fs::path& root, const fs::path& candidate) {
  fs::path rel = candidate.lexically_relative(root);
  if (rel.empty()) return false;
  auto first = rel.begin();
  return first != rel.end() && *first != "..";
}

Status Forbidden() { return Status::PermissionDenied(err::PATH_FORBIDDEN, "the path is not allowed"); }
Status Missing() { return Status::NotFound(err::FILE_NOT_FOUND, "no such file"); }

// The canonical regular file at `candidate` (or its index.html), if inside root.
std::optional<fs::path> Existing(const fs::path& root, fs::path candidate) {
  std::error_code ec;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  fs::path canonical = fs::canonical(candidate, ec);
  if (ec || !Inside(root, canonical) || !fs::is_regular_file(canonical, ec)) return std::nullopt;
  return canonical;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexDigit(text[i + 1]), lo = HexDigit(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string ContentTypeFor(const fs::path& file) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".otf", "font/otf"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
  };
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Result<StaticFile> ResolveStaticFile(const fs::path& canonical_root, std::string_view url_path,
                                     bool spa_fallback) {
  if (url_path.empty() || url_path.front() != '/') return Forbidden();
  fs::path candidate = canonical_root;
  std::string last;
  size_t pos = 1;
  while (pos <= url_path.size()) {
    size_t slash = url_path.find('/', pos);
    if (slash == std::string_view::npos) slash = url_path.size();
    std::string_view raw = url_path.substr(pos, slash - pos);
    pos = slash + 1;
    auto segment = PercentDecode(raw);
    if (!segment) return Forbidden();
    if (segment->empty() || *segment == ".") continue;
    if (*segment == ".." || segment->front() == '.') return Forbidden();
    if (segment->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) return Forbidden();
    candidate /= *segment;
    last = *segment;
  }
  std::optional<fs::path> found = Existing(canonical_root, candidate);
  if (!found && spa_fallback && last.find('.') == std::string::npos) {
    found = Existing(canonical_root, canonical_root / "index.html");
  }
  if (!found) return Missing();
  return StaticFile{*found, ContentTypeFor(*found)};
}

}  // namespace civic::rpc
