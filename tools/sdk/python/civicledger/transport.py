"""HTTP(S) to one node: JSON bodies, TLS verified against the system roots or a
given CA file, optional client certificate (mutual TLS). Standard library only."""
import json
import socket
import ssl
import urllib.error
import urllib.request

from .errors import CivicError, Unavailable, from_rest


class Transport:
    def __init__(self, url, ca_file=None, client_cert=None, client_key=None, timeout=30.0, headers=None):
        if not url.startswith(("http://", "https://")):
            raise CivicError("BAD_URL", f"a node URL starts with http:// or https://, not {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.context = None
        if self.url.startswith("https://"):
            self.context = ssl.create_default_context(cafile=ca_file)
            if client_cert:
                self.context.load_cert_chain(client_cert, client_key)

    def request(self, method, path, body=None, headers=None, timeout=None):
        """(status, parsed JSON or text) of one request; raises only for transport failures."""
        data = None
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout, context=self.context) as r:
                return r.status, _parse(r.headers.get("Content-Type", ""), r.read())
        except urllib.error.HTTPError as e:
            return e.code, _parse(e.headers.get("Content-Type", ""), e.read())
        except ssl.SSLError as e:
            raise CivicError("TLS_FAILED", f"TLS with {self.url}: {e}") from e
        except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
            raise Unavailable("UNREACHABLE", f"{self.url}: {getattr(e, 'reason', e)}") from e

    def get_json(self, path):
        status, body = self.request("GET", path)
        if status != 200:
            raise from_rest(status, body)
        return body


def _parse(content_type, raw):
    if content_type.startswith("application/json"):
        try:
            return json.loads(raw)
        except ValueError as e:
            raise CivicError("BAD_ANSWER", f"the node's JSON does not parse: {e}") from e
    return raw.decode("utf-8", "replace")
