// Personal values for the tools (a holder's identity number, certificate field
// values, a holder salt) come from a file or standard input, never from the
// command line: other users of the machine see command lines in the process
// list, and shells keep them in their history.
//
// A FILE argument names a file, or "-" for standard input (one option per
// command at most may read it). Options that took such values on the command
// line stay registered only to refuse them with SECRET_ON_COMMAND_LINE, naming
// the option to use instead.
// Thread safety: reading standard input is not; call from the command's thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crypto/base/status.h"
#include "tools/common/cli_common.h"

namespace civic::tools {

// The content of `path` ("-" = standard input) without its final line break.
// Errors: FILE_NOT_FOUND, IO_ERROR, EMPTY_FIELD (nothing in it; `what` names the value).
Result<std::string> ReadSecretValue(const std::string& path, const std::string& what);

// "name=value" lines of `path` ("-" = standard input) as a map; blank lines and
// lines starting with '#' are skipped. Errors: those of ReadSecretValue,
// BAD_FIELD_ARG (a line without '=', naming its number, not its text),
// DUPLICATE_FIELD.
Result<std::map<std::string, std::string>> ReadFieldsFile(const std::string& path);

// SECRET_ON_COMMAND_LINE when more than one of `paths` is "-".
Status AtMostOneStdin(const std::vector<std::pair<std::string, std::string>>& option_and_path);

// Registers `option` on `cmd` only to refuse it (a usage error before anything
// runs) with a message naming `instead`.
void RefuseSecretOption(CLI::App* cmd, const std::string& option, const std::string& instead);

}  // namespace civic::tools
