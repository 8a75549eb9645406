// A local sample network (civic net init) as the sample-data commands
// (`civic credit sample`, `civic sharing sample`) use it: the departments' keys
// in samples::SampleOrgs() order, and `common` aimed at the network's first node
// unless --node named another.
//
// Errors: those of LoadNetwork (tools/net/net.h) and key files; NET_NOT_SAMPLE
// when a sample department is missing. Not thread-safe (one command per process).
#pragma once

#include <string>
#include <vector>

#include "crypto/signature.h"
#include "tools/common/cli_common.h"

namespace civic::tools {

struct SampleNetworkAccess {
  std::vector<crypto::KeyPair> org_keys;
  CommonOptions options;
};
Result<SampleNetworkAccess> OpenSampleNetwork(const std::string& net_dir, const CommonOptions& common);

}  // namespace civic::tools
