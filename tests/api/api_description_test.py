"""The API descriptions are true: rpc/api/openapi.json (OpenAPI 3.1, the REST
routes) and rpc/api/openrpc.json (OpenRPC, the JSON-RPC methods).

1. Both documents are valid against their published meta-schemas
   (tests/vectors/api), and the node serves exactly these documents.
2. Every example in them, and every JSON example of docs/RPC.md, validates
   against the schema it illustrates.
3. A live one-node network with sample data answers every documented method
   and REST operation (tests/api/live_calls.py) with a documented status and
   a body of the documented shape; nothing undocumented is answered (result
   objects are closed: an added field fails until it is described).
4. The schemas have teeth: an answer with an undocumented field or a wrong type
   is refused by the same validation.

Usage: api_description_test.py SOURCE_DIR  (CIVIC_BIN and CIVICD_BIN name the binaries)
"""
import copy
import json
import os
import re
import sys
import unittest

try:
    import jsonschema
    import nacl  # noqa: F401  (live_calls signs auditor requests)
except ImportError as e:  # scripts/test installs python3-jsonschema and python3-nacl
    print(f"api description test skipped: {e}", file=sys.stderr)
    sys.exit(77)

SOURCE = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import live_calls  # noqa: E402

BASE = "https://node.civicledger.invalid/"


def load(path):
    with open(os.path.join(SOURCE, path), encoding="utf-8") as f:
        return json.load(f)


OPENAPI = load("rpc/api/openapi.json")
OPENRPC = load("rpc/api/openrpc.json")
STORE = {BASE + "openapi.json": OPENAPI, BASE + "openrpc.json": OPENRPC}


def validator(schema, base):
    resolver = jsonschema.RefResolver(base_uri=BASE + base, referrer=STORE[BASE + base], store=STORE)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def errors(schema, base, instance):
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message
            for e in validator(schema, base).iter_errors(instance)]


METHODS = {m["name"]: m for m in OPENRPC["methods"]}


def result_errors(method, result):
    return errors(METHODS[method]["result"]["schema"], "openrpc.json", result)


def params_errors(method, params):
    spec = METHODS[method]
    props = {p["name"]: p["schema"] for p in spec["params"]}
    required = [p["name"] for p in spec["params"] if p.get("required")]
    schema = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    return errors(schema, "openrpc.json", params)


def rpc_doc_examples():
    """(heading, line, request, response) of the fenced examples in docs/RPC.md."""
    with open(os.path.join(SOURCE, "docs/RPC.md"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, heading, pending, i = [], "", None, 0
    while i < len(lines):
        if lines[i].startswith("### "):
            heading = lines[i][4:].strip()
        m = re.match(r"^```(\w+) (request|response)\s*$", lines[i])
        if m:
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            text = "\n".join(lines[i + 1:j])
            if m.group(2) == "request":
                pending = (m.group(1), text, i + 1)
            elif pending:
                out.append((heading, pending[2], pending[0], pending[1], m.group(1), text))
                pending = None
            i = j
        i += 1
    return out


def documented_methods():
    with open(os.path.join(SOURCE, "docs/RPC.md"), encoding="utf-8") as f:
        return set(re.findall(r"^`([a-zA-Z_]+) \{[^`]*\}` —", f.read(), re.M))


class DocumentsTest(unittest.TestCase):
    def test_openapi_is_valid_openapi_3_1(self):
        meta = load("tests/vectors/api/oas-3.1-schema.json")
        problems = [e.message for e in jsonschema.Draft202012Validator(meta).iter_errors(OPENAPI)]
        self.assertEqual(problems, [])
        self.assertEqual(OPENAPI["openapi"], "3.1.0")

    def test_openrpc_is_valid_openrpc(self):
        meta = load("tests/vectors/api/openrpc-1.x-meta-schema.json")
        # Its schemas are JSON Schema of the draft-07 family, named by an address of their own.
        resolver = jsonschema.RefResolver.from_schema(
            meta, store={"https://meta.json-schema.tools": jsonschema.Draft7Validator.META_SCHEMA})
        problems = [e.message for e in jsonschema.Draft7Validator(meta, resolver=resolver).iter_errors(OPENRPC)]
        self.assertEqual(problems, [])

    def test_every_schema_is_a_valid_schema_and_every_ref_resolves(self):
        for name, schema in OPENRPC["components"]["schemas"].items():
            jsonschema.Draft202012Validator.check_schema(schema)
        for name, doc in (("openapi.json", OPENAPI), ("openrpc.json", OPENRPC)):
            for ref in set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(doc))):
                target, _, pointer = ref.partition("#")
                node = STORE[BASE + (target or name)]
                for part in pointer.strip("/").split("/"):
                    self.assertIn(part, node, f"{name}: unresolved $ref {ref}")
                    node = node[part]

    def test_methods_are_those_docs_rpc_md_documents(self):
        self.assertEqual(set(METHODS), documented_methods())

    def test_openrpc_examples_validate(self):
        checked = 0
        for name, spec in METHODS.items():
            for example in spec.get("examples", []):
                params = {p["name"]: p["value"] for p in example["params"]}
                self.assertEqual(params_errors(name, params), [], f"{name}: {example['name']} params")
                self.assertEqual(result_errors(name, example["result"]["value"]), [],
                                 f"{name}: {example['name']} result")
                checked += 1
        self.assertGreater(checked, 25)

    def test_openapi_parameter_examples_validate(self):
        for path, item in OPENAPI["paths"].items():
            for verb, op in item.items():
                for p in op.get("parameters", []):
                    if "example" in p:
                        self.assertEqual(errors(p["schema"], "openapi.json", p["example"]), [], f"{verb} {path}")

    def test_docs_rpc_md_examples_validate(self):
        checked = 0
        for heading, line, req_lang, req, resp_lang, resp in rpc_doc_examples():
            if req_lang == "json" and resp_lang == "json" and heading in METHODS:
                request, response = json.loads(req), json.loads(resp)
                if "result" in response:
                    self.assertEqual(result_errors(heading, response["result"]), [], f"docs/RPC.md line {line}")
                    self.assertEqual(params_errors(heading, request.get("params", {})), [],
                                     f"docs/RPC.md line {line}")
                    checked += 1
            elif req_lang == "http" and resp_lang == "json":
                verb, target = req.split()[:2]
                status, body = rest_example_answer(resp)
                op, _ = operation_for(verb, target.split("?")[0])
                self.assertIsNotNone(op, f"docs/RPC.md line {line}: {verb} {target} is not in openapi.json")
                self.assertEqual(body_errors(op, status, body), [], f"docs/RPC.md line {line}")
                checked += 1
        self.assertGreater(checked, 30)


def rest_example_answer(text):
    body = json.loads(text)
    return (200 if "error" not in body else None), body


def operation_for(verb, path):
    """The OpenAPI operation whose templated path matches `path`."""
    for template, item in OPENAPI["paths"].items():
        pattern = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and verb.lower() in item:
            return item[verb.lower()], template
    return None, None


def body_errors(op, status, body):
    responses = op["responses"]
    if status is None:  # an error example: any documented error status
        codes = [c for c in responses if not c.startswith("2")]
        if not codes:
            return ["no error response documented"]
        status = int(codes[0])
    response = responses.get(str(status))
    if response is None:
        return [f"status {status} is not documented (documented: {sorted(responses)})"]
    if "$ref" in response:
        response = OPENAPI["components"]["responses"][response["$ref"].split("/")[-1]]
    content = response.get("content", {})
    if "application/json" in content:
        return errors(content["application/json"]["schema"], "openapi.json", body)
    return [] if content else ["no content documented"]


class LiveNetworkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = harness.Network().start()

    @classmethod
    def tearDownClass(cls):
        cls.net.stop()

    def test_node_serves_these_documents(self):
        for path, doc in (("/openapi.json", OPENAPI), ("/openrpc.json", OPENRPC)):
            status, ctype, body = self.net.http("GET", path)
            self.assertEqual(status, 200, path)
            self.assertTrue(ctype.startswith("application/json"), ctype)
            self.assertEqual(json.loads(body), doc, path)
        self.assertEqual(self.net.rpc("rpc.discover", {})["result"], OPENRPC)

    def test_every_method_answers_as_documented(self):
        called = set()
        for method, params in live_calls.jsonrpc_calls(self.net):
            self.assertIn(method, METHODS, f"{method} is not in openrpc.json")
            self.assertEqual(params_errors(method, params), [], f"{method} params {params}")
            answer = self.net.rpc(method, params)
            self.assertIn("result", answer, f"{method}: {answer}")
            self.assertEqual(result_errors(method, answer["result"]), [], f"{method} answered {answer}")
            called.add(method)
        self.assertEqual(set(METHODS) - called, set(), "documented methods no live call exercises")

    def test_every_route_answers_as_documented(self):
        called = set()
        for verb, path, template, body in live_calls.rest_calls(self.net):
            op, found = operation_for(verb, path.split("?")[0])
            self.assertEqual(found, template, f"{verb} {path}")
            status, ctype, raw = self.net.http(verb, path, body)
            parsed = json.loads(raw) if ctype.startswith("application/json") else raw.decode()
            self.assertEqual(body_errors(op, status, parsed), [], f"{verb} {path} answered {status} {raw[:300]!r}")
            called.add((verb.lower(), template))
        documented = {(verb, path) for path, item in OPENAPI["paths"].items() for verb in item}
        self.assertEqual(documented - called, set(), "documented operations no live call exercises")

    def test_validation_has_teeth(self):
        valid = self.net.certs["valid"]["id"]
        answer = self.net.rpc("cert_get", {"id": valid})["result"]
        self.assertEqual(result_errors("cert_get", answer), [])
        leaked = dict(answer, holder_id="510703198805161236")
        self.assertNotEqual(result_errors("cert_get", leaked), [], "an undocumented field passed")
        wrong = dict(answer, version="1")
        self.assertNotEqual(result_errors("cert_get", wrong), [], "a string where an integer belongs passed")
        block = self.net.rpc("chain_getBlock", {"height": 1})["result"]
        nested = copy.deepcopy(block)
        nested["header"]["secret"] = "x"
        self.assertNotEqual(result_errors("chain_getBlock", nested), [], "an undocumented nested field passed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
