# Writes OUT, a C++ source defining civic::rpc::OpenApiDocument() and
# OpenRpcDocument() from the JSON files OPENAPI and OPENRPC (build step of civic_rpc).
file(READ "${OPENAPI}" openapi_json)
file(READ "${OPENRPC}" openrpc_json)
foreach(text IN ITEMS "${openapi_json}" "${openrpc_json}")
  string(FIND "${text}" ")civicapi\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "an API document contains the raw string delimiter )civicapi\"")
  endif()
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from rpc/api/openapi.json and rpc/api/openrpc.json by rpc/api/embed.cmake.
#include \"rpc/api_documents.h\"

namespace civic::rpc {

std::string_view OpenApiDocument() {
  static constexpr std::string_view kText = R\"civicapi(${openapi_json})civicapi\";
  return kText;
}

std::string_view OpenRpcDocument() {
  static constexpr std::string_view kText = R\"civicapi(${openrpc_json})civicapi\";
  return kText;
}

}  // namespace civic::rpc
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
