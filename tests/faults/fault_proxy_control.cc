#include "tests/faults/fault_proxy_control.h"

#include <cstdint>
#include <sstream>
#include <stdexcept>

namespace civic::faults {
namespace {

// A number that fits 32 bits; throws std::exception otherwise (caught below).
uint32_t Millis(const std::string& text) {
  const unsigned long long v = std::stoull(text);
  if (v > UINT32_MAX || text.find('-') != std::string::npos) throw std::out_of_range(text);
  return static_cast<uint32_t>(v);
}

// Parses "name=value" fields; false on an unknown name or a bad number.
bool ParseFaults(std::istringstream& in, LinkFaults* faults) {
  for (std::string field; in >> field;) {
    const size_t eq = field.find('=');
    if (eq == std::string::npos) return false;
    const std::string name = field.substr(0, eq);
    const std::string value = field.substr(eq + 1);
    try {
      if (name == "delay") {
        faults->delay_ms = Millis(value);
      } else if (name == "jitter") {
        faults->jitter_ms = Millis(value);
      } else if (name == "stall") {
        const size_t colon = value.find(':');
        if (colon == std::string::npos) return false;
        faults->stall_per_mille = Millis(value.substr(0, colon));
        faults->stall_ms = Millis(value.substr(colon + 1));
      } else if (name == "rate") {
        faults->bytes_per_second = std::stoull(value);
      } else if (name == "held") {
        if (value != "0" && value != "1") return false;
        faults->held = value == "1";
      } else {
        return false;
      }
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string RunProxyCommand(FaultProxy& proxy, const std::string& line) {
  std::istringstream in(line);
  std::string command;
  in >> command;
  if (command == "set") {
    std::string which;
    in >> which;
    LinkFaults faults;
    if ((which != "out" && which != "in" && which != "both") || !ParseFaults(in, &faults)) {
      return "error: usage: set <out|in|both> [delay=MS] [jitter=MS] [stall=PER_MILLE:MS] [rate=B/S] [held=0|1]";
    }
    if (which != "in") proxy.Set(Direction::kDialerToListener, faults);
    if (which != "out") proxy.Set(Direction::kListenerToDialer, faults);
    return "ok";
  }
  if (command == "refuse") {
    std::string on;
    in >> on;
    if (on != "on" && on != "off") return "error: usage: refuse <on|off>";
    proxy.SetRefusing(on == "on");
    return "ok";
  }
  if (command == "reset") {
    proxy.ResetConnections();
    return "ok";
  }
  if (command == "heal") {
    proxy.Heal();
    return "ok";
  }
  if (command == "stats") {
    const auto s = proxy.stats();
    std::ostringstream out;
    out << "stats accepted=" << s.accepted << " refused=" << s.refused << " resets=" << s.resets
        << " bytes_out=" << s.bytes[0] << " bytes_in=" << s.bytes[1];
    return out.str();
  }
  return "error: unknown command (set, refuse, reset, heal, stats, quit)";
}

}  // namespace civic::faults
