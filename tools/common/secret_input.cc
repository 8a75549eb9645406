#include "tools/common/secret_input.h"

#include <iostream>
#include <iterator>
#include <sstream>

#include "contracts/base/errors.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"

namespace civic::tools {

Result<std::string> ReadSecretValue(const std::string& path, const std::string& what) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return Status::IOError("cannot read " + what + " from standard input");
  } else {
    CIVIC_ASSIGN_OR_RETURN(text, ReadFile(path));
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty()) {
    return Status::InvalidArgument(err::EMPTY_FIELD,
                                   (path == "-" ? std::string("standard input") : path) + " holds no " + what);
  }
  return text;
}

Result<std::map<std::string, std::string>> ReadFieldsFile(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadSecretValue(path, "fields"));
  const std::string source = path == "-" ? "standard input" : path;
  std::map<std::string, std::string> fields;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    // The line holds personal values: name its number, never its text.
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(err::BAD_FIELD_ARG, source + " line " + std::to_string(number) +
                                                               " is not of the form name=value");
    }
    std::string name = line.substr(0, eq);
    if (!fields.emplace(name, line.substr(eq + 1)).second) {
      return Status::InvalidArgument(err::DUPLICATE_FIELD, source + " gives field " + name + " twice");
    }
  }
  return fields;
}

Status AtMostOneStdin(const std::vector<std::pair<std::string, std::string>>& option_and_path) {
  std::string readers;
  int count = 0;
  for (const auto& [option, path] : option_and_path) {
    if (path != "-") continue;
    readers += (readers.empty() ? "" : " and ") + option;
    ++count;
  }
  if (count <= 1) return Status::Ok();
  return Status::InvalidArgument(err::SECRET_ON_COMMAND_LINE,
                                 readers + " both read standard input; give one of them a file");
}

void RefuseSecretOption(CLI::App* cmd, const std::string& option, const std::string& instead) {
  const std::string message = std::string(err::SECRET_ON_COMMAND_LINE) + ": " + option +
                              " would put a personal value on the command line, where other users see it in the "
                              "process list and the shell keeps it in its history; put it in a file and use " +
                              instead + " (or - to read standard input)";
  cmd->add_option(option)
      ->description("Refused: use " + instead)
      ->group("")  // not shown in --help
      ->check([message](const std::string&) { return message; });
}

}  // namespace civic::tools
