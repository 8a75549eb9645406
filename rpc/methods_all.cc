#include <boost/json.hpp>

#include "rpc/api_documents.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

// OpenRPC's service discovery method: the document describing every method.
void Discover(const CallContext&, const json::value&, Reply reply) {
  static const json::value document = json::parse(OpenRpcDocument());
  reply(document);
}

}  // namespace

void RegisterAllMethods(MethodTable* table) {
  RegisterChainMethods(table);
  RegisterCertificateMethods(table);
  RegisterGovernanceMethods(table);
  RegisterCreditMethods(table);
  RegisterSharingMethods(table);
  RegisterProofMethods(table);
  table->Add("rpc.discover", Discover);
}

}  // namespace civic::rpc
