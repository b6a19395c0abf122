"""The signed list of results that are no longer valid, for verifiers that work offline.

A QR token proves what was issued, not what happened since. Revoked and
superseded results are therefore published as one compact JWS (RFC 7515,
EdDSA per RFC 8037) signed with the portal's own key, listed in the same JWK
Set as the agencies' keys:

    {"iss": PORTAL_BASE_URL, "iat": ..., "exp": iat + 1 day,
     "entries": [{"id": <public id hex>, "status": "revoked" | "superseded",
                  "at": "YYYY-MM-DD", "reason": "...", "by": <replacement number>}]}

A verifier that fetches it (and the trust list) once a day checks both
offline (result_verifier/status.py). Entries never leave the list: a result
that is revoked or superseded stays so. The portal's key is made at migrate,
before any verifier fetches the key set.
"""

import datetime as dt
import hashlib
import json

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
