"""The issuer API of a department's own node (docs/RPC.md "Issuer API"): issue,
renew, replace, suspend, reinstate and revoke certificates with the personal
values in clear in the request, which the node turns into commitments and
digests. Every call carries an Idempotency-Key: the SDK makes one per call and
sends it again when it retries after a timeout or a lost connection, so a
certificate is never issued twice."""
import time
import uuid

from .errors import CivicError, Unavailable, from_rest
from .transport import Transport


class Issuer:
    def __init__(self, url, token, ca_file=None, client_cert=None, client_key=None, timeout=60.0, retries=3):
        """token: an issuer API token (civic issuer token create); keep it secret.
        retries: how many times a call is sent again after a transport failure."""
        self.transport = Transport(url, ca_file, client_cert, client_key, timeout,
                                   headers={"Authorization": f"Bearer {token}"})
        self.retries = retries

    def call(self, path, body, wait=True, idempotency_key=None):
        """POST to /v1/issuer/<path>; the answer, or the CivicError it was refused with."""
        key = idempotency_key or str(uuid.uuid4())
        target = "/v1/issuer/" + path + ("?wait=true" if wait else "")
        for attempt in range(self.retries + 1):
            try:
                status, answer = self.transport.request("POST", target, body, headers={"Idempotency-Key": key})
            except Unavailable:
                if attempt == self.retries:
                    raise
                time.sleep(min(2 ** attempt, 10))
                continue
            if status in (200, 202):
                return answer
            raise from_rest(status, answer)
        raise CivicError("UNREACHABLE", "no answer")  # not reached

    def issue(self, type_code, holder_code_type, holder_code, fields, serial=None, valid_from=None,
              valid_until=None, wait=True, idempotency_key=None):
        """One certificate; the answer's certificates[0].holder_certificate is the
        holder's copy (values with salts): hand it to the holder, do not keep it."""
        body = {"type_code": type_code, "holder_code_type": holder_code_type, "holder_code": holder_code,
                "fields": fields}
        body.update({k: v for k, v in (("serial", serial), ("valid_from", valid_from),
                                       ("valid_until", valid_until)) if v is not None})
        return self.call("certificates", body, wait, idempotency_key)

    def issue_batch(self, type_code, certificates, wait=True, idempotency_key=None):
        """1..1000 certificates of one type in one tx: dicts of holder_code_type,
        holder_code, fields and optionally serial, valid_from, valid_until."""
        return self.call("certificates/batch", {"type_code": type_code, "certificates": certificates}, wait,
                         idempotency_key)

    def renew(self, cert_id, wait=True, idempotency_key=None, **body):
        return self.call(f"certificates/{cert_id}/renew", body, wait, idempotency_key)

    def replace(self, cert_id, reason, wait=True, idempotency_key=None, **body):
        return self.call(f"certificates/{cert_id}/replace", dict(body, reason=reason), wait, idempotency_key)

    def suspend(self, cert_id, reason, wait=True, idempotency_key=None):
        return self.call(f"certificates/{cert_id}/suspend", {"reason": reason}, wait, idempotency_key)

    def reinstate(self, cert_id, reason, wait=True, idempotency_key=None):
        return self.call(f"certificates/{cert_id}/reinstate", {"reason": reason}, wait, idempotency_key)

    def revoke(self, cert_id, reason, wait=True, idempotency_key=None):
        return self.call(f"certificates/{cert_id}/revoke", {"reason": reason}, wait, idempotency_key)
