"""Live events from a node's WebSocket stream (/ws, docs/RPC.md "WebSocket"),
with a small RFC 6455 client of the standard library: text frames, ping/pong,
close; frames from the node are bounded (a hostile node cannot make the client
buffer without limit).

    with Subscription("http://127.0.0.1:26657", "blocks") as sub:
        for event in sub:          # {"height", "hash", "time_ms", ...}
            print(event["height"])
"""
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import urllib.parse

from .errors import CivicError, Unavailable

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE_BYTES = 16 << 20


class Subscription:
    def __init__(self, url, topic, ca_file=None, timeout=60.0):
        """url: the node (http:// or https://); topic: "blocks"."""
        self.url = urllib.parse.urlparse(url)
        if self.url.scheme not in ("http", "https"):
            raise CivicError("BAD_URL", f"a node URL starts with http:// or https://, not {url!r}")
        self.topic = topic
        self.ca_file = ca_file
        self.timeout = timeout
        self.sock = None

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self):
        host, port = self.url.hostname, self.url.port or (443 if self.url.scheme == "https" else 80)
        try:
            sock = socket.create_connection((host, port), timeout=self.timeout)
            if self.url.scheme == "https":
                sock = ssl.create_default_context(cafile=self.ca_file).wrap_socket(sock, server_hostname=host)
        except OSError as e:
            raise Unavailable("UNREACHABLE", f"{host}:{port}: {e}") from e
        self.sock = sock
        try:
            self._handshake(host, port)
        except BaseException:
            self.close()
            raise

    def _handshake(self, host, port):
        sock = self.sock
        key = base64.b64encode(os.urandom(16))
        sock.sendall(b"GET /ws HTTP/1.1\r\nHost: " + f"{host}:{port}".encode() +
                     b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                     b"Sec-WebSocket-Key: " + key + b"\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk or len(head) > 65536:
                raise CivicError("BAD_ANSWER", "the node did not complete the WebSocket upgrade")
            head += chunk
        head, _, self._buffer = head.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise CivicError("UPGRADE_REFUSED", lines[0])
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if headers.get("sec-websocket-accept") != accept:
            raise CivicError("BAD_ANSWER", "wrong Sec-WebSocket-Accept")
        self.send({"subscribe": self.topic})
        answer = self.receive()
        if answer.get("subscribed") != self.topic:
            error = answer.get("error", {})
            raise CivicError(error.get("app_code", "SUBSCRIBE_REFUSED"), error.get("message", str(answer)))

    def close(self):
        if self.sock:
            try:
                self._send_frame(0x8, struct.pack("!H", 1000))
            except OSError:
                pass
            self.sock.close()
            self.sock = None

    def __iter__(self):
        while True:
            message = self.receive()
            if message is None:
                return
            if message.get("topic") == self.topic:
                yield message["data"]

    def send(self, obj):
        self._send_frame(0x1, json.dumps(obj).encode())

    def receive(self):
        """The next JSON message, or None when the node closed the stream."""
        parts, size = [], 0
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode == 0x8:
                return None
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            size += len(payload)
            if size > MAX_MESSAGE_BYTES:
                raise CivicError("MESSAGE_TOO_LARGE", "a WebSocket message over 16 MiB")
            parts.append(payload)
            if fin:
                return json.loads(b"".join(parts))

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode])
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read_exact(self, n):
        while len(self._buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self._buffer)))
            if not chunk:
                raise Unavailable("CONNECTION_CLOSED", "the node closed the WebSocket")
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def _read_frame(self):
        b0, b1 = self._read_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read_exact(8))[0]
        if n > MAX_MESSAGE_BYTES:
            raise CivicError("MESSAGE_TOO_LARGE", "a WebSocket frame over 16 MiB")
        if b1 & 0x80:
            raise CivicError("BAD_ANSWER", "a masked frame from the server")
        return bool(b0 & 0x80), b0 & 0x0F, self._read_exact(n)
