"""The requests the API description test sends to a live sample network: at
least one per JSON-RPC method and per REST operation, answered or refused,
built from what the network holds (ids, commitments, signed auditor requests).
"""
import http.server
import json
import os
import secrets
import subprocess
import threading
import time
import urllib.request

from nacl.signing import SigningKey

# A well-formed id (check character right) that the sample network never issues.
UNKNOWN_CERT = "1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000099.001.C"


class AuditorSigner:
    """Signs auditor requests as docs/RPC.md "Auditor request signature" says."""

    def __init__(self, net, key_name):
        with open(os.path.join(net.net, "orgs", key_name + ".key"), encoding="utf-8") as f:
            key = json.load(f)
        with open(os.path.join(net.net, "orgs", key_name + ".key.org"), encoding="utf-8") as f:
            self.org = f.read().strip()
        self.key = SigningKey(bytes.fromhex(key["secret_key"]))
        self.public = "ed25519:" + key["public_key"]
        status = net.rpc("chain_status", {})["result"]
        self.chain_id = status["chain_id"]
        self.audience = status["node"]["node_id"]

    def params(self, method, request):
        text = json.dumps(request, separators=(",", ":"))
        ts = int(time.time() * 1000)
        nonce = secrets.token_hex(16)
        signed = b"\0".join(x.encode() for x in (
            "civicledger/rpc-auth/v2", self.chain_id, self.audience, method, str(ts), nonce, text))
        sig = self.key.sign(signed).signature.hex()
        return {"request": text, "auth": {"version": 2, "org": self.org, "key": self.public,
                                          "audience": self.audience, "timestamp_ms": ts, "nonce": nonce,
                                          "sig": sig}}


class _TxCatcher(http.server.BaseHTTPRequestHandler):
    """Stands in for the node: forwards every call but tx_submit / tx_commit,
    whose tx it keeps and refuses, so a test holds a fresh signed tx."""
    node_url = ""
    caught = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        call = json.loads(body)
        if call.get("method") in ("tx_submit", "tx_commit"):
            _TxCatcher.caught.append(call["params"]["tx"])
            answer = json.dumps({"jsonrpc": "2.0", "id": call.get("id"),
                                 "error": {"code": -32000, "message": "caught"}}).encode()
        else:
            req = urllib.request.Request(self.node_url + "/rpc", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                answer = r.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def signed_txs(net, count):
    """`count` fresh signed txs (suspensions of the spare certificate, each
    with its own reason) made by the civic CLI and not yet submitted."""
    _TxCatcher.node_url = net.url
    _TxCatcher.caught = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _TxCatcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for i in range(count):
            subprocess.run([os.environ["CIVIC_BIN"], "cert", "suspend", net.certs["spare"]["id"], "--reason",
                            f"核查 {i}", "--key", os.path.join(net.net, "orgs/psb.key"),
                            "--node", f"http://127.0.0.1:{server.server_port}"], capture_output=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    if len(_TxCatcher.caught) != count:
        raise RuntimeError(f"caught {len(_TxCatcher.caught)} txs of {count}")
    return list(_TxCatcher.caught)


def jsonrpc_calls(net):
    """[(method, params)]: every method at least once with params it answers."""
    valid = net.certs["valid"]
    cert = net.rpc("cert_get", {"id": valid["id"]})["result"]
    tx_id = cert["issuing_tx_id"]
    holder = valid["holder"]["holder"]
    auditor = AuditorSigner(net, "gss")
    enterprise = net.credit["enterprises"][0]
    entry = net.rpc("credit_list", {"list": "black", "limit": 1})["result"]["entries"][0]["id"]
    submit_tx, commit_tx = signed_txs(net, 2)
    fields = {f["name"]: {"salt": f["salt"], "value": f["value"]} for f in valid["holder"]["fields"]}
    calls = [
        ("chain_status", {}),
        ("chain_getBlock", {"height": 1}),
        ("chain_getTx", {"id": tx_id}),
        ("chain_getTxFull", auditor.params("chain_getTxFull", {"id": tx_id})),
        ("tx_submit", {"tx": submit_tx}),
        ("tx_commit", {"tx": commit_tx}),
        ("cert_get", {"id": valid["id"]}),
        ("cert_get", {"id": net.certs["revoked"]["id"]}),
        ("cert_verify", {"id": valid["id"]}),
        ("cert_verify", {"id": net.certs["revoked"]["id"]}),
        ("cert_verify", {"id": net.certs["replaced"]["id"]}),
        ("cert_verify", {"id": valid["id"], "holder_certificate": valid["holder"]}),
        ("cert_history", {"id": valid["id"]}),
        ("cert_listByHolder", {"holder_commitment": cert["holder_commitment"], "limit": 10}),
        ("cert_types", {}),
        ("cert_proof", {"id": valid["id"]}),
        ("cert_proof", {"id": UNKNOWN_CERT}),
        ("state_proof", {"key": "gov/params"}),
        ("light_headers", {"from": 1, "to": 2}),
        ("gov_orgs", {}),
        ("gov_validators", {}),
        ("gov_params", {}),
        ("gov_proposal", {"id": net.credit["proposal_id"]}),
        ("gov_proposals", {"from": 1, "limit": 10}),
        ("credit_report", {"subject": enterprise}),
        ("credit_list", {"list": "black", "limit": 5}),
        ("credit_list", {"list": "red", "limit": 5}),
        ("credit_get", {"entry": entry}),
        ("credit_check", {"subject": enterprise, "matter": "government_procurement"}),
        ("credit_categories", {}),
        ("sharing_catalogue", {"provider": "11510700008207313A"}),
        ("sharing_grants", {"requester": "11510700008207428G"}),
        ("sharing_query", auditor.params("sharing_query", {"limit": 5, "subjects": True})),
        ("sharing_violations", auditor.params("sharing_violations", {"limit": 5})),
        ("sharing_stats", auditor.params("sharing_stats", {})),
        ("sharing_mySubjectAccesses", {"salt": holder["salt"], "code_type": holder["code_type"],
                                       "code": holder["code"]}),
    ]
    calls.append(("cert_verify", {"id": valid["id"], "fields": fields}))
    return calls


def rest_calls(net):
    """[(method, concrete path, documented path, body or None)]."""
    valid = net.certs["valid"]["id"]
    cert = net.rpc("cert_get", {"id": valid})["result"]
    unknown = UNKNOWN_CERT
    return [
        ("GET", f"/v1/certificates/{valid}", "/v1/certificates/{id}", None),
        ("GET", f"/v1/certificates/{unknown}", "/v1/certificates/{id}", None),
        ("GET", f"/v1/certificates/{valid}/verify", "/v1/certificates/{id}/verify", None),
        ("GET", f"/v1/certificates/{valid}/verify?holder_id=510703198805161236", "/v1/certificates/{id}/verify",
         None),
        ("POST", f"/v1/certificates/{valid}/verify", "/v1/certificates/{id}/verify",
         {"holder_certificate": net.certs["valid"]["holder"]}),
        ("POST", f"/v1/certificates/{valid}/verify", "/v1/certificates/{id}/verify", b"{not json"),
        ("GET", f"/v1/certificates/{valid}/proof", "/v1/certificates/{id}/proof", None),
        ("GET", "/v1/blocks/latest", "/v1/blocks/{which}", None),
        ("GET", "/v1/blocks/1", "/v1/blocks/{which}", None),
        ("GET", "/v1/blocks/not-a-height", "/v1/blocks/{which}", None),
        ("GET", f"/v1/txs/{cert['issuing_tx_id']}", "/v1/txs/{id}", None),
        ("GET", f"/v1/credit/{net.credit['enterprises'][0]}", "/v1/credit/{uscc}", None),
        ("GET", "/v1/genesis", "/v1/genesis", None),
        ("GET", "/healthz", "/healthz", None),
        ("GET", "/metrics", "/metrics", None),
        ("GET", "/openapi.json", "/openapi.json", None),
        ("GET", "/openrpc.json", "/openrpc.json", None),
        ("POST", "/rpc", "/rpc", {"jsonrpc": "2.0", "id": 1, "method": "chain_status", "params": {}}),
        ("POST", "/rpc", "/rpc", {"jsonrpc": "2.0", "id": 1, "method": "no_such_method", "params": {}}),
    ]
