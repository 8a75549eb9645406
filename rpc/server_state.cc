#include "rpc/server_state.h"

namespace civic::rpc {

ServerState::ServerState(ServerOptions opts, const MethodTable* table, NodeBackend* backend)
    : options(std::move(opts)),
      methods(table),
      node(backend),
      metrics_ptr(std::make_shared<HttpMetrics>(table, backend ? backend->metrics() : nullptr)),
      metrics(*metrics_ptr),
      limiter(options.rate_limit_per_sec, options.rate_limit_burst),
      body_budget(options.max_inflight_body_bytes),
      dispatcher(table, options.max_batch, [m = metrics_ptr](std::string_view method, const Status& st) {
        m->RecordCall(method, st.code());
      }) {}

uint64_t ServerState::Register(std::weak_ptr<SessionBase> session) {
  std::lock_guard<std::mutex> lock(sessions_mu);
  uint64_t id = next_session_id++;
  sessions.emplace(id, std::move(session));
  return id;
}

void ServerState::Unregister(uint64_t id) {
  std::lock_guard<std::mutex> lock(sessions_mu);
  sessions.erase(id);
}

std::vector<std::shared_ptr<SessionBase>> ServerState::LiveSessions() {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard<std::mutex> lock(sessions_mu);
  for (auto& [id, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

ConnectionSlot::ConnectionSlot(std::shared_ptr<ServerState> state, std::string client)
    : state_(std::move(state)), client_(std::move(client)) {
  state_->metrics.ConnectionOpened();
}

ConnectionSlot::~ConnectionSlot() {
  state_->metrics.ConnectionClosed();
  std::lock_guard<std::mutex> lock(state_->sessions_mu);
  --state_->open_connections;
  auto it = state_->connections_per_ip.find(client_);
  if (!client_.empty() && it != state_->connections_per_ip.end() && --it->second == 0) {
    state_->connections_per_ip.erase(it);
  }
  state_->sessions_cv.notify_all();
}

bool ConnectionSlot::CountAs(const std::string& client) {
  if (client == client_) return true;
  std::lock_guard<std::mutex> lock(state_->sessions_mu);
  size_t& count = state_->connections_per_ip[client];
  const size_t cap = state_->options.max_connections_per_ip;
  if (cap != 0 && count >= cap) {
    if (count == 0) state_->connections_per_ip.erase(client);
    return false;
  }
  ++count;
  auto old = state_->connections_per_ip.find(client_);
  if (!client_.empty() && old != state_->connections_per_ip.end() && --old->second == 0) {
    state_->connections_per_ip.erase(old);
  }
  client_ = client;
  return true;
}

}  // namespace civic::rpc
