#include "rpc/methods.h"

namespace civic::rpc {

void RegisterAllMethods(MethodTable* table) {
  RegisterChainMethods(table);
  RegisterCertificateMethods(table);
  RegisterGovernanceMethods(table);
  RegisterCreditMethods(table);
  RegisterSharingMethods(table);
  RegisterProofMethods(table);
}

}  // namespace civic::rpc
