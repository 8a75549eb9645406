// One HTTP/1.1 connection of the RPC server: reads requests one at a time and
// answers them in order (pipelined requests never overtake each other), on the
// connection's strand. Routes: POST /rpc to the dispatcher, GET /v1/... through
// rpc/rest_routes.h, /healthz, /metrics, the /ws upgrade (handed over to
// rpc/ws_session.h) and static files of the web root for everything else.
//
// Enforces the per-request limits of ServerOptions: header size (431), body size
// (413, also from Content-Length before the body is read), read, idle and write
// timeouts, and the per-remote-IP rate limit on /rpc, /v1 and /ws (429). After an
// early answer (413, 431, 400) the connection drains what the client still sends
// for a moment, then closes. Replies that arrive after the server closed its gate
// are dropped.
// Thread safety: the session runs on its strand; handlers may reply from any thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "rpc/server_state.h"

namespace civic::rpc {

// Serves `socket` (from `remote`, an IP address) until it closes; the session
// keeps `slot` until then (or hands it to a WebSocket session). With `tls` the
// connection first completes a TLS handshake within options.header_timeout (or
// is closed, counted as a tls_handshake reject); the verified client
// certificate, if any, reaches every handler as CallContext::client_identity.
void StartHttpSession(std::shared_ptr<ServerState> state, boost::asio::ip::tcp::socket socket, std::string remote,
                      std::shared_ptr<ConnectionSlot> slot, std::shared_ptr<TlsContext> tls);

}  // namespace civic::rpc
