"""CivicLedger client SDK: reads, certificate verification, auditor queries,
live events and the issuer API of a CivicLedger node. Standard library only, plus PyNaCl
(Debian: python3-nacl) for signed auditor requests."""
from .client import Client, Verification, VALID, INVALID, NOT_GENUINE, UNKNOWN_ID
from .errors import CivicError, InvalidInput, NotFound, PermissionDenied, RateLimited, Unavailable
from .holder import Holder
from .issuer import Issuer
from .subscribe import Subscription

__version__ = "0.1.0"
__all__ = ["Client", "Verification", "VALID", "INVALID", "NOT_GENUINE", "UNKNOWN_ID", "CivicError", "InvalidInput",
           "NotFound", "PermissionDenied", "RateLimited", "Unavailable", "Holder", "Issuer", "Subscription", "Auditor"]


def __getattr__(name):
    if name == "Auditor":  # imported on use: it needs PyNaCl
        from .auditor import Auditor
        return Auditor
    raise AttributeError(name)
