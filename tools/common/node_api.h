// What the CLI needs from a node, as one seam: a JSON-RPC call. RpcNodeApi talks
// to a real node over HTTP (rpc/client.h); tests substitute a fake chain.
//
// The typed helpers below turn the JSON answers of docs/RPC.md into structs and
// node errors into Status values with the node's app code (e.g. TX_EXPIRED).
// Thread safety: implementations must allow calls from several threads at once
// (the importer keeps several txs in flight).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "rpc/tls_context.h"

namespace civic::tools {

class NodeApi {
 public:
  virtual ~NodeApi() = default;
  // One JSON-RPC call; the result member, or the error as a Status.
  virtual Result<boost::json::value> Call(std::string_view method, boost::json::value params) = 0;
};

// The first port of a local network (tools/net/net.h): node i takes p2p port
// base+2i and RPC port base+2i+1, so node0 answers at the default node URL.
constexpr uint16_t kDefaultBasePort = 26656;

// The files an https:// node URL is checked with when no option names them:
// $CIVIC_CA_FILE (the CA the node's certificate chains to; unset = the system
// roots), $CIVIC_CLIENT_CERT and $CIVIC_CLIENT_KEY (for mutual TLS).
rpc::TlsClientFiles TlsFilesFromEnvironment();

// A client of the node at `url` ("http://127.0.0.1:26657", or https:// checked
// with `tls`, rpc/client.h). Typed error BAD_NODE_URL.
Result<std::unique_ptr<NodeApi>> ConnectNode(const std::string& url,
                                             const rpc::TlsClientFiles& tls = TlsFilesFromEnvironment());

struct ChainStatusInfo {
  std::string chain_id;
  std::string node_id;  // the audience of signed requests (rpc/request_auth.h)
  uint64_t height = 0;
  int64_t time_ms = 0;
};

// Where a committed tx sits and what it did (`result` is OK or the contract's error).
struct TxOutcome {
  std::string id;  // hex
  uint64_t height = 0;
  uint32_t index = 0;
  Status result;
};

struct CertTypeInfo {
  std::string code;
  std::string name;
  std::string holder_code_type;
  std::vector<std::string> issuer_orgs;
  struct Field {
    std::string name;
    bool required = false;
    std::string label;
  };
  std::vector<Field> fields;
  bool retired = false;
};

Result<ChainStatusInfo> GetChainStatus(NodeApi& api);
// nullopt when the node does not know the tx (not committed).
Result<std::optional<TxOutcome>> GetTxOutcome(NodeApi& api, std::string_view id_hex);
// tx_submit: the tx id (hex).
Result<std::string> SubmitTx(NodeApi& api, const Bytes& raw);
// tx_commit: waits until the tx is committed or `timeout_ms` passes (DEADLINE_EXCEEDED).
Result<TxOutcome> CommitTx(NodeApi& api, const Bytes& raw, uint32_t timeout_ms);
// Sends a signed tx: tx_submit first, so that a tx the node refuses at admission
// (the contract's check, e.g. DUPLICATE_LISTING) comes back at once as the
// Result's status, then, when `wait`, tx_commit until it is committed (the
// outcome carries the chain's result for it). A tx already in the mempool or
// already committed is sent again harmlessly: waiting gives its outcome.
// nullopt when not waiting.
Result<std::optional<TxOutcome>> SendSignedTx(NodeApi& api, const Bytes& raw, bool wait, uint32_t timeout_ms);
Result<std::vector<CertTypeInfo>> GetCertTypes(NodeApi& api);
// Typed error CERT_TYPE_NOT_FOUND.
Result<CertTypeInfo> GetCertType(NodeApi& api, std::string_view code);

// A governance proposal as gov_proposals lists it.
struct ProposalInfo {
  uint64_t id = 0;
  std::string status;       // "open" | "executed" | "failed" | "rejected" | "expired"
  std::string result_code;  // the action's error when "failed"
  std::string result_message;
};
// The governance proposal created by tx `tx_id` (hex), or nullopt if that tx
// created none: pages through gov_proposals for the one whose created_tx_id is
// `tx_id`. The one lookup every proposing command uses. Typed error BAD_RESPONSE.
Result<std::optional<ProposalInfo>> ProposalOfTx(NodeApi& api, const std::string& tx_id);

// Parsers of the answers above (exposed for tests).
Result<ChainStatusInfo> ParseChainStatus(const boost::json::value& v);
Result<TxOutcome> ParseTxOutcome(const boost::json::value& v);
Result<CertTypeInfo> ParseCertType(const boost::json::value& v);

}  // namespace civic::tools
