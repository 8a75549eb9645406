// The certificate status changes a committed block made, for the
// "certificates" and "certificate:<id>" WebSocket topics and the node's
// webhooks (node/webhooks.h): one event per certificate whose status a
// successful tx of the block changed: suspended, reinstated, revoked, and the
// previous version of a renewal (superseded) or a replacement (revoked as
// replaced). Issuance is not a status change: tx_commit and the issuer API
// confirm it to the issuer.
//
// An event holds only public values (docs/RPC.md "Certificate events"):
//   {"id", "type_code", "issuer_org", "status" (after this event), "next_id"?
//    (the renewal or replacement), "event": {kind, time_ms, time, height, tx_id,
//    org, reason?, status_after, related_id?}}
// It is taken from the certificate's own history (the event its record keeps for
// the tx), so the events of a block are the same whenever they are derived: a
// webhook that catches up on old blocks sends what a subscriber saw live.
//
// Requires: `chain` has applied `block`. Pure function of its inputs;
// thread-safe as the chain's readers are.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "ledger/chain.h"
#include "ledger/ledger.pb.h"

namespace civic::rpc {

std::vector<boost::json::object> CertificateEventsOf(const pb::Block& block, const ledger::Chain& chain);

// The topic of one certificate's events: "certificate:<id>".
std::string CertificateTopic(std::string_view id);

}  // namespace civic::rpc
