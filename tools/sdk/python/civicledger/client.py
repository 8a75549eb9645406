"""Reads and verification against one node's JSON-RPC and REST API.

Answers are the JSON the node sends (their shapes: GET /openrpc.json and
/openapi.json, docs/RPC.md); failures raise a CivicError subclass. A Client is
safe to share between threads (each call is one HTTP request)."""
import itertools
import threading
import urllib.parse

from .errors import CivicError, from_jsonrpc, from_rest
from .transport import Transport

VALID, INVALID, NOT_GENUINE, UNKNOWN_ID = "valid", "invalid", "not_genuine", "unknown_id"


class Verification(dict):
    """cert_verify's answer. Act on `verdict` alone (docs/RPC.md cert_verify)."""

    @property
    def verdict(self):
        return self["verdict"]

    @property
    def valid(self):
        return self["verdict"] == VALID

    @property
    def reason(self):
        return self.get("verdict_reason", "")


class Client:
    def __init__(self, url, ca_file=None, client_cert=None, client_key=None, timeout=30.0):
        """url: the node, e.g. "https://psb.civic.example:26657"; ca_file: the CA
        that signed the node's certificate (default: the system roots)."""
        self.transport = Transport(url, ca_file, client_cert, client_key, timeout)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def call(self, method, params=None):
        """One JSON-RPC call; its result, or the CivicError it was refused with."""
        with self._lock:
            call_id = next(self._ids)
        status, body = self.transport.request(
            "POST", "/rpc", {"jsonrpc": "2.0", "id": call_id, "method": method, "params": params or {}})
        if not isinstance(body, dict) or body.get("jsonrpc") != "2.0":
            if status != 200 and isinstance(body, dict) and "error" in body:
                raise from_rest(status, body)
            raise CivicError("BAD_ANSWER", f"not a JSON-RPC answer (HTTP {status})")
        if "error" in body:
            raise from_jsonrpc(body["error"])
        if body.get("id") != call_id or "result" not in body:
            raise CivicError("BAD_ANSWER", "the answer does not match the call")
        return body["result"]

    # Chain
    def status(self):
        return self.call("chain_status")

    def block(self, height=None, hash=None):
        params = {"height": height} if height is not None else ({"hash": hash} if hash else {})
        return self.call("chain_getBlock", params)

    def tx(self, tx_id):
        return self.call("chain_getTx", {"id": tx_id})

    def genesis(self):
        """The genesis file the node started from (for checking proofs)."""
        return self.transport.get_json("/v1/genesis")

    # Certificates
    def certificate(self, cert_id):
        return self.call("cert_get", {"id": cert_id})

    def verify(self, cert_id, fields=None, holder_certificate=None, at=None):
        """Verify a certificate: by id alone, with the fields the holder shows
        ({name: {"salt", "value"}}, see Holder.disclose) or with the holder's whole
        copy. Personal values go in the POST body, never in a URL."""
        params = {"id": cert_id}
        if fields is not None:
            params["fields"] = fields
        if holder_certificate is not None:
            params["holder_certificate"] = holder_certificate
        if at is not None:
            params["at"] = at
        return Verification(self.call("cert_verify", params))

    def history(self, cert_id):
        return self.call("cert_history", {"id": cert_id})

    def certificates_of_holder(self, holder_commitment, limit=100, cursor=None):
        params = {"holder_commitment": holder_commitment, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self.call("cert_listByHolder", params)

    def certificate_types(self):
        return self.call("cert_types")

    def certificate_proof(self, cert_id, at=None):
        """The light-client proof (check it with the JavaScript verifier or `civic verify`)."""
        return self.call("cert_proof", {"id": cert_id, **({"at": at} if at is not None else {})})

    # Credit
    def credit_report(self, subject):
        return self.call("credit_report", {"subject": subject})

    def credit_check(self, subject, matter=None):
        return self.call("credit_check", {"subject": subject, **({"matter": matter} if matter else {})})

    # Data sharing, as the data subject
    def my_accesses(self, holder, limit=100, cursor=None):
        """Who read the caller's own data: `holder` is the "holder" member of the
        caller's certificate copy ({code_type, code, salt}). Personal data: use
        https or the node's loopback address."""
        params = {"salt": holder["salt"], "code_type": holder["code_type"], "code": holder["code"], "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self.call("sharing_mySubjectAccesses", params)

    def rest(self, path):
        """GET a REST route, e.g. rest("/v1/blocks/latest")."""
        return self.transport.get_json(urllib.parse.quote(path, safe="/?=&"))
