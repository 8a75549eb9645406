// JSON renderings of the light client's messages (light/light.proto) for
// cert_proof, state_proof and light_headers. Every byte string a verifier
// hashes is given in hex exactly as hashed (header_bytes, state entry key and
// value); decoded views (header, validators) sit beside them for reading only.
// "proto" holds the whole message, serialized, in base64url without padding,
// for clients that prefer to decode protobuf (civic verify --offline does).
// docs/RPC.md "Proofs and the light client" documents every member. Pure
// functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include "light/light.pb.h"

namespace civic::rpc {

// {"header_bytes","block_hash","header":{...},"commit":{...},"validators":[...],"next_validators":[...]}
boost::json::object LightBlockJson(const pb::LightBlock& block);
// {"key","exists","value","version","root","depth","siblings":[...],"leaf_path","leaf_value_hash"}
boost::json::object StateProofJson(const pb::StateProof& proof);
// {"chain_id","height","block":{...},"entries":[...],"validator_path":[...],"proto"}
boost::json::object LightProofJson(const pb::LightProof& proof);
// {"blocks":[...],"proto"}
boost::json::object LightHeadersJson(const pb::LightHeaders& headers);

}  // namespace civic::rpc
