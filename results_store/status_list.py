"""The signed list of results that are no longer valid, for verifiers that work offline.

A QR token proves what was issued, not what happened since. Revoked and
superseded results are therefore published as one compact JWS (RFC 7515,
EdDSA per RFC 8037) signed with the portal's own key, listed in the same JWK
Set as the agencies' keys:

    {"iss": PORTAL_BASE_URL, "iat": ..., "exp": iat + 1 day,
     "entries": [{"id": <public id hex>, "status": "revoked" | "superseded",
                  "at": "YYYY-MM-DD", "reason": "...", "by": <replacement number>}]}

A verifier that fetches it (and the JWK Set) once a day checks both offline.
Entries never leave the list: a result that is revoked or superseded stays so.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from results_store import keys
from results_store.constants import ResultStatus
from results_store.models import Result, SigningKey
from results_store.verification import VIETNAM

STATUS_LIST_LIFETIME = dt.timedelta(days=1)
# A signed list is reused while nothing changes, for at most this long, so
# that every copy a verifier fetches has most of a day left before it expires.
STATUS_LIST_REUSE_SECONDS = 3600
JWS_TYPE = "JWT"


class StatusListError(ValueError):
    """A status list that cannot be trusted. `code`: format, unknown_key, signature, expired."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


def _vietnam_date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment, VIETNAM).date().isoformat() if moment else ""


def status_entries() -> list[dict]:
    """Every revoked or superseded result, oldest change first."""
    results = (
        Result.objects.filter(status__in=(ResultStatus.REVOKED, ResultStatus.SUPERSEDED))
        .select_related("superseded_by")
        .only("public_id", "status", "status_changed_at", "status_reason", "superseded_by__number")
        .order_by("status_changed_at", "id")
    )
    entries = []
    for result in results:
        entry = {
            "id": result.public_id.hex,
            "status": result.status,
            "at": _vietnam_date(result.status_changed_at),
            "reason": result.status_reason,
        }
        if result.superseded_by_id:
            entry["by"] = result.superseded_by.number
        entries.append(entry)
    return entries


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def status_list_jws(
    *,
    entries: list[dict] | None = None,
    now: dt.datetime | None = None,
    signing_key: SigningKey | None = None,
) -> str:
    """A freshly signed status list (compact JWS)."""
    signing_key = signing_key or keys.active_signing_key(None)
    issued_at = int((now or timezone.now()).timestamp())
    header = {"alg": "EdDSA", "kid": signing_key.kid, "typ": JWS_TYPE}
    payload = {
        "iss": settings.PORTAL_BASE_URL,
        "iat": issued_at,
        "exp": issued_at + int(STATUS_LIST_LIFETIME.total_seconds()),
        "entries": status_entries() if entries is None else entries,
    }
    signing_input = f"{keys.b64url(_json(header))}.{keys.b64url(_json(payload))}"
    signature = keys.private_key(signing_key).sign(signing_input.encode("ascii"))
    return f"{signing_input}.{keys.b64url(signature)}"


def status_list_current() -> str:
    """The list to publish: re-signed when an entry or the portal's key changes, else hourly."""
    entries = status_entries()
    signing_key = keys.active_signing_key(None)
    fingerprint = hashlib.sha256(_json([signing_key.kid, entries])).hexdigest()
    cache_key = f"results-status-list:{fingerprint}"
    jws = cache.get(cache_key)
    if jws is None:
        jws = status_list_jws(entries=entries, signing_key=signing_key)
        cache.set(cache_key, jws, STATUS_LIST_REUSE_SECONDS)
    return jws


def status_list_verify(
    jws: str,
    public_key_for: Callable[[str], Ed25519PublicKey | None],
    *,
    now: dt.datetime | None = None,
    allow_expired: bool = False,
) -> dict:
    """Check a status list's signature (and freshness); return its payload."""
    parts = (jws or "").strip().split(".")
    if len(parts) != 3:
        raise StatusListError("format", "not a compact JWS")
    try:
        header = json.loads(keys.b64url_decode(parts[0]))
        payload = json.loads(keys.b64url_decode(parts[1]))
        signature = keys.b64url_decode(parts[2])
    except (ValueError, TypeError) as error:
        raise StatusListError("format", str(error)) from error
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise StatusListError("format", "unsupported algorithm")
    key = public_key_for(str(header.get("kid", "")))
    if key is None:
        raise StatusListError("unknown_key", f"no published key {header.get('kid')!r}")
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature as error:
        raise StatusListError("signature", "signature does not match") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        raise StatusListError("format", "payload lacks entries")
    expires = payload.get("exp")
    moment = (now or timezone.now()).timestamp()
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
