// Read-only certificate queries over committed state, as C++ values, for the
// RPC layer (JSON-RPC and REST share them; their JSON renderings are in
// rpc/codec/certificate.h) and the CLI.
//
// Verification answers four questions: is the certificate genuine (a record with
// this id exists on chain, sealed by its issuer's tx, and everything presented
// with it -- fields, the holder's copy -- matches what the chain holds), who
// issued it, is it valid at time T (issued by T, inside its validity window, and
// its status AT T, taken from the status history, is active), and which
// presented fields match the salted digests on chain. One verdict sums it up
// (Verdict below) so that an app that reads nothing else cannot accept a
// forgery. An unknown or malformed id is an answer, not an error.
//
// Thread safety: pure functions of the reader; safe when the reader is.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "contracts/certificate/certificate.pb.h"
#include "contracts/certificate/holder.h"
#include "contracts/certificate/rules.h"
#include "ledger/kv.h"

namespace civic::contracts {

// Typed errors: BAD_CERT_ID, CERT_NOT_FOUND, CORRUPTION.
Result<pb::Certificate> GetCertificate(const ledger::KvReader& state, std::string_view id);
Result<pb::CertType> GetCertType(const ledger::KvReader& state, std::string_view code);

// A field the verifier was shown: its salt and value.
struct PresentedField {
  std::string salt;
  std::string value;
};

enum class FieldMatch { kMatch, kMismatch, kNotOnCertificate };

// The one answer an app acts on, in this order of precedence:
//   kUnknownId   no certificate has this id (reason CERT_NOT_FOUND) or the input
//                is not a certificate id at all (BAD_CERT_ID);
//   kNotGenuine  something presented does not match the chain (FIELD_MISMATCH,
//                FIELD_NOT_ON_CERTIFICATE, HOLDER_MISMATCH, COPY_MISMATCH);
//   kInvalid     genuine, but not valid at the time asked (NOT_YET_ISSUED,
//                NOT_YET_VALID, EXPIRED, SUSPENDED, REVOKED, REPLACED, SUPERSEDED);
//   kValid       genuine, everything presented matches, valid at that time.
enum class Verdict { kValid, kInvalid, kNotGenuine, kUnknownId };
// "valid" | "invalid" | "not_genuine" | "unknown_id".
const char* VerdictName(Verdict v);

struct FieldResult {
  std::string name;
  FieldMatch match = FieldMatch::kNotOnCertificate;
};

struct Verification {
  std::string id;
  int64_t at_ms = 0;
  bool genuine = false;
  // "BAD_CERT_ID" | "CERT_NOT_FOUND" | "FIELD_MISMATCH" | "FIELD_NOT_ON_CERTIFICATE" |
  // "HOLDER_MISMATCH" | "COPY_MISMATCH".
  std::string not_genuine_reason;
  // Set when genuine.
  std::string type_code;
  std::string type_name;
  std::string issuer_org;
  std::string issuer_name;
  pb::CertStatus status_now = pb::CERT_STATUS_UNSPECIFIED;
  std::string reason_now;
  StatusAt status_at;
  bool valid_at_time = false;
  // Why not valid at time: "NOT_YET_ISSUED" | "NOT_YET_VALID" | "EXPIRED" |
  // "SUSPENDED" | "REVOKED" | "REPLACED" (revoked when a replacement was issued;
  // next_id names it) | "SUPERSEDED" (renewed; next_id) (empty when valid).
  std::string invalid_reason;
  std::string next_id;  // newer version, if any
  std::optional<bool> holder_match;  // set when a holder copy was presented
  std::vector<FieldResult> fields;   // in name order
  std::optional<bool> fields_match;  // all presented fields match (unset: none presented)
  std::optional<pb::Certificate> certificate;
  Verdict verdict = Verdict::kUnknownId;
  std::string verdict_reason;  // empty only for kValid
};

// A presented field that does not match (or that the certificate does not have)
// makes the answer not genuine.
Result<Verification> VerifyCertificate(const ledger::KvReader& state, std::string_view id,
                                       int64_t at_ms,
                                       const std::map<std::string, PresentedField>& fields = {});
// Verifies the holder's copy: the id, every field, and the holder commitment.
Result<Verification> VerifyHolderCertificate(const ledger::KvReader& state,
                                             const HolderCertificate& cert, int64_t at_ms);

struct CertHistory {
  std::string id;
  std::vector<std::string> versions;  // the version chain, oldest first (includes id)
  std::vector<pb::CertEvent> events;  // this version's events, issuance first
};
Result<CertHistory> History(const ledger::KvReader& state, std::string_view id);

struct CertPage {
  std::vector<pb::Certificate> items;
  std::string next_cursor;  // empty: no more
};
constexpr size_t kMaxPageSize = 1000;
// Certificates whose holder commitment is `holder_commitment` (32 bytes), in id
// order, starting after `cursor` (an id; empty = from the start). Typed errors:
// BAD_HOLDER_COMMITMENT, BAD_LIMIT.
Result<CertPage> ListByHolder(const ledger::KvReader& state, std::string_view holder_commitment,
                              std::string_view cursor, size_t limit);
// Certificates issued by org `issuer_org`, in id order.
Result<CertPage> ListByIssuer(const ledger::KvReader& state, std::string_view issuer_org,
                              std::string_view cursor, size_t limit);
Result<std::vector<pb::CertType>> ListTypes(const ledger::KvReader& state);

}  // namespace civic::contracts
