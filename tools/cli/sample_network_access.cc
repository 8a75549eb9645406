#include "tools/cli/sample_network_access.h"

#include <algorithm>

#include "crypto/keyfile.h"
#include "tools/common/errors.h"
#include "tools/net/net.h"
#include "tools/samples/network.h"

namespace civic::tools {

Result<SampleNetworkAccess> OpenSampleNetwork(const std::string& net_dir, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(net_dir));
  SampleNetworkAccess out;
  for (const auto& want : samples::SampleOrgs()) {
    auto it = std::find_if(net.orgs.begin(), net.orgs.end(), [&](const NetOrg& o) { return o.code == want.code; });
    if (it == net.orgs.end()) {
      return Status::NotFound(err::NET_NOT_SAMPLE, net.dir + " is not the sample network: it has no " + want.name +
                                                    " (" + want.code + ")");
    }
    CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair key, crypto::ReadKeyFile(net.Path(it->key_file)));
    out.org_keys.push_back(std::move(key));
  }
  out.options = common;
  if (out.options.node_url == DefaultNodeUrl() && !net.nodes.empty()) out.options.node_url = net.nodes.front().rpc_url();
  // A network made with --tls: its nodes' certificates chain to its CA.
  if (!net.tls_ca.empty() && out.options.tls.ca_file.empty()) out.options.tls.ca_file = net.Path(net.tls_ca);
  return out;
}

}  // namespace civic::tools
