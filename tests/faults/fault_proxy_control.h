// The command language of civic-faultproxy: one line in, one answer out.
//   set <out|in|both> [delay=MS] [jitter=MS] [stall=PER_MILLE:MS] [rate=BYTES_PER_S] [held=0|1]
//        out = what the dialing node sends; fields not named go back to none
//   refuse <on|off>    cut both ways: reset open connections, close new ones
//   reset              reset open connections
//   heal               no faults, not refusing
//   stats              connections accepted, refused, reset; bytes out, in
// Answers: "ok", "stats ...", or "error: <usage>" for anything else (the
// proxy is then unchanged).
//
// Thread safety: as FaultProxy.
#pragma once

#include <string>

#include "tests/faults/fault_proxy.h"

namespace civic::faults {

std::string RunProxyCommand(FaultProxy& proxy, const std::string& line);

}  // namespace civic::faults
