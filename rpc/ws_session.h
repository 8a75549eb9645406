// The /ws WebSocket session: clients send {"subscribe":"<topic>"} or
// {"unsubscribe":"<topic>"} and receive {"topic":"<topic>","data":...} for each
// event: "blocks" (each published block), "certificates" (every certificate
// status change, rpc/cert_events.h) and "certificate:<id>" (one certificate's);
// malformed messages and unknown topics are answered with
// {"error":{"app_code","message"}} (BAD_MESSAGE, UNKNOWN_TOPIC, RATE_LIMITED:
// each message costs one rate-limit token; TOO_MANY_SUBSCRIPTIONS: the client
// address holds options.ws_max_subscriptions_per_ip subscriptions already).
//
// Each session owns a bounded send queue (options.ws_max_queue): a subscriber
// that does not read fast enough is closed with 1008 (policy violation). The
// server pings an idle connection and closes it when the pong does not come.
// Thread safety: a session runs on its connection's strand; PublishToSubscribers
// may be called from any thread.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "rpc/server_state.h"

namespace civic::rpc {

// Takes over an HTTP connection whose request `upgrade` asks for a WebSocket and
// completes the handshake; the session then keeps `slot` until it closes. The
// second form continues a TLS connection (wss).
void StartWebSocketSession(std::shared_ptr<ServerState> state, boost::beast::tcp_stream stream, std::string remote,
                           std::shared_ptr<ConnectionSlot> slot,
                           boost::beast::http::request<boost::beast::http::string_body> upgrade);
void StartWebSocketSession(std::shared_ptr<ServerState> state,
                           boost::beast::ssl_stream<boost::beast::tcp_stream> stream, std::string remote,
                           std::shared_ptr<ConnectionSlot> slot,
                           boost::beast::http::request<boost::beast::http::string_body> upgrade);

// Queues {"topic":topic,"data":data} for every session subscribed to `topic`.
void PublishToSubscribers(ServerState& state, std::string_view topic, const boost::json::value& data);

// Whether any session holds a topic starting with `topic_prefix` (so that the
// publisher can skip building events nobody reads).
bool AnySubscriber(ServerState& state, std::string_view topic_prefix);

}  // namespace civic::rpc
