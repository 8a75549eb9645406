// Fuzz target: the JSON bodies of the issuer API (rpc/issuer/request.h), which a
// department's business systems send and the node turns into txs. The first
// byte picks the decoder (0 issue, 1 batch, 2 renew, 3 replace, 4 suspend /
// reinstate / revoke); the rest is the body.
// Properties: an error has a stable app code; a batch holds 1..kMaxIssuerBatch
// certificates; an accepted issue prepared against a fixed type either fails with
// a typed error or gives an item whose commitment and digests are the copy's,
// and the same salts give the same item again.
#include <memory>

#include "contracts/certificate/holder.h"
#include "rpc/issuer/request.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

civic::pb::CertType FixedType() {
  civic::pb::CertType type;
  type.set_code("11510700008207313A001");
  type.set_holder_code_type("citizen_id");
  for (const char* name : {"name", "address"}) {
    civic::pb::CertFieldSpec* f = type.add_fields();
    f->set_name(name);
    f->set_required(true);
  }
  return type;
}

civic::contracts::SaltSource Counting() {
  auto n = std::make_shared<int>(0);
  return [n] { return "s" + std::to_string((*n)++); };
}

void CheckPrepared(const civic::contracts::IssueRequest& request) {
  using namespace civic;
  static const pb::CertType type = FixedType();
  auto a = contracts::PrepareIssue(type, "11510700008207313A", request, Counting());
  if (!a.ok()) {
    FUZZ_CHECK(!a.status().app_code().empty());
    return;
  }
  FUZZ_CHECK(a->item.holder_commitment() == a->copy.Commitment());
  FUZZ_CHECK(static_cast<size_t>(a->item.claims_size()) == a->copy.fields.size());
  auto b = contracts::PrepareIssue(type, "11510700008207313A", request, Counting());
  FUZZ_CHECK(b.ok());
  FUZZ_CHECK(b->item.SerializeAsString() == a->item.SerializeAsString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  if (size == 0) return 0;
  const uint8_t which = data[0] % 5;
  const std::string_view body = AsText(data + 1, size - 1);
  Status status;
  switch (which) {
    case 0:
    case 1: {
      auto r = which == 0 ? rpc::DecodeIssueBody(body) : rpc::DecodeIssueBatchBody(body);
      status = r.status();
      if (r.ok()) {
        FUZZ_CHECK(!r->certificates.empty() && r->certificates.size() <= rpc::kMaxIssuerBatch);
        FUZZ_CHECK(which == 1 || r->certificates.size() == 1);
        for (const auto& c : r->certificates) CheckPrepared(c);
      }
      break;
    }
    case 2:
    case 3: {
      auto r = rpc::DecodeNewVersionBody(body, which == 3);
      status = r.status();
      if (r.ok()) FUZZ_CHECK(r->fields.empty() || r->holder_certificate.has_value());
      break;
    }
    default:
      status = rpc::DecodeStatusChangeBody(body).status();
  }
  if (!status.ok()) FUZZ_CHECK(!status.app_code().empty());
  return 0;
}
