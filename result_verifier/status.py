"""The signed status list: which results were revoked or superseded since they were issued.

A compact JWS (RFC 7515, EdDSA per RFC 8037) signed with the portal's
`status_list` key; see results_store/status_list.py for how it is made. Only a
key certified for that role is accepted: an agency's key cannot speak for the
list, and the list's key cannot sign a result.
"""

import datetime as dt
import json
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature

from result_verifier import trust

MAX_STATUS_LIST_BYTES = 20 * 1024 * 1024


class StatusListError(ValueError):
    """A status list that cannot be trusted. `code`: format, unknown_key, signature, expired."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


def status_list_verify(
    jws: str,
    keys: Mapping[str, trust.TrustedKey],
    *,
    now: dt.datetime | None = None,
    allow_expired: bool = False,
) -> dict:
    """Check a status list's signature, its key's role (and freshness); return its payload."""
    if len(jws or "") > MAX_STATUS_LIST_BYTES:
        raise StatusListError("format", "too large")
    parts = (jws or "").strip().split(".")
    if len(parts) != 3:
        raise StatusListError("format", "not a compact JWS")
    try:
        header = json.loads(trust.b64url_decode(parts[0]))
        payload = json.loads(trust.b64url_decode(parts[1]))
        signature = trust.b64url_decode(parts[2])
    except (ValueError, TypeError) as error:
        raise StatusListError("format", str(error)) from error
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise StatusListError("format", "unsupported algorithm")
    key = keys.get(str(header.get("kid", "")))
    if key is None or key.role != trust.ROLE_STATUS_LIST:
        raise StatusListError("unknown_key", f"no status-list key {header.get('kid')!r}")
    try:
        key.public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature as error:
        raise StatusListError("signature", "signature does not match") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        raise StatusListError("format", "payload lacks entries")
    expires = payload.get("exp")
    moment = (now or dt.datetime.now(dt.UTC)).timestamp()
    if not allow_expired and (not isinstance(expires, int) or expires < moment):
        raise StatusListError("expired", "the status list has expired")
    return payload


def statuses_by_id(payload: dict) -> dict[str, dict]:
    """A verified payload's entries, by result public id (hex)."""
    return {
        entry["id"]: entry
        for entry in payload.get("entries", [])
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    }
