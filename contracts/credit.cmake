# The credit contract's messages (contracts/credit.proto) as the library
# civic_credit_proto. The header is generated as contracts/credit.pb.h under the
# build tree's root, so "contracts/credit.pb.h" resolves with the project's
# include path wherever this file is included from. Included once.
if(TARGET civic_credit_proto)
  return()
endif()

set(CIVIC_CREDIT_PROTO ${CMAKE_SOURCE_DIR}/contracts/credit.proto)
set(CIVIC_CREDIT_PROTO_SRCS
  ${CMAKE_BINARY_DIR}/contracts/credit.pb.cc
  ${CMAKE_BINARY_DIR}/contracts/credit.pb.h)
add_custom_command(
  OUTPUT ${CIVIC_CREDIT_PROTO_SRCS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/contracts
  COMMAND protobuf::protoc --cpp_out=${CMAKE_BINARY_DIR} -I ${CMAKE_SOURCE_DIR} ${CIVIC_CREDIT_PROTO}
  DEPENDS ${CIVIC_CREDIT_PROTO} protobuf::protoc
  COMMENT "Running cpp protocol buffer compiler on credit.proto"
  VERBATIM)
add_library(civic_credit_proto ${CIVIC_CREDIT_PROTO_SRCS})
target_link_libraries(civic_credit_proto PUBLIC protobuf::libprotobuf)
target_compile_options(civic_credit_proto PRIVATE -Wno-all -Wno-extra)
