// civic-faultproxy: one FaultProxy as a program, for runs by hand (a soak
// against a `civic net up` network, say). Put one in front of each peer
// address a node dials.
//
//   civic-faultproxy <target-port> [seed]
//
// Prints "listening <port>" and then runs one command per line from stdin
// (fault_proxy_control.h) until "quit" or the end of input, printing each
// answer.
#include <iostream>
#include <string>
#include <thread>

#include "tests/faults/fault_proxy_control.h"

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
  civic::faults::FaultProxy proxy(io, static_cast<uint16_t>(target), seed);
  std::thread runner([&io] { io.run(); });
  std::cout << "listening " << proxy.port() << std::endl;
  for (std::string line; std::getline(std::cin, line) && line != "quit";) {
    if (!line.empty()) std::cout << civic::faults::RunProxyCommand(proxy, line) << std::endl;
  }
  proxy.Stop();
  boost::asio::post(io, [&io] { io.stop(); });
  runner.join();
  return 0;
}
