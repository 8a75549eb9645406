// civic-faultproxy: one FaultProxy as a program, for runs by hand (a soak
// against a `civic net up` network, say). Put one in front of each peer
// address a node dials.
//
//   civic-faultproxy <target-port> [seed]
//
// Prints "listening <port>" and then reads one command per line on stdin,
// answering "ok", "stats ..." or "error: ...":
//   set <out|in|both> [delay=MS] [jitter=MS] [stall=PER_MILLE:MS] [rate=BYTES_PER_S] [held=0|1]
//        out = what the dialing node sends; fields not named go back to none
//   refuse <on|off>    cut both ways: reset open connections, close new ones
//   reset              reset open connections
//   heal               no faults, not refusing
//   stats              connections accepted, refused, reset; bytes out, in
//   quit
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/faults/fault_proxy.h"

namespace {

using civic::faults::Direction;
using civic::faults::FaultProxy;
using civic::faults::LinkFaults;

// Parses "name=value" fields; false on an unknown name or a bad number.
bool ParseFaults(std::istringstream& in, LinkFaults* faults) {
  for (std::string field; in >> field;) {
    const size_t eq = field.find('=');
    if (eq == std::string::npos) return false;
    const std::string name = field.substr(0, eq);
    const std::string value = field.substr(eq + 1);
    try {
      if (name == "delay") {
        faults->delay_ms = static_cast<uint32_t>(std::stoul(value));
      } else if (name == "jitter") {
        faults->jitter_ms = static_cast<uint32_t>(std::stoul(value));
      } else if (name == "stall") {
        const size_t colon = value.find(':');
        if (colon == std::string::npos) return false;
        faults->stall_per_mille = static_cast<uint32_t>(std::stoul(value.substr(0, colon)));
        faults->stall_ms = static_cast<uint32_t>(std::stoul(value.substr(colon + 1)));
      } else if (name == "rate") {
        faults->bytes_per_second = std::stoull(value);
      } else if (name == "held") {
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

std::string Handle(FaultProxy& proxy, const std::string& line) {
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: civic-faultproxy <target-port> [seed]\n";
    return 2;
  }
  unsigned long target = 0;
  uint64_t seed = 1;
  try {
    target = std::stoul(argv[1]);
    if (argc == 3) seed = std::stoull(argv[2]);
  } catch (const std::exception&) {
    target = 0;
  }
  if (target == 0 || target > 65535) {
    std::cerr << "civic-faultproxy: bad target port or seed\n";
    return 2;
  }
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  FaultProxy proxy(io, static_cast<uint16_t>(target), seed);
  std::thread runner([&io] { io.run(); });
  std::cout << "listening " << proxy.port() << std::endl;
  for (std::string line; std::getline(std::cin, line) && line != "quit";) {
    if (!line.empty()) std::cout << Handle(proxy, line) << std::endl;
  }
  proxy.Stop();
  boost::asio::post(io, [&io] { io.stop(); });
  runner.join();
  return 0;
}
