#include "tools/bench/bench_audit_net.h"

#include "crypto/keyfile.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"

namespace civic::tools::bench {

Result<std::unique_ptr<BenchChain>> BenchChain::Start(uint32_t validators, const std::string& civicd,
                                                      const std::function<void(node::Config*)>& tune) {
  CIVIC_RETURN_IF_ERROR(CheckRange("--validators", validators, 1, kMaxBenchValidators));
  std::unique_ptr<BenchChain> chain(new BenchChain());
  chain->validators_ = validators;
  if (validators == 1) {
    BenchNodeOptions no;
    no.civicd = civicd;
    no.tune = tune;
    CIVIC_ASSIGN_OR_RETURN(chain->single_, BenchNode::Open(no));
    CIVIC_RETURN_IF_ERROR(chain->single_->Start());
    return chain;
  }
  CIVIC_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("civic-bench-net-"));
  chain->temp_.emplace(std::move(dir));
  CIVIC_ASSIGN_OR_RETURN(uint16_t base, FindFreePorts(2 * validators));
  NetInitOptions init;
  init.nodes = validators;
  init.dir = chain->temp_->path() + "/net";
  init.base_port = base;
  CIVIC_ASSIGN_OR_RETURN(chain->net_, InitNetwork(init));
  for (const auto& n : chain->net_.nodes) {
    const std::string path = chain->net_.Path(n.dir + "/config.toml");
    CIVIC_ASSIGN_OR_RETURN(node::Config config, node::LoadConfig(path));
    ApplyBenchConfig(&config, tune);
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(path, node::FormatConfig(config), 0644));
  }
  NetUpOptions up;
  up.civicd = civicd;
  up.timeout_s = 120;
  chain->up_ = true;  // the destructor stops whatever did start
  CIVIC_ASSIGN_OR_RETURN(std::vector<NodeRunState> states, StartNetwork(chain->net_, up));
  for (const auto& s : states) {
    if (!s.healthy) {
      return Status::Unavailable(err::NODE_NOT_HEALTHY, s.name + " did not become healthy: " + s.detail);
    }
  }
  chain->pid_ = states[0].pid;
  return chain;
}

BenchChain::~BenchChain() { (void)Stop(); }

Status BenchChain::Stop() {
  if (single_) return single_->Stop();
  if (!up_) return Status::Ok();
  up_ = false;
  auto r = StopNetwork(net_, 60);
  return r.status();
}

std::string BenchChain::rpc_url() const { return single_ ? single_->rpc_url() : net_.nodes[0].rpc_url(); }

const std::string& BenchChain::chain_id() const { return single_ ? single_->network().chain_id : net_.chain_id; }

int BenchChain::pid() const { return single_ ? single_->pid() : pid_; }

std::string BenchChain::data_dir() const {
  return single_ ? single_->data_dir() : net_.Path(net_.nodes[0].dir + "/data");
}

Result<crypto::KeyPair> BenchChain::OrgKey(std::string_view short_name, std::string* org_code) const {
  if (single_) return single_->OrgKey(short_name, org_code);
  for (const auto& org : net_.orgs) {
    if (org.short_name == short_name) {
      if (org_code) *org_code = org.code;
      return crypto::ReadKeyFile(net_.Path(org.key_file));
    }
  }
  return Status::NotFound(err::NET_MALFORMED, "the network has no org '" + std::string(short_name) + "'");
}

}  // namespace civic::tools::bench
