"""Webhooks with real processes: civicd with a [webhooks] target POSTs each
certificate status change to a receiver on loopback, signed with the shared
secret; a receiver that fails gets the same delivery again until it answers
2xx; after a node restart nothing acknowledged is sent again (the unit tests
in tests/unit/node/webhooks_test.cc cover catching up on blocks committed while
the deliveries were stopped).

Usage: webhook_test.py SOURCE_DIR  (CIVIC_BIN and CIVICD_BIN name the binaries)"""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import unittest

sys.argv.pop(1) if len(sys.argv) > 1 else None
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SECRET = b"0123456789abcdef0123456789abcdef-webhook"


class Receiver(http.server.BaseHTTPRequestHandler):
    lock = threading.Lock()
    answer = 200
    got = []       # (delivery, signature ok, body) of every attempt

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ts = self.headers["X-Civic-Timestamp"]
        want = "v1=" + hmac.new(SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(want, self.headers.get("X-Civic-Signature", ""))
        with Receiver.lock:
            Receiver.got.append((self.headers["X-Civic-Delivery"], ok, json.loads(body)))
            status = Receiver.answer
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def attempts():
    with Receiver.lock:
        return list(Receiver.got)


def wait_for(predicate, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class WebhookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.net = harness.Network()

        def configure(config):
            secret = os.path.join(os.path.dirname(config), "webhook.secret")
            with open(os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
                f.write(SECRET)
            with open(config, "a", encoding="utf-8") as f:
                f.write(f'\n[webhooks]\ntargets = ["http://127.0.0.1:{cls.server.server_port}/hooks/civic"]\n'
                        f'secret_file = "webhook.secret"\ntimeout_ms = 2000\n')
        cls.net.start(configure=configure)
        cls.psb = os.path.join(cls.net.net, "orgs/psb.key")

    @classmethod
    def tearDownClass(cls):
        cls.net.stop()
        cls.server.shutdown()
        cls.server.server_close()

    def change(self, verb, cert, reason):
        self.net.civic(["cert", verb, cert, "--reason", reason, "--key", self.psb, "--node", self.net.url, "--wait"])

    def test_deliveries(self):
        # The sample data (revoke, suspend, replace) was committed after the target
        # existed: those are delivered too, in chain order, each signed.
        self.assertTrue(wait_for(lambda: len(attempts()) >= 3), attempts())
        kinds = [a[2]["event"]["event"]["kind"] for a in attempts()]
        self.assertEqual(kinds[:3], ["revoked", "suspended", "revoked"])
        self.assertTrue(all(ok for _, ok, _ in attempts()))
        replaced = attempts()[2][2]["event"]
        self.assertEqual(replaced["id"], self.net.certs["replaced"]["id"])
        self.assertIn("next_id", replaced)

        # A failing receiver gets the same delivery until it answers 2xx.
        Receiver.answer = 503
        seen = len(attempts())
        valid = self.net.certs["valid"]["id"]
        self.change("suspend", valid, "核查")
        self.assertTrue(wait_for(lambda: len(attempts()) >= seen + 2), "no retry")
        Receiver.answer = 200
        self.assertTrue(wait_for(lambda: sum(1 for a in attempts()[seen:] if a[2]["event"]["id"] == valid) >= 3))
        retried = [a for a in attempts()[seen:]]
        self.assertEqual({a[0] for a in retried}, {retried[0][0]}, "one delivery id across retries")
        self.assertEqual(retried[0][2]["event"]["status"], "suspended")

        # Restart: nothing acknowledged is sent again; the next change arrives.
        time.sleep(0.5)
        acked = len(attempts())
        self.net.down()
        self.net.up()
        self.change("reinstate", valid, "核查完毕")
        self.assertTrue(wait_for(lambda: len(attempts()) > acked))
        time.sleep(1.0)
        after = attempts()[acked:]
        self.assertEqual([a[2]["event"]["status"] for a in after], ["active"], after)


if __name__ == "__main__":
    unittest.main(verbosity=2)
