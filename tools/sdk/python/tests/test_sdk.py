"""The Python SDK against a live one-node network with sample data (the
network of tests/api/harness.py). Usage: test_sdk.py SOURCE_DIR, with CIVIC_BIN
and CIVICD_BIN naming the binaries."""
import json
import os
import sys
import unittest

SOURCE = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
sys.path.insert(0, os.path.join(SOURCE, "tools/sdk/python"))
sys.path.insert(0, os.path.join(SOURCE, "tests/api"))
try:
    import nacl  # noqa: F401
except ImportError as e:
    print(f"Python SDK test skipped: {e}", file=sys.stderr)
    sys.exit(77)

import civicledger  # noqa: E402
from civicledger import Auditor, Client, Holder, Issuer, Subscription  # noqa: E402
import harness  # noqa: E402

UNKNOWN_CERT = "1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000099.001.C"


class SdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        def enable_issuer(config):  # the [issuer] section civic net init writes, turned on
            with open(config, encoding="utf-8") as f:
                text = f.read()
            assert "[issuer]\nenabled = false\n" in text
            text = text.replace("[issuer]\nenabled = false\n", '[issuer]\nenabled = true\norg = "11510700008207313A"\n'
                                'org_key_file = "../orgs/psb.key"\n')
            with open(config, "w", encoding="utf-8") as f:
                f.write(text)
        cls.net = harness.Network().start(configure=enable_issuer)
        cls.client = Client(cls.net.url)
        cls.holder = Holder.load(cls.net.certs["valid"]["file"])
        made = json.loads(cls.net.civic(["issuer", "token", "create", "--node-dir", os.path.dirname(cls.net.config),
                                         "--scope", "cert.issue:11510700008207313A001,cert.revoke:*",
                                         "--expires", "1d", "--label", "sdk-test", "--json"]))
        cls.issuer = Issuer(cls.net.url, made["token"])

    @classmethod
    def tearDownClass(cls):
        cls.net.stop()

    def test_reads(self):
        status = self.client.status()
        self.assertEqual(status["chain_id"], "mianyang-1")
        cert = self.client.certificate(self.holder.id)
        self.assertEqual(cert["status"], "active")
        self.assertEqual(self.client.tx(cert["issuing_tx_id"])["id"], cert["issuing_tx_id"])
        self.assertEqual(self.client.block(height=1)["height"], 1)
        self.assertEqual(self.client.rest("/v1/blocks/latest")["height"], self.client.block()["height"])
        self.assertEqual(self.client.genesis()["chain_id"], "mianyang-1")
        listed = self.client.certificates_of_holder(cert["holder_commitment"])
        self.assertIn(self.holder.id, json.dumps(listed))

    def test_verdicts(self):
        shown = self.holder.disclose("name")
        self.assertTrue(self.client.verify(self.holder.id, fields=shown).valid)
        self.assertTrue(self.client.verify(self.holder.id, holder_certificate=self.holder.copy).valid)
        forged = {"name": dict(shown["name"], value="李四")}
        v = self.client.verify(self.holder.id, fields=forged)
        self.assertEqual((v.verdict, v.reason), (civicledger.NOT_GENUINE, "FIELD_MISMATCH"))
        self.assertEqual(self.client.verify(UNKNOWN_CERT).verdict, civicledger.UNKNOWN_ID)
        self.assertEqual(self.client.verify(self.net.certs["revoked"]["id"]).verdict, civicledger.INVALID)
        self.assertEqual(self.client.verify("not an id").reason, "BAD_CERT_ID")

    def test_typed_errors(self):
        with self.assertRaises(civicledger.NotFound) as e:
            self.client.certificate(UNKNOWN_CERT)
        self.assertEqual(e.exception.app_code, "CERT_NOT_FOUND")
        with self.assertRaises(civicledger.InvalidInput) as e:
            self.client.certificate("not an id")
        self.assertEqual(e.exception.app_code, "BAD_CERT_ID")
        with self.assertRaises(civicledger.NotFound) as e:
            self.client.call("no_such_method")
        self.assertEqual(e.exception.app_code, "METHOD_NOT_FOUND")
        with self.assertRaises(civicledger.InvalidInput) as e:
            self.client.rest("/v1/blocks/not-a-height")
        self.assertEqual((e.exception.app_code, e.exception.http_status), ("BAD_HEIGHT", 400))
        with self.assertRaises(civicledger.CivicError) as e:
            Client("ftp://node")
        self.assertEqual(e.exception.app_code, "BAD_URL")
        with self.assertRaises(civicledger.Unavailable) as e:
            Client("http://127.0.0.1:1", timeout=2).status()
        self.assertEqual(e.exception.app_code, "UNREACHABLE")
        with self.assertRaises(KeyError):
            self.holder.disclose("no_such_field")
        with self.assertRaises(ValueError):
            Holder({"id": "x"})

    def test_auditor(self):
        auditor = Auditor(self.client, os.path.join(self.net.net, "orgs/gss.key"))
        records = auditor.accesses(limit=5)
        self.assertGreater(records["total"], 0)
        self.assertLessEqual(len(records["records"]), 5)
        self.assertIn("days", auditor.stats())
        tx_id = self.client.certificate(self.holder.id)["issuing_tx_id"]
        self.assertEqual(auditor.tx_full(tx_id)["id"], tx_id)
        not_auditor = Auditor(self.client, os.path.join(self.net.net, "orgs/psb.key"))
        with self.assertRaises(civicledger.PermissionDenied) as e:
            not_auditor.accesses(limit=1)
        self.assertEqual(e.exception.app_code, "AUTH_NOT_AUDITOR")

    def test_subject_sees_its_accesses(self):
        mine = self.client.my_accesses(self.holder.copy["holder"])
        self.assertGreater(len(mine["records"]), 0)

    def test_issuer_api(self):
        person = {"name": "周敏", "sex": "女", "ethnicity": "汉族", "birth_date": "1992-03-04",
                  "address": "四川省绵阳市涪城区绵兴路6号", "id_number": "510703199203040044",
                  "issuing_authority": "绵阳市公安局涪城区分局"}
        args = ("11510700008207313A001", "citizen_id", "510703199203040044", person)
        first = self.issuer.issue(*args, idempotency_key="sdk-issue-1")
        self.assertTrue(first["committed"])
        copy = first["certificates"][0]["holder_certificate"]
        self.assertTrue(self.client.verify(copy["id"], holder_certificate=copy).valid)
        # A retry with the same key answers for the same tx: one certificate, not two.
        again = self.issuer.issue(*args, idempotency_key="sdk-issue-1")
        self.assertEqual((again["tx_id"], again["replayed"]), (first["tx_id"], True))
        commitment = self.client.certificate(copy["id"])["holder_commitment"]
        self.assertEqual(len(self.client.certificates_of_holder(commitment)["certificates"]), 1)
        with self.assertRaises(civicledger.CivicError) as e:
            self.issuer.issue(*args[:3], dict(person, name="周敏敏"), idempotency_key="sdk-issue-1")
        self.assertEqual((e.exception.app_code, e.exception.http_status), ("IDEMPOTENCY_KEY_REUSED", 409))
        with self.assertRaises(civicledger.InvalidInput) as e:
            self.issuer.issue(*args[:3], {"name": "周敏"})
        self.assertEqual(e.exception.app_code, "MISSING_FIELD")
        self.issuer.revoke(copy["id"], "issued in error")
        v = self.client.verify(copy["id"], holder_certificate=copy)
        self.assertEqual((v.verdict, v.reason), (civicledger.INVALID, "REVOKED"))
        with self.assertRaises(civicledger.PermissionDenied) as e:
            self.issuer.suspend(self.holder.id, "not in the token's scope")
        self.assertEqual(e.exception.app_code, "ISSUER_SCOPE_DENIED")
        with self.assertRaises(civicledger.PermissionDenied) as e:
            Issuer(self.net.url, "civic_it_0000000000000000_nope").revoke(self.holder.id, "x")
        self.assertIn(e.exception.app_code, ("ISSUER_TOKEN_UNKNOWN", "ISSUER_TOKEN_MISSING"))

    def test_block_stream(self):
        start = self.client.status()["height"]
        with Subscription(self.net.url, "blocks", timeout=30) as sub:
            event = next(iter(sub))
        self.assertGreaterEqual(event["height"], start)
        self.assertEqual(len(event["hash"]), 64)
        with self.assertRaises(civicledger.CivicError) as e:
            Subscription(self.net.url, "no_such_topic", timeout=10).open()
        self.assertEqual(e.exception.app_code, "UNKNOWN_TOPIC")


if __name__ == "__main__":
    unittest.main(verbosity=2)
