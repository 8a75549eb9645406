#include "rpc/methods.h"

namespace civic::rpc {

void RegisterAllMethods(MethodTable* table) {
  RegisterChainMethods(table);
  RegisterCertificateMethods(table);
  RegisterGovernanceMethods(table);
  RegisterCreditMethods(table);
  RegisterSharingMethods(table);
}

}  // namespace civic::rpc
