# The data-sharing contract (contracts/sharing.*), for inclusion from
# contracts/CMakeLists.txt (or any other CMakeLists.txt):
#   civic_sharing_proto      library of contracts/sharing.proto; the header is
#                            generated as contracts/sharing.pb.h under the build
#                            tree's root, so "contracts/sharing.pb.h" resolves with
#                            the project's include path.
#   CIVIC_SHARING_SOURCES    the contract and its queries (absolute paths), to be
#                            compiled into civic_contracts (which must then link
#                            civic_sharing_proto).
# Safe to include more than once.
set(CIVIC_SHARING_SOURCES
  ${CMAKE_SOURCE_DIR}/contracts/sharing.cc
  ${CMAKE_SOURCE_DIR}/contracts/sharing_query.cc)

if(TARGET civic_sharing_proto)
  return()
endif()

set(CIVIC_SHARING_PROTO ${CMAKE_SOURCE_DIR}/contracts/sharing.proto)
set(CIVIC_SHARING_PROTO_SRCS
  ${CMAKE_BINARY_DIR}/contracts/sharing.pb.cc
  ${CMAKE_BINARY_DIR}/contracts/sharing.pb.h)
add_custom_command(
  OUTPUT ${CIVIC_SHARING_PROTO_SRCS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/contracts
  COMMAND protobuf::protoc --cpp_out=${CMAKE_BINARY_DIR} -I ${CMAKE_SOURCE_DIR} ${CIVIC_SHARING_PROTO}
  DEPENDS ${CIVIC_SHARING_PROTO} protobuf::protoc
  COMMENT "Running cpp protocol buffer compiler on sharing.proto"
  VERBATIM)
add_library(civic_sharing_proto ${CIVIC_SHARING_PROTO_SRCS})
target_link_libraries(civic_sharing_proto PUBLIC protobuf::libprotobuf)
target_compile_options(civic_sharing_proto PRIVATE -Wno-all -Wno-extra)
