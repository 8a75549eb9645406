#include "rpc/methods.h"

namespace civic::rpc {

void RegisterAllMethods(MethodTable* table) {
  RegisterChainMethods(table);
#if defined(CIVIC_RPC_HAS_CERT_METHODS)
  RegisterCertificateMethods(table);
#endif
#if defined(CIVIC_RPC_HAS_GOV_METHODS)
  RegisterGovernanceMethods(table);
#endif
#if defined(CIVIC_RPC_HAS_CREDIT_METHODS)
  RegisterCreditMethods(table);
#endif
#if defined(CIVIC_RPC_HAS_SHARING_METHODS)
  RegisterSharingMethods(table);
#endif
}

}  // namespace civic::rpc
