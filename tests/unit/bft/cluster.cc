#include "tests/unit/bft/cluster.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include "contracts/genesis.h"
#include "ledger/block.h"
#include "tools/samples/network.h"

namespace civic::testing::bft {
namespace {

namespace fs = std::filesystem;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

node::ConsensusSection FastConsensus() {
  node::ConsensusSection c;
  c.block_interval_ms = 100;
  c.max_block_txs = 2000;
  c.timeout_propose_ms = 600;
  c.timeout_propose_delta_ms = 200;
  c.timeout_prevote_ms = 400;
  c.timeout_prevote_delta_ms = 200;
  c.timeout_precommit_ms = 400;
  c.timeout_precommit_delta_ms = 200;
  return c;
}

node::p2p::PeerManagerOptions FastP2p(const std::string& chain_id) {
  node::p2p::PeerManagerOptions o;
  o.chain_id = chain_id;
  o.listen_host = "127.0.0.1";
  o.listen_port = 0;
  o.handshake_timeout = 2000ms;
  o.dial_timeout = 1000ms;
  o.ping_interval = 300ms;
  o.idle_timeout = 5000ms;
  o.backoff.initial_delay = 20ms;
  o.backoff.max_delay = 300ms;
  return o;
}

std::string AddressOf(const crypto::PublicKey& key, uint16_t port) {
  return key.ToString() + "@127.0.0.1:" + std::to_string(port);
}

Network MakeNetwork(size_t validators, size_t observers, const std::string& chain_id) {
  std::vector<crypto::KeyPair> node_keys;
  for (size_t i = 0; i < validators + observers; ++i) {
    node_keys.push_back(crypto::KeyPair::Generate(crypto::Algo::kEd25519));
  }
  Network net{SampleNetwork{chain_id, node_keys[0], {}, {}, {}}, node_keys, validators};
  samples::SampleGenesisInput input;
  input.chain_id = chain_id;
  input.genesis_time_ms = NowMs() - 24 * 3600 * 1000;
  for (size_t i = 0; i < samples::kSampleOrgCount; ++i) {
    net.sample.org_keys.push_back(crypto::KeyPair::Generate(crypto::Algo::kEd25519));
    input.org_keys.push_back(net.sample.org_keys.back().public_key());
  }
  for (size_t i = 0; i < validators; ++i) input.node_keys.push_back(net.node_keys[i].public_key());
  auto text = samples::SampleGenesisText(input);
  if (!text.ok()) throw std::runtime_error("sample genesis: " + text.status().ToString());
  net.sample.genesis_text = *text;
  auto genesis = contracts::ParseGenesis(net.sample.genesis_text);
  if (!genesis.ok()) throw std::runtime_error("parse genesis: " + genesis.status().ToString());
  net.sample.genesis = std::move(genesis).value();
  return net;
}

// ---- TestNode ----------------------------------------------------------------------

TestNode::TestNode(const Network& net, size_t index, fs::path dir, node::BftOptions options,
                   node::ConsensusSection consensus)
    : key_(net.node_keys[index]), consensus_(consensus), chain_(OpenSampleChain(net.sample, dir / "chain")) {
  node::MempoolOptions mo;
  mo.verify_threads = 1;
  mempool_ = std::make_unique<node::Mempool>(chain_.chain.get(), mo, metrics_);
  options.wal_path = (dir / "consensus.wal").string();
  node::EngineHost host;
  host.chain = chain_.chain.get();
  host.mempool = mempool_.get();
  host.node_key = &key_;
  host.config = &consensus_;
  host.metrics = &metrics_;
  host.on_committed = [this](const node::CommittedBlock& b) {
    mempool_->Update(b.height, b.tx_ids);
    std::lock_guard<std::mutex> lock(mu_);
    txs_committed_ += b.tx_ids.size();
  };
  host.on_fatal = [this](const Status& st) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fatal_) fatal_ = st;
  };
  engine_ = std::make_unique<node::BftEngine>(std::move(host), std::move(options));
  mempool_->Subscribe([this](const node::AdmittedTxs&) {
    if (engine_) engine_->OnTxsAvailable();
  });
}

TestNode::~TestNode() { Stop(); }

Status TestNode::Start() { return engine_->Start(); }

void TestNode::Stop() {
  if (engine_) engine_->Stop();
}

std::optional<Status> TestNode::fatal() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fatal_;
}

std::string TestNode::MetricsText() const { return prometheus::TextSerializer().Serialize(metrics_.Collect()); }

uint64_t TestNode::txs_committed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return txs_committed_;
}

// ---- Cluster -----------------------------------------------------------------------

Cluster::Cluster(size_t validators, size_t observers, std::function<void(size_t, node::BftOptions*)> tweak)
    : net_(MakeNetwork(validators, observers)),
      root_(std::make_unique<TempDir>("civic-bft")),
      tweak_(std::move(tweak)),
      nodes_(validators + observers),
      ports_(validators + observers, 0),
      issuer_(FindIssuer(net_.sample)) {}

Cluster::~Cluster() {
  for (auto& n : nodes_) {
    if (n) n->Stop();
  }
  nodes_.clear();
}

void Cluster::Start(size_t i) {
  if (nodes_[i]) throw std::runtime_error(fmt::format("node {} is already running", i));
  node::BftOptions options;
  options.p2p = FastP2p(net_.sample.chain_id);
  // Observers are admitted by every node; their keys come after the validators'.
  for (size_t k = net_.validators; k < net_.node_keys.size(); ++k) {
    options.observers.push_back(net_.node_keys[k].public_key());
  }
  options.sync.request_timeout_ms = 2000;
  options.sync.status_interval_ms = 300;
  options.sync.lag_grace_ms = 800;
  if (tweak_) tweak_(i, &options);
  fs::path dir = root_->path() / fmt::format("node{}", i);
  fs::create_directories(dir);
  auto node = std::make_unique<TestNode>(net_, i, dir, std::move(options), FastConsensus());
  Status st = node->Start();
  if (!st.ok()) throw std::runtime_error(fmt::format("start node {}: {}", i, st.ToString()));
  ports_[i] = node->engine().p2p_port();
  for (size_t j = 0; j < nodes_.size(); ++j) {
    if (j == i || !nodes_[j] || (linked_ && !linked_(i, j))) continue;
    Status added = node->engine().AddPeer(AddressOf(net_.node_keys[j].public_key(), ports_[j]));
    if (!added.ok()) throw std::runtime_error("add peer: " + added.ToString());
  }
  nodes_[i] = std::move(node);
}

void Cluster::StartAll() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i]) Start(i);
  }
}

void Cluster::Stop(size_t i) {
  if (!nodes_[i]) return;
  nodes_[i]->Stop();
  nodes_[i].reset();
}

bool Cluster::WaitNodeHeight(size_t i, uint64_t height, std::chrono::milliseconds timeout) {
  return WaitFor([&] { return nodes_[i] && nodes_[i]->height() >= height; }, timeout);
}

bool Cluster::WaitHeight(uint64_t height, std::chrono::milliseconds timeout) {
  return WaitFor([&] { return MinHeight() >= height; }, timeout);
}

uint64_t Cluster::MinHeight() const {
  uint64_t h = UINT64_MAX;
  for (const auto& n : nodes_) {
    if (n) h = std::min(h, n->height());
  }
  return h == UINT64_MAX ? 0 : h;
}

uint64_t Cluster::MaxHeight() const {
  uint64_t h = 0;
  for (const auto& n : nodes_) {
    if (n) h = std::max(h, n->height());
  }
  return h;
}

Bytes Cluster::NextTx() {
  const uint64_t n = next_tx_++;
  return MakeIssueTx(net_.sample, issuer_, 1, n, MaxHeight() + 200);
}

Bytes Cluster::Submit(size_t i, const Bytes& raw) {
  auto id = nodes_[i]->mempool().Add(raw);
  if (!id.ok()) throw std::runtime_error(fmt::format("submit to node {}: {}", i, id.status().ToString()));
  return *id;
}

bool Cluster::WaitTxs(const std::vector<Bytes>& tx_ids, std::chrono::milliseconds timeout) {
  return WaitFor(
      [&] {
        for (const auto& n : nodes_) {
          if (!n) continue;
          for (const Bytes& id : tx_ids) {
            if (!n->chain().GetTx(id).ok()) return false;
          }
        }
        return true;
      },
      timeout);
}

std::string Cluster::CheckConsistent() {
  const uint64_t h = MinHeight();
  const TestNode* first = nullptr;
  for (const auto& n : nodes_) {
    if (!n) continue;
    if (!first) {
      first = n.get();
      continue;
    }
    for (uint64_t k = 1; k <= h; ++k) {
      auto a = const_cast<TestNode*>(first)->chain().GetHeader(k);
      auto b = n->chain().GetHeader(k);
      if (!a.ok() || !b.ok()) return fmt::format("header {} missing", k);
      if (a->SerializeAsString() != b->SerializeAsString()) {
        return fmt::format("block {} differs between {} and {}", k, first->key().public_key().ToString(),
                           n->key().public_key().ToString());
      }
    }
    auto ra = const_cast<TestNode*>(first)->chain().StateRootAt(h);
    auto rb = n->chain().StateRootAt(h);
    if (!ra.ok() || !rb.ok() || *ra != *rb) return fmt::format("state root at {} differs", h);
  }
  return "";
}

}  // namespace civic::testing::bft
