// Helpers for the tools tests: temp folders, running the civic binary, a one-node network.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tools/net/net.h"

namespace civic::tools::testing {

// A fresh folder under the system temp dir, removed with its content.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("civic-tools-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs `binary` with `args` (no shell), capturing stdout+stderr. `env` entries
// ("NAME=value") are added to the environment.
inline RunResult Run(const std::string& binary, const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {}) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  RunResult r;
  std::array<char, 4096> buf;
  for (;;) {
    ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n <= 0) break;
    r.out.append(buf.data(), static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// `civic net init 1` in `dir` on two ports from tools::FindFreePorts (reserved
// for this test process), then `civic net up`. On success `url` is the node's
// RPC URL.
inline RunResult StartOneNodeNet(const std::string& civic, const std::string& civicd, const std::string& dir,
                                 std::string* url) {
  auto base = tools::FindFreePorts(2);
  if (!base.ok()) return RunResult{1, base.status().ToString()};
  RunResult r = Run(civic, {"net", "init", "1", "--dir", dir, "--base-port", std::to_string(*base)});
  if (r.exit_code != 0) return r;
  r = Run(civic, {"net", "up", "--dir", dir, "--civicd", civicd, "--timeout", "60"});
  if (r.exit_code == 0) {
    *url = "http://127.0.0.1:" + std::to_string(*base + 1);
  } else {
    Run(civic, {"net", "down", "--dir", dir, "--timeout", "10"});
  }
  return r;
}

}  // namespace civic::tools::testing
