#include "tools/common/spawn.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace civic::tools {

Result<pid_t> SpawnDetached(const std::string& program, const std::vector<std::string>& argv,
                            const std::string& log_path) {
  if (argv.empty()) return Status::Internal("SpawnDetached: empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string log = log_path.empty() ? "/dev/null" : log_path;
  pid_t pid = ::fork();
  if (pid < 0) return Status::IOError(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execv(program.c_str(), args.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace civic::tools
