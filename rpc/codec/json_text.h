// JSON as text for people: the one pretty printer of the project (the CLI's
// output, genesis files, sample data). Objects and arrays of objects or arrays
// take one member per line with a two-space indent; arrays of scalars stay on
// one line. Member order is kept. Pure; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>

namespace civic::rpc {

std::string PrettyJson(const boost::json::value& value);

}  // namespace civic::rpc
