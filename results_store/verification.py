"""Verifying a result from its QR token or its PDF, and the verdict shown to the verifier.

Verification has two layers. The offline layer (result_verifier.verdict) is
what any verifier concludes from the published keys alone: the token's
signature, made by a key certified for the agency it names, and for a PDF its
PAdES signature chaining to the portal's root and covering the whole file.
The portal then adds what only it knows for certain now (`verify_token`):
whether the result still exists as signed, and whether it has been revoked
or superseded since.

A verdict never repeats unverified claims: an invalid token shows no facts.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from cryptography import x509
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text_language import VIETNAMESE, CatalogText
from result_verifier import tokens, trust
from result_verifier import verdict as offline
from result_verifier.pdf import content_revision
from result_verifier.verdict import VIETNAM, mask_national_id, vietnam_today
from results_store import keys
from results_store.constants import ResultStatus
from results_store.models import CertificateAuthority, Result, SigningKey

logger = logging.getLogger(__name__)

__all__ = ["VIETNAM", "mask_national_id", "vietnam_today"]


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
    issuer_name: str = ""
    # What the document certifies, from the store, shown once its digest
    # matched the token's.
    certified: tuple[tuple[str, str], ...] = ()

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


def _from_offline(verdict: offline.OfflineVerdict) -> Verdict:
    if verdict.is_invalid:
        return invalid(verdict.reason_code)
    return Verdict(
        status=verdict.status,
        facts=verdict.facts,
        result_type_name=verdict.facts.result_type_code,
        status_date=verdict.status_date,
        status_reason=verdict.status_reason,
        superseded_by=verdict.superseded_by,
        kid=verdict.key.kid,
        issuer_name=verdict.issuer_name,
    )


# kid -> key, for keys found in the store. A kid is the hash of its public key
# (keys.key_id_for) and a key keeps verifying after rotation, so what is kept
# never goes stale; unknown kids are not kept, so a new key works at once.
# Saves a query per verification (bench/README.md).
_known_keys: dict[str, trust.TrustedKey] = {}
_KNOWN_KEYS_MAX = 1024


def _trusted(signing_key: SigningKey) -> trust.TrustedKey | None:
    """A stored key as verifiers see it: its role and agency from the store."""
    if not signing_key.token_certificate:
        return None
    return trust.TrustedKey(
        kid=signing_key.kid,
        role=signing_key.role,
        agency_code=signing_key.agency.code if signing_key.agency_id else "",
        agency_name=signing_key.agency.name if signing_key.agency_id else "",
        public_key=keys.public_key(signing_key),
        certificate=x509.load_pem_x509_certificate(signing_key.token_certificate.encode()),
    )


class StoreKeys(Mapping):
    """The store's keys, by kid, looked up as a verification asks for them."""

    def __getitem__(self, kid: str) -> trust.TrustedKey:
        known = _known_keys.get(kid)
        if known is None:
            signing_key = SigningKey.objects.select_related("agency").filter(kid=kid).first()
            known = _trusted(signing_key) if signing_key else None
            if known is None:
                raise KeyError(kid)
            if len(_known_keys) < _KNOWN_KEYS_MAX:
                _known_keys[kid] = known
        return known

    def __iter__(self):
        return iter(SigningKey.objects.values_list("kid", flat=True))

    def __len__(self) -> int:
        return SigningKey.objects.count()


def roots() -> list[x509.Certificate]:
    """Every root the portal has had: a PDF signed under a retired one still verifies."""
    return [keys.root_certificate(root) for root in CertificateAuthority.objects.all()]


def verify_token(token: str, *, today: dt.date | None = None) -> Verdict:
    """The token's signature against the portal's keys, then the result's status now."""
    verdict = _from_offline(offline.token_verdict(token, StoreKeys(), today=today))
    if verdict.is_invalid:
        return verdict
    result = (
        Result.objects.select_related("result_type", "agency", "superseded_by")
        .filter(public_id=verdict.facts.result_id)
        .first()
    )
    if result is None or result.status == ResultStatus.PREPARING:
        return invalid(InvalidReason.UNKNOWN_RESULT)
    # A result is signed once; a well-signed token for other content than the
    # one stored is not the token the portal issued for this result.
    if result.content_sha256 != verdict.facts.content_sha256:
        return invalid(InvalidReason.ALTERED)
    certified = tuple((str(label), str(value)) for label, value in result.certified or [])
    if verdict.facts.certified_sha256:
        if tokens.certified_digest(certified) != verdict.facts.certified_sha256:
            return invalid(InvalidReason.ALTERED)
        verdict = replace(verdict, certified=certified)
    return verdict_for_status(result, verdict, today=today)


def verdict_for_status(
    result: Result, verdict: Verdict, *, today: dt.date | None = None
) -> Verdict:
    """The verdict of a well-signed token, given its result's status in the store."""
    verdict = replace(
        verdict,
        result=result,
        result_type_name=result.result_type.display_name,
        # The legal Vietnamese name, as the signature names the issuer: an
        # English page marks it lang="vi" (core.text_language).
        issuer_name=CatalogText(result.agency.name, VIETNAMESE),
    )
    status_date = (
        timezone.localtime(result.status_changed_at, VIETNAM).date()
        if result.status_changed_at
        else None
    )
    if result.status == ResultStatus.REVOKED:
        return replace(
            verdict,
            status=VerdictStatus.REVOKED,
            status_date=status_date,
            status_reason=result.status_reason,
        )
    if result.status == ResultStatus.SUPERSEDED:
        return replace(
            verdict,
            status=VerdictStatus.SUPERSEDED,
            status_date=status_date,
            status_reason=result.status_reason,
            superseded_by=result.superseded_by.number if result.superseded_by else "",
        )
    if offline.is_expired(verdict.facts, today):
        return replace(verdict, status=VerdictStatus.EXPIRED, status_date=verdict.facts.valid_until)
    return replace(verdict, status=VerdictStatus.VALID, status_date=None)


def verify_result(result: Result, *, today: dt.date | None = None) -> Verdict:
    """The verdict for a stored result (the link printed under its QR code)."""
    if not result.token or result.status == ResultStatus.PREPARING:
        return invalid(InvalidReason.UNKNOWN_RESULT)
    return verify_token(result.token, today=today)


def verify_pdf(pdf: bytes, *, today: dt.date | None = None) -> Verdict:
    """A result PDF: its PAdES signature against the portal's roots, then its token.

    The token is the one stored for the result whose first revision the file
    begins with; the offline verifier reads the same token from the QR code.
    """
    try:
        content_sha256 = hashlib.sha256(content_revision(pdf)).hexdigest()
    except ValueError:
        # Any file can be uploaded; one without a PDF trailer is simply not a result of ours.
        return invalid(InvalidReason.NOT_SIGNED)
    result = (
        Result.objects.filter(content_sha256=content_sha256)
        .exclude(status=ResultStatus.PREPARING)
        .only("token")
        .first()
    )
    if result is None:
        return invalid(InvalidReason.UNKNOWN_RESULT)
    try:
        verdict = offline.pdf_token_verdict(pdf, result.token, StoreKeys(), roots(), today=today)
    except Exception:
        # pyHanko reports a malformed file in many ways; none of them is valid.
        logger.info("signature check of an uploaded PDF failed", exc_info=True)
        return invalid(InvalidReason.ALTERED)
    if verdict.is_invalid:
        return invalid(verdict.reason_code)
    return verify_token(result.token, today=today)
