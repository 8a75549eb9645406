// LightClient: the state a light client keeps while it follows a chain from a
// trust root (the genesis or a trusted header): every block it verified, by
// height, and the latest trusted state.
//
// Update verifies a block against the nearest trusted state below it
// (verifier.h: sequential when adjacent, skipping otherwise) and remembers it.
// A block with a valid commit at a height the client already holds with
// another hash is a fork: FORK_DETECTED, the two blocks kept as evidence
// (fork()), the block never accepted. A block that fails verification is
// refused with its reason and changes nothing.
//
// Memory is bounded: at most kMaxRemembered blocks are kept (the oldest are
// forgotten first, the trust root never). Not thread-safe: one caller at a time.
#pragma once

#include <cstddef>
#include <map>
#include <optional>

#include "light/verifier.h"

namespace civic::light {

class LightClient {
 public:
  static constexpr size_t kMaxRemembered = 4096;

  LightClient(TrustedState root, VerifyOptions options);

  // Verifies `block` and remembers it (see above). Errors: light/errors.h codes.
  Status Update(const pb::LightBlock& block);
  // Update for each block in order; stops at the first refusal.
  Status UpdateAll(const google::protobuf::RepeatedPtrField<pb::LightBlock>& blocks);

  const TrustedState& latest() const { return states_.rbegin()->second.state; }
  const VerifyOptions& options() const { return options_; }
  void set_now(int64_t now_ms) { options_.now_ms = now_ms; }
  // The two conflicting blocks of the first fork seen.
  const std::optional<pb::ForkEvidence>& fork() const { return fork_; }
  size_t remembered() const { return states_.size(); }

 private:
  struct Known {
    TrustedState state;
    pb::LightBlock block;  // empty for the trust root
  };
  Status Conflict(const Known& held, const pb::LightBlock& block);
  void Remember(TrustedState state, const pb::LightBlock& block);

  VerifyOptions options_;
  uint64_t root_height_;
  std::map<uint64_t, Known> states_;
  std::optional<pb::ForkEvidence> fork_;
};

}  // namespace civic::light
