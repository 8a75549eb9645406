// Text that a peer or a client controls, made safe to put in a log line.
//
// A peer's or client's string (a tx's text quoted in a refusal, a peer's reason,
// a forwarded header) must not be able to forge log lines or mislead whoever
// reads them: LogText keeps printable ASCII and well-formed UTF-8 and escapes
// everything else as \xNN (a byte) or \u{NNNN} (a code point): control
// characters (newlines, carriage returns, escape sequences), DEL, the C1
// controls, the line and paragraph separators and the bidirectional overrides
// that reorder what a terminal shows; '"' and '\' are escaped too, so a quoted
// value cannot end its quotes. Past `max_bytes` of input the rest is replaced by
// "...(+N bytes)".
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace civic {

constexpr size_t kLogTextMaxBytes = 256;

std::string LogText(std::string_view text, size_t max_bytes = kLogTextMaxBytes);

}  // namespace civic
