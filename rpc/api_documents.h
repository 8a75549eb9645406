// The API descriptions a node serves, compiled in from rpc/api/ so that a node
// always describes the API it runs: OpenAPI 3.1 of the REST routes (GET
// /openapi.json) and OpenRPC of the JSON-RPC methods (GET /openrpc.json and the
// `rpc.discover` method). The OpenAPI document refers to the OpenRPC one for the
// shapes both APIs share ("openrpc.json#/components/schemas/..."), which resolves
// because both are served side by side. tests/api checks both documents against
// their meta-schemas, their examples against their schemas, and a live node's
// answers to every documented method and route against them.
// Thread-safe: constants.
#pragma once

#include <string_view>

namespace civic::rpc {

std::string_view OpenApiDocument();
std::string_view OpenRpcDocument();

}  // namespace civic::rpc
