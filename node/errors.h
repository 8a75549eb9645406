// Application error codes of the node and its p2p layer (node/, node/p2p/): the stable app codes a Status of this layer
// carries and clients match on. Each X(CODE, meaning) entry defines civic::err::CODE, whose value is the wire string
// "CODE". A code is listed once, in the lowest layer that produces or matches it; higher layers include that layer's
// list. docs/RPC.md "Error codes" shows every list as one table and errors_table_test keeps the two equal. Constants
// only; thread-safe.
#pragma once

#include "crypto/base/errors.h"

#define CIVIC_NODE_ERRORS(X) \
  X(BAD_CHANNEL, "a p2p channel id, handler or queue bound is invalid or not registered") \
  X(BAD_HANDSHAKE_SIGNATURE, "the peer's handshake signature does not verify with its node key") \
  X(BAD_MAC, "a p2p frame failed authentication (tampered, replayed or reordered)") \
  X(BAD_P2P_CONFIG, "the p2p or consensus engine configuration is incomplete or invalid") \
  X(BAD_PEER_ADDRESS, "a peer address is not of the form node_id@host:port") \
  X(CHAIN_ID_MISMATCH, "the peer belongs to another chain") \
  X(CLOSED, "the connection is closed") \
  X(CONFIG_BAD_TYPE, "a configuration value has the wrong type") \
  X(CONFIG_BAD_VALUE, "a configuration value is out of range or unusable") \
  X(CONFIG_INVALID, "a configured node key is malformed or not an ed25519 key") \
  X(CONFIG_MISSING_KEY, "a required configuration key is missing") \
  X(CONFIG_SYNTAX, "the configuration file is not valid TOML") \
  X(CONFIG_UNKNOWN_KEY, "the configuration names an unknown section or key") \
  X(CONFIG_UNREADABLE, "the configuration file cannot be read") \
  X(CONSENSUS_HALTED, "the consensus reactor has halted") \
  X(DATA_DIR_UNUSABLE, "the data directory cannot be created or used") \
  X(DIAL_TIMEOUT, "connecting to a peer took too long") \
  X(DISCONNECTED_BY_NODE, "this node closed the connection") \
  X(DUPLICATE_CONNECTION, "already connected to this peer, or replaced by a newer connection") \
  X(FRAME_TOO_LARGE, "a p2p frame or message exceeds the size limit") \
  X(FRAME_TOO_SHORT, "a p2p frame is shorter than its authentication tag") \
  X(GENESIS_MISMATCH, "the data directory holds a chain made from another genesis") \
  X(HANDSHAKE_BAD_KEY, "the peer's ephemeral key is unusable") \
  X(HANDSHAKE_BAD_MAGIC, "the peer did not open with a CivicLedger p2p hello") \
  X(HANDSHAKE_MALFORMED, "a handshake message does not decode") \
  X(HANDSHAKE_OUT_OF_ORDER, "a handshake step came out of order") \
  X(HANDSHAKE_REFLECTED, "the peer echoed this node's own handshake back") \
  X(HANDSHAKE_TIMEOUT, "the peer did not finish the handshake in time") \
  X(IDLE_TIMEOUT, "nothing was received from the peer for too long") \
  X(LISTEN_FAILED, "the p2p layer cannot listen on its address") \
  X(MALFORMED_ENVELOPE, "a p2p frame does not hold a decodable envelope") \
  X(MEMPOOL_FULL, "the mempool is full") \
  X(NODE_KEY_NOT_ED25519, "the node key is not an ed25519 key") \
  X(NODE_KEY_PASSPHRASE_MISSING, "the environment variable with the node key's passphrase is not set") \
  X(NONCE_EXHAUSTED, "a p2p session sealed its last frame; reconnect") \
  X(NOT_SOLE_VALIDATOR, "this node is not the only validator") \
  X(P2P_NOT_RUNNING, "the p2p layer or the engine is not running") \
  X(P2P_STOPPING, "the p2p layer is shutting down") \
  X(PEER_CLOSED, "the peer closed the connection") \
  X(PEER_DISCONNECTED, "the connection to the peer is closing") \
  X(PEER_NOT_ADMITTED, "the peer's node key is not admitted to the network") \
  X(PEER_NOT_CONNECTED, "no connection to the peer") \
  X(PEER_UNREACHABLE, "the peer's address does not resolve") \
  X(PROTOCOL_VERSION_MISMATCH, "the peer speaks another p2p protocol version") \
  X(SELF_CONNECTION, "the peer uses this node's own key") \
  X(SEND_QUEUE_FULL, "the send queue to the peer is full") \
  X(SHUTTING_DOWN, "the node is shutting down") \
  X(TOO_MANY_PEERS, "the node accepts no more peers") \
  X(UNEXPECTED_PEER_KEY, "the peer presented another node key than its address names") \
  X(UNSUPPORTED_KEY_ALGO, "the peer's node key is not an ed25519 key") \
  X(WEBHOOK_SECRET_INVALID, "the webhook secret file is missing, shorter than 32 bytes or readable by others")

namespace civic::err {
CIVIC_NODE_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
