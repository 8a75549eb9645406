// Progress reporting for long commands (bulk import) on stderr.
//
// On a terminal: one line redrawn in place (at most 10 times a second) with a
// bar, rows done / total, rate and ETA. Otherwise (a log file, a pipe): plain
// lines, one per 10% of progress or per 10 seconds, whichever comes first, so
// logs stay short. Finish() prints the final line.
//
// Thread-safe: Add() may be called from several worker threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace civic::tools {

// "[#####     ]  512/1000 rows  250.0 rows/s  ETA 2s" (bar only when bar_width > 0).
std::string FormatProgress(uint64_t done, uint64_t total, int64_t elapsed_ms, int bar_width,
                           const std::string& unit);
// "1h02m", "3m05s", "42s".
std::string FormatDuration(int64_t seconds);

class Progress {
 public:
  // `already` counts work done before this run (a resumed import): it shows in
  // the totals but not in the rate.
  Progress(std::FILE* out, bool terminal, uint64_t total, uint64_t already, std::string unit);
  // Uses stderr and isatty(2).
  Progress(uint64_t total, uint64_t already, std::string unit);

  void Add(uint64_t n);
  void Finish();

 private:
  void Draw(bool final);

  std::mutex mu_;
  std::FILE* out_;
  bool terminal_;
  uint64_t total_;
  uint64_t already_;
  uint64_t done_;
  std::string unit_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  uint64_t last_drawn_done_ = 0;
  bool finished_ = false;
  bool drawn_ = false;
};

}  // namespace civic::tools
