"""A one-node CivicLedger network with sample data, started with this build's
civic and civicd (CIVIC_BIN, CIVICD_BIN): certificates in every status,
the credit sample and the sharing sample. Used by the API description test."""
import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.request

ID_CARD = "11510700008207313A001"


def _civic(args, timeout=120):
    out = subprocess.run([os.environ["CIVIC_BIN"], *args], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"civic {' '.join(args)}: {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def _person(name, id_number, address):
    return {"name": name, "sex": "男", "ethnicity": "汉族",
            "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
            "address": address, "id_number": id_number, "issuing_authority": "绵阳市公安局涪城区分局"}


class Network:
    """start() brings the node up and loads the samples; stop() ends it all."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="civic-api-")
        self.net = os.path.join(self.dir, "net")
        self.url = ""
        self.certs = {}

    def start(self, configure=None, samples=True):
        """configure(config_path): edits node0's config before the node starts."""
        init = json.loads(_civic(["net", "init", "1", "--dir", self.net, "--base-port", "auto", "--force", "--json"]))
        self.url = init["nodes"][0]["rpc"]
        self.org = init["nodes"][0]["org"]
        self.config = os.path.join(self.net, "node0", "config.toml")
        if configure:
            configure(self.config)
        self.up()
        if samples:
            self._load_samples()
        return self

    def up(self):
        _civic(["net", "up", "--dir", self.net, "--civicd", os.environ["CIVICD_BIN"], "--timeout", "60"], timeout=90)

    def down(self):
        _civic(["net", "down", "--dir", self.net])

    def _load_samples(self):
        psb = os.path.join(self.net, "orgs/psb.key")
        people = {
            "valid": ("张伟", "510703198805161236", "四川省绵阳市涪城区临园路15号"),
            "revoked": ("李娜", "11010519491231002X", "四川省绵阳市游仙区剑南路8号"),
            "suspended": ("王芳", "440524188001010014", "四川省绵阳市安州区花荄镇1号"),
            "replaced": ("刘洋", "510703199001010015", "四川省绵阳市涪城区滨江路2号"),
            "spare": ("陈静", "510703199203040028", "四川省绵阳市涪城区绵兴路6号"),  # suspended by tx_submit tests
        }
        for status, (name, id_number, address) in people.items():
            self.certs[status] = self._issue(status, id_number, _person(name, id_number, address), psb)
        _civic(["cert", "revoke", self.certs["revoked"]["id"], "--reason", "持证人死亡", "--key", psb,
                "--node", self.url, "--wait"])
        _civic(["cert", "suspend", self.certs["suspended"]["id"], "--reason", "正在调查", "--key", psb,
                "--node", self.url, "--wait"])
        _civic(["cert", "replace", self.certs["replaced"]["id"], "--reason", "遗失", "--holder-file",
                self.certs["replaced"]["file"], "--out", os.path.join(self.dir, "replaced-2.json"), "--key", psb,
                "--node", self.url, "--wait"])
        self.credit = json.loads(_civic(["credit", "sample", "--net", self.net, "--node", self.url, "--json"]))
        self.sharing = json.loads(_civic(["sharing", "sample", "--net", self.net, "--node", self.url, "--records",
                                          "100", "--subject-holder", self.certs["valid"]["file"], "--json"]))

    def _issue(self, name, holder_id, fields, key):
        out = os.path.join(self.dir, f"{name}.json")
        holder_file = os.path.join(self.dir, f"{name}.holder")
        fields_file = os.path.join(self.dir, f"{name}.fields")
        for path, text in ((holder_file, holder_id + "\n"),
                           (fields_file, "".join(f"{k}={v}\n" for k, v in fields.items()))):
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
                f.write(text)
        _civic(["cert", "issue", "--type", ID_CARD, "--holder-type", "citizen", "--holder-id-file", holder_file,
                "--fields-file", fields_file, "--valid-from", "2016-03-01", "--valid-until", "2036-03-01",
                "--out", out, "--force", "--key", key, "--node", self.url, "--wait"])
        with open(out, encoding="utf-8") as f:
            holder = json.load(f)
        return {"file": out, "id": holder["id"],
                "holder": holder}

    def civic(self, args, timeout=120):
        return _civic(args, timeout)

    def stop(self):
        try:
            _civic(["net", "down", "--dir", self.net])
        finally:
            subprocess.run(["rm", "-rf", self.dir], check=False)

    def http(self, method, path, body=None, headers=None):
        """(status, content type, body bytes) of one request to the node."""
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read()

    def rpc(self, method, params):
        status, _, body = self.http("POST", "/rpc", {"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        return json.loads(body)
