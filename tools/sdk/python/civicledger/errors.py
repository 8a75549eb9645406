"""Typed errors: every failure of a call is a CivicError carrying the node's
stable app_code (docs/RPC.md "Error codes"), so an app branches on names,
never on message text."""


class CivicError(Exception):
    """A refusal by the node, or a failure to reach it.

    app_code: the stable name, e.g. CERT_NOT_FOUND, RATE_LIMITED, or for
        failures on this side: UNREACHABLE, BAD_ANSWER, TLS_FAILED.
    code: the JSON-RPC error code (-32xxx), or 0 for failures on this side.
    http_status: the HTTP status for REST calls, else 0."""

    def __init__(self, app_code, message, code=0, http_status=0):
        super().__init__(f"{app_code}: {message}")
        self.app_code = app_code
        self.message = message
        self.code = code
        self.http_status = http_status


class InvalidInput(CivicError):
    """The request was refused as bad input (JSON-RPC -32602 / -32700 / -32600, HTTP 400)."""


class NotFound(CivicError):
    """The thing asked for does not exist (-32002 / HTTP 404)."""


class PermissionDenied(CivicError):
    """The caller may not do or see this (-32004, HTTP 401 / 403)."""


class RateLimited(CivicError):
    """Too many requests from this client (HTTP 429); retry later."""


class Unavailable(CivicError):
    """The node could not be reached or could not answer now (retry may help)."""


_BY_CODE = {-32602: InvalidInput, -32700: InvalidInput, -32600: InvalidInput, -32002: NotFound,
            -32004: PermissionDenied, -32601: NotFound}
_BY_HTTP = {400: InvalidInput, 401: PermissionDenied, 403: PermissionDenied, 404: NotFound, 413: InvalidInput,
            429: RateLimited, 503: Unavailable}


def from_jsonrpc(error):
    """The CivicError for a JSON-RPC error object."""
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    code = error.get("code", 0)
    app_code = data.get("app_code", "RPC_ERROR")
    cls = RateLimited if app_code == "RATE_LIMITED" else _BY_CODE.get(code, CivicError)
    return cls(app_code, error.get("message", ""), code=code)


def from_rest(status, body):
    """The CivicError for a REST error answer ({"error": {...}})."""
    error = body.get("error", {}) if isinstance(body, dict) else {}
    cls = _BY_HTTP.get(status, CivicError)
    return cls(error.get("app_code", f"HTTP_{status}"), error.get("message", ""), code=error.get("code", 0),
               http_status=status)
