"""Signed auditor requests (docs/RPC.md "Auditor request signature"): the
sharing_* auditor queries and chain_getTxFull, signed with an Ed25519 key of an
organisation holding the AUDITOR role. Needs PyNaCl (Debian: python3-nacl)."""
import json
import secrets
import time

from nacl.signing import SigningKey


class Auditor:
    def __init__(self, client, key_file, org=None):
        """key_file: the org key file ({"algo": "ed25519", "public_key", "secret_key"},
        mode 0600); org: the organisation's USCC (default: the key's <key>.org file)."""
        with open(key_file, encoding="utf-8") as f:
            key = json.load(f)
        if key.get("algo") != "ed25519":
            raise ValueError("auditor requests are signed with an ed25519 org key")
        if org is None:
            with open(key_file + ".org", encoding="utf-8") as f:
                org = f.read().strip()
        self.client = client
        self.org = org
        self._key = SigningKey(bytes.fromhex(key["secret_key"]))
        self._public = "ed25519:" + key["public_key"]
        self._chain_id = None
        self._audience = None

    def signed_params(self, method, request):
        """The params of a signed call: `request` as JSON text and its signature.
        A request names the node it is for, so it is signed per node and per call."""
        if self._audience is None:
            status = self.client.status()
            self._chain_id, self._audience = status["chain_id"], status["node"]["node_id"]
        text = json.dumps(request, separators=(",", ":"), ensure_ascii=False)
        timestamp_ms = int(time.time() * 1000)
        nonce = secrets.token_hex(16)
        signed = b"\0".join(part.encode("utf-8") for part in (
            "civicledger/rpc-auth/v2", self._chain_id, self._audience, method, str(timestamp_ms), nonce, text))
        return {"request": text, "auth": {"version": 2, "org": self.org, "key": self._public,
                                          "audience": self._audience, "timestamp_ms": timestamp_ms,
                                          "nonce": nonce, "sig": self._key.sign(signed).signature.hex()}}

    def call(self, method, **request):
        return self.client.call(method, self.signed_params(method, request))

    def accesses(self, **filters):
        """sharing_query: access records matching the filters (org, resource, purpose, ...)."""
        return self.call("sharing_query", **filters)

    def violations(self, **filters):
        return self.call("sharing_violations", **filters)

    def stats(self, **filters):
        return self.call("sharing_stats", **filters)

    def tx_full(self, tx_id):
        """A tx in full, non-public fields included."""
        return self.call("chain_getTxFull", id=tx_id)
