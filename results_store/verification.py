"""Verifying a result from its QR token or its PDF, and the verdict shown to the verifier.

Verification has two layers. The token's signature is checked against the
published keys alone (`verdict_offline`), which is what an offline verifier
does with a saved JWK Set and status list. The portal then adds what only it
knows for certain now (`verify_token`): whether the result still exists as
signed, and whether it has been revoked or superseded since. A PDF is checked
by finding the result it belongs to from its hashes (`verify_pdf`), then by its
PAdES signature and the token stored for it.

A verdict never repeats unverified claims: an invalid token shows no facts.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from results_store import keys, tokens
from results_store.constants import ResultStatus
from results_store.models import Result, SigningKey

logger = logging.getLogger(__name__)

# Expiry is decided on the Vietnamese calendar wherever the verifier runs.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Citizen IDs are shown with only their last digits.
NATIONAL_ID_VISIBLE_DIGITS = 4


class VerdictStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")
    EXPIRED = "expired", _("Expired")
    INVALID = "invalid", _("Not valid")


class InvalidReason(models.TextChoices):
    """Why a token or a file is not valid; each has a plain explanation on the page."""

    FORMAT = "format", _("Not a result code")
    UNKNOWN_KEY = "unknown_key", _("Unknown signing key")
    SIGNATURE = "signature", _("Signature does not match")
    ALTERED = "altered", _("Altered")
    UNKNOWN_RESULT = "unknown_result", _("Unknown result")
    NOT_SIGNED = "not_signed", _("Not signed")


@dataclass(frozen=True)
class Verdict:
    status: str
    reason_code: str = ""
    facts: tokens.ResultFacts | None = None
    result_type_name: str = ""
    status_date: dt.date | None = None
    status_reason: str = ""
    superseded_by: str = ""
    result: Result | None = None
    kid: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == VerdictStatus.VALID

    @property
    def is_invalid(self) -> bool:
        return self.status == VerdictStatus.INVALID

    @property
    def label(self) -> str:
        return VerdictStatus(self.status).label

    @property
    def holder_national_id_masked(self) -> str:
        return mask_national_id(self.facts.holder_national_id) if self.facts else ""


def invalid(reason_code: str) -> Verdict:
    return Verdict(status=VerdictStatus.INVALID, reason_code=reason_code)


def mask_national_id(national_id: str) -> str:
    """All but the last four digits hidden: the page is public, the QR is in the holder's hand."""
    visible = national_id[-NATIONAL_ID_VISIBLE_DIGITS:]
    return "•" * max(len(national_id) - len(visible), 0) + visible


def vietnam_today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def _expired(facts: tokens.ResultFacts, today: dt.date) -> bool:
    return facts.valid_until is not None and facts.valid_until < today


def verdict_offline(
    token: str,
    public_key_for: Callable[[str], Ed25519PublicKey | None],
    *,
    statuses: Mapping[str, Mapping] | None = None,
    today: dt.date | None = None,
) -> Verdict:
    """What a verifier knows from the token, the published keys and a saved status list.

    `statuses` maps a result's public id (hex) to its status-list entry.
    Touches no database.
    """
    try:
        verified = tokens.verify(token, public_key_for)
    except tokens.TokenError as error:
        return invalid(error.code)
    facts = verified.facts
    entry = (statuses or {}).get(facts.result_id.hex)
    base = Verdict(
        status=VerdictStatus.VALID,
        facts=facts,
        result_type_name=facts.result_type_code,
        kid=verified.kid,
    )
    if entry and entry.get("status") in (VerdictStatus.REVOKED, VerdictStatus.SUPERSEDED):
        at = entry.get("at")
        return _replace(
            base,
            status=entry["status"],
            status_date=dt.date.fromisoformat(at) if at else None,
            status_reason=entry.get("reason", ""),
            superseded_by=entry.get("by", ""),
        )
    if _expired(facts, today or vietnam_today()):
        return _replace(base, status=VerdictStatus.EXPIRED, status_date=facts.valid_until)
    return base


def _replace(verdict: Verdict, **changes) -> Verdict:
    return Verdict(**{**verdict.__dict__, **changes})


@dataclass(frozen=True)
class _KnownKey:
    public_key: Ed25519PublicKey
    issuer_code: str  # "" for the portal's own key


# kid -> key, for keys found in the store. A kid is the hash of its public key
# (keys.key_id_for) and a key keeps verifying after rotation, so what is kept
# never goes stale; unknown kids are not kept, so a new key works at once.
# Saves a query per verification (bench/README.md).
_known_keys: dict[str, _KnownKey] = {}
_KNOWN_KEYS_MAX = 1024


def _known_key(kid: str) -> _KnownKey | None:
    known = _known_keys.get(kid)
    if known is None:
        signing_key = SigningKey.objects.select_related("agency").filter(kid=kid).first()
        if signing_key is None:
            return None
        known = _KnownKey(
            public_key=keys.public_key(signing_key),
            issuer_code=signing_key.agency.code if signing_key.agency else "",
        )
        if len(_known_keys) < _KNOWN_KEYS_MAX:
            _known_keys[kid] = known
    return known


def verify_token(token: str, *, today: dt.date | None = None) -> Verdict:
    """The token's signature against the portal's keys, then the result's status now."""

    def public_key_for(kid: str) -> Ed25519PublicKey | None:
        known = _known_key(kid)
        return known.public_key if known else None

    offline = verdict_offline(token, public_key_for, today=today)
    if offline.is_invalid:
        return offline
    # Every key belongs to one issuer; the portal's own key signs only the
    # status list. A token naming another issuer than its key's is not ours.
    issuer_code = _known_key(offline.kid).issuer_code
    if not issuer_code or issuer_code != offline.facts.issuer_code:
        return invalid(InvalidReason.UNKNOWN_KEY)
    result = (
        Result.objects.select_related("result_type", "agency", "superseded_by")
        .filter(public_id=offline.facts.result_id)
        .first()
    )
    if result is None or result.status == ResultStatus.PREPARING:
        return invalid(InvalidReason.UNKNOWN_RESULT)
    # A result is signed once; a well-signed token for other content than the
    # one stored is not the token the portal issued for this result.
    if result.content_sha256 != offline.facts.content_sha256:
        return invalid(InvalidReason.ALTERED)
    return verdict_for_status(result, offline, today=today)


def verdict_for_status(
    result: Result, verdict: Verdict, *, today: dt.date | None = None
) -> Verdict:
    """The verdict of a well-signed token, given its result's status in the store."""
    verdict = _replace(verdict, result=result, result_type_name=result.result_type.display_name)
    status_date = (
        timezone.localtime(result.status_changed_at, VIETNAM).date()
        if result.status_changed_at
        else None
    )
    if result.status == ResultStatus.REVOKED:
        return _replace(
            verdict,
            status=VerdictStatus.REVOKED,
            status_date=status_date,
            status_reason=result.status_reason,
        )
    if result.status == ResultStatus.SUPERSEDED:
        return _replace(
            verdict,
            status=VerdictStatus.SUPERSEDED,
            status_date=status_date,
            status_reason=result.status_reason,
            superseded_by=result.superseded_by.number if result.superseded_by else "",
        )
    if _expired(verdict.facts, today or vietnam_today()):
        return _replace(
            verdict, status=VerdictStatus.EXPIRED, status_date=verdict.facts.valid_until
        )
    return _replace(verdict, status=VerdictStatus.VALID, status_date=None)


def verify_result(result: Result, *, today: dt.date | None = None) -> Verdict:
    """The verdict for a stored result (the link printed under its QR code)."""
    if not result.token or result.status == ResultStatus.PREPARING:
        return invalid(InvalidReason.UNKNOWN_RESULT)
    return verify_token(result.token, today=today)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_pdf(pdf: bytes, *, today: dt.date | None = None) -> Verdict:
    """Find the result a PDF belongs to by its hashes, then check its signatures and status.

    The file is either exactly the one the portal issued (`pdf_sha256`), or a
    file whose first revision is a result's content (`content_sha256`) with
    other later revisions: then its PAdES signature decides whether what was
    added after it is harmless.
    """
    from results_store import documents

    result = Result.objects.select_related("signing_key").filter(pdf_sha256=sha256_hex(pdf)).first()
    content_sha256 = None
    if result is None:
        try:
            content_sha256 = sha256_hex(documents.content_revision(pdf))
        except ValueError:
            # Any file can be uploaded; one without a PDF trailer is simply not
            # a result of ours.
            logger.info("uploaded PDF could not be parsed for its first revision", exc_info=True)
            return invalid(InvalidReason.UNKNOWN_RESULT)
        result = (
            Result.objects.select_related("signing_key")
            .filter(content_sha256=content_sha256)
            .exclude(status=ResultStatus.PREPARING)
            .first()
        )
    if result is None or result.signing_key is None or not result.token:
        return invalid(InvalidReason.UNKNOWN_RESULT)
    try:
        check = documents.pdf_signature_check(
            pdf, certificate_pem=result.signing_key.pdf_certificate
        )
    except Exception:
        # pyHanko reports a malformed file in many ways; none of them is valid.
        logger.info("signature check of an uploaded PDF failed", exc_info=True)
        return invalid(InvalidReason.ALTERED)
    if not check.signed:
        return invalid(InvalidReason.NOT_SIGNED)
    if not check.intact:
        logger.info("uploaded PDF of result %s: %s", result.public_id, "; ".join(check.problems))
        return invalid(InvalidReason.ALTERED)
    verdict = verify_token(result.token, today=today)
    if verdict.is_invalid:
        return invalid(InvalidReason.ALTERED)
    if content_sha256 is None:
        content_sha256 = sha256_hex(documents.content_revision(pdf))
    if verdict.facts.content_sha256 != content_sha256:
        return invalid(InvalidReason.ALTERED)
    return verdict
