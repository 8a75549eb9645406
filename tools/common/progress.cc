#include "tools/common/progress.h"

#include <unistd.h>

#include <cinttypes>

namespace civic::tools {

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[32];
  if (seconds >= 3600) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "h%02" PRId64 "m", seconds / 3600, seconds / 60 % 60);
  } else if (seconds >= 60) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "m%02" PRId64 "s", seconds / 60, seconds % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%" PRId64 "s", seconds);
  }
  return buf;
}

std::string FormatProgress(uint64_t done, uint64_t total, int64_t elapsed_ms, int bar_width,
                           const std::string& unit) {
  std::string out;
  if (bar_width > 0) {
    int filled = total == 0 ? bar_width : static_cast<int>(done * static_cast<uint64_t>(bar_width) / total);
    if (filled > bar_width) filled = bar_width;
    out += "[" + std::string(filled, '#') + std::string(bar_width - filled, ' ') + "] ";
  }
  char buf[160];
  unsigned pct = total == 0 ? 100 : static_cast<unsigned>(done * 100 / total);
  std::snprintf(buf, sizeof buf, "%" PRIu64 "/%" PRIu64 " %s (%u%%)", done, total, unit.c_str(), pct);
  out += buf;
  if (elapsed_ms > 0) {
    // Rate in tenths to avoid floating point formatting surprises.
    uint64_t tenths = done * 10000 / static_cast<uint64_t>(elapsed_ms);
    std::snprintf(buf, sizeof buf, "  %" PRIu64 ".%" PRIu64 " %s/s", tenths / 10, tenths % 10, unit.c_str());
    out += buf;
    if (done > 0 && done < total) {
      int64_t eta_s = static_cast<int64_t>((total - done) * static_cast<uint64_t>(elapsed_ms) / done / 1000);
      out += "  ETA " + FormatDuration(eta_s);
    }
  }
  return out;
}

Progress::Progress(std::FILE* out, bool terminal, uint64_t total, uint64_t already, std::string unit)
    : out_(out),
      terminal_(terminal),
      total_(total),
      already_(already),
      done_(already),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      last_drawn_done_(already) {}

Progress::Progress(uint64_t total, uint64_t already, std::string unit)
    : Progress(stderr, ::isatty(2) == 1, total, already, std::move(unit)) {}

void Progress::Add(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ += n;
  Draw(false);
}

void Progress::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

void Progress::Draw(bool final) {
  auto now = std::chrono::steady_clock::now();
  auto since_draw = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_draw_).count();
  if (final && !terminal_ && drawn_ && last_drawn_done_ == done_) return;  // already shown
  if (!final) {
    if (terminal_) {
      if (since_draw < 100) return;
    } else {
      uint64_t step = total_ / 10 == 0 ? 1 : total_ / 10;
      if (done_ - last_drawn_done_ < step && since_draw < 10000) return;
    }
  }
  last_draw_ = now;
  last_drawn_done_ = done_;
  drawn_ = true;
  int64_t elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();
  // The rate counts only this run's work; shift the figures so ETA is right.
  uint64_t run_done = done_ - already_;
  uint64_t run_total = total_ - already_;
  std::string rate_part = FormatProgress(run_done, run_total, elapsed, 0, unit_);
  std::string line;
  if (terminal_) {
    line = FormatProgress(done_, total_, 0, 30, unit_);
  } else {
    line = FormatProgress(done_, total_, 0, 0, unit_);
  }
  // Append rate and ETA from the run-relative figures.
  size_t cut = rate_part.find("  ");
  if (cut != std::string::npos) line += rate_part.substr(cut);
  if (terminal_) {
    std::fprintf(out_, "\r%s\x1b[K%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(out_, "progress: %s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace civic::tools
