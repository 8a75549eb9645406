"""The holder's copy of a certificate (the file `civic cert issue --out` writes,
or the issuer API's answer): load it and choose which fields to show."""
import json


class Holder:
    def __init__(self, copy):
        for key in ("id", "holder", "fields"):
            if key not in copy:
                raise ValueError(f"not a holder certificate: no {key!r}")
        self.copy = copy

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    @property
    def id(self):
        return self.copy["id"]

    def disclose(self, *names):
        """The named fields as cert_verify's `fields` ({name: {salt, value}}):
        selective disclosure, e.g. disclose("name") shows the name only."""
        by_name = {f["name"]: f for f in self.copy["fields"]}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise KeyError(f"the certificate has no field {missing[0]!r}")
        return {n: {"salt": by_name[n]["salt"], "value": by_name[n]["value"]} for n in names}
