#include "ledger/tx.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "crypto/base/errors.h"
#include "crypto/hash.h"
#include "ledger/errors.h"

namespace civic::ledger {

namespace {

constexpr std::string_view kTxDomain("civicledger/tx/v1\0", 18);

Status Malformed(std::string msg) { return Status::InvalidArgument(err::TX_MALFORMED, std::move(msg)); }

bool KnownAlgo(pb::SigAlgo algo) {
  return algo == pb::ED25519 || algo == pb::SECP256K1 || algo == pb::SM2;
}

// The one encoding this build produces for `msg`; ids hash raw bytes, so only
// this encoding is accepted (no one can re-encode a tx under a new id).
Bytes CanonicalBytes(const google::protobuf::MessageLite& msg) {
  Bytes out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    msg.SerializeWithCachedSizes(&coded);
  }
  return out;
}

}  // namespace

Bytes TxSignBytes(std::string_view chain_id, std::string_view body) {
  Bytes out;
  out.reserve(kTxDomain.size() + chain_id.size() + 1 + body.size());
  out.append(kTxDomain);
  out.append(chain_id);
  out.push_back('\0');
  out.append(body);
  return out;
}

Bytes TxId(std::string_view signed_tx_bytes) { return crypto::Sha256(signed_tx_bytes); }

crypto::PublicKey FromProto(const pb::PublicKey& key) {
  crypto::PublicKey out;
  out.algo = static_cast<crypto::Algo>(static_cast<int>(key.algo()));
  out.key = key.key();
  return out;
}

pb::PublicKey ToProto(const crypto::PublicKey& key) {
  pb::PublicKey out;
  out.set_algo(static_cast<pb::SigAlgo>(static_cast<int>(key.algo)));
  out.set_key(key.key);
  return out;
}

Result<DecodedTx> DecodeTx(std::string_view raw, std::string_view chain_id, bool verify_signature) {
  if (raw.size() > kMaxTxBytes) {
    return Status::ResourceExhausted(err::TX_TOO_LARGE, "tx is " + std::to_string(raw.size()) +
                                                         " bytes; the limit is " +
                                                         std::to_string(kMaxTxBytes));
  }
  DecodedTx tx;
  if (raw.empty()) return Malformed("tx is empty");
  if (!tx.signed_tx.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
    return Malformed("tx bytes are not a SignedTx");
  }
  // Unknown fields would survive re-encoding; drop them so that they show.
  tx.signed_tx.DiscardUnknownFields();
  tx.signed_tx.ByteSizeLong();  // fills the cached sizes CanonicalBytes uses
  if (CanonicalBytes(tx.signed_tx) != raw) {
    return Malformed("tx is not in canonical encoding (unknown, repeated or default-valued fields)");
  }
  if (!tx.body.ParseFromString(tx.signed_tx.body())) return Malformed("tx body is not a TxBody");
  if (tx.body.chain_id() != chain_id) {
    return Status::InvalidArgument(err::WRONG_CHAIN_ID, "tx is for chain '" + tx.body.chain_id() +
                                                         "', this is chain '" + std::string(chain_id) + "'");
  }
  if (tx.body.contract().empty()) return Malformed("tx body names no contract");
  if (!tx.signed_tx.has_sig()) return Status::InvalidArgument(err::BAD_SIGNATURE, "tx is not signed");
  const pb::Signature& sig = tx.signed_tx.sig();
  if (!KnownAlgo(sig.signer().algo())) {
    return Status::InvalidArgument(err::UNSUPPORTED_ALGORITHM,
                                   "tx signer uses unknown signature algorithm " +
                                       std::to_string(static_cast<int>(sig.signer().algo())) +
                                       " (expected ed25519, secp256k1 or sm2)");
  }
  tx.signer = FromProto(sig.signer());
  if (verify_signature) {
    if (Status valid = tx.signer.Validate(); !valid.ok()) {
      return Status::InvalidArgument(err::BAD_SIGNATURE, "tx signer key is invalid: " + valid.message());
    }
    if (!crypto::Verify(tx.signer, TxSignBytes(chain_id, tx.signed_tx.body()), sig.sig())) {
      return Status::InvalidArgument(err::BAD_SIGNATURE, "tx signature does not verify for signer " +
                                                          tx.signer.ToString());
    }
  }
  tx.raw = Bytes(raw);
  tx.id = TxId(raw);
  return tx;
}

Bytes SignTx(const pb::TxBody& body, const crypto::KeyPair& key) {
  pb::SignedTx tx;
  tx.set_body(body.SerializeAsString());
  pb::Signature* sig = tx.mutable_sig();
  *sig->mutable_signer() = ToProto(key.public_key());
  sig->set_sig(key.Sign(TxSignBytes(body.chain_id(), tx.body())));
  tx.ByteSizeLong();
  return CanonicalBytes(tx);
}

}  // namespace civic::ledger
