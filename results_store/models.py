"""Signed results and the keys that sign them.

A result is a document issued by an agency to a holder (a person, by national
ID, with or without an account yet), either when a dossier completes or by
digitizing an older paper result. The store knows holders and result types but
no dossiers: `source_reference` keeps where a result came from. Its PDF is
signed twice: a COSE token (the QR code) over its key facts and the hash of the
document's first revision, and a PAdES signature over the whole file.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.fsm import ProtectedStateReload
from results_store.constants import ResultAction, ResultStatus


class CertificateAuthority(models.Model):
    """The portal's root certificate authority, which certifies every signing key.

    One is active; retired roots stay published so that what their keys signed
    keeps verifying. The private key is encrypted like the signing keys, and
    empty once exported and kept offline (results_store/keys.py).
    """

    name = models.CharField(_("name"), max_length=200)
    certificate = models.TextField(_("certificate (PEM)"), editable=False)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    private_key_encrypted = models.TextField(editable=False, blank=True)
    is_active = models.BooleanField(_("certifies new keys"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("root certificate authority")
        verbose_name_plural = _("root certificate authorities")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="certificate_authority_one_active",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def key_is_offline(self) -> bool:
        return not self.private_key_encrypted


class KeyRole(models.TextChoices):
    RESULTS = "results", _("Signs an agency's results")
    STATUS_LIST = "status_list", _("Signs the list of revoked results")


class SigningKey(models.Model):
    """An agency's key pair; the newest active one signs, every one keeps verifying.

    `agency` is empty for the portal's own key, whose only role is to sign the
    status list. Private parts are encrypted with SIGNING_KEYS_ENCRYPTION_KEY
    and never shown.
    """

    kid = models.CharField(_("key id"), max_length=32, unique=True)
    agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
    )
    public_key = models.CharField(_("public key (Ed25519, base64url)"), max_length=64)
    private_key_encrypted = models.TextField(editable=False)
    authority = models.ForeignKey(
        CertificateAuthority,
        verbose_name=_("certified by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="signing_keys",
    )
    token_certificate = models.TextField(
        _("QR signing certificate (PEM)"), editable=False, blank=True
    )
    # PDF readers support ECDSA P-256 widely; the PAdES signature uses it.
    pdf_certificate = models.TextField(
        _("PDF signing certificate (PEM)"), editable=False, blank=True
    )
    pdf_private_key_encrypted = models.TextField(editable=False, blank=True)
    is_active = models.BooleanField(_("signs new results"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(is_active=True),
                name="signing_key_one_active_per_agency",
            ),
            # NULLs are distinct in the constraint above: one for the portal's key.
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True, agency__isnull=True),
                name="signing_key_one_active_portal_key",
            ),
        ]

    def __str__(self):
        return f"{self.kid} ({self.agency or _('portal')})"

    @property
    def role(self) -> str:
        """An agency's key signs its results; the portal's only the status list."""
        return KeyRole.RESULTS if self.agency_id else KeyRole.STATUS_LIST


class Result(ProtectedStateReload, models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=60)
    result_type = models.ForeignKey(
        "procedures.ResultType",
        verbose_name=_("result type"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("issuing agency"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder's account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
    )
    holder_national_id = models.CharField(_("holder's citizen ID number"), max_length=12)
    holder_name = models.CharField(_("holder's name"), max_length=200)
    issued_on = models.DateField(_("date of issue"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # [label, value] pairs: a signed document prints its lines in the order
    # they were entered, and PostgreSQL's jsonb does not keep a map's key order.
    data = models.JSONField(_("content"), default=list, blank=True)
    # [label, value] pairs of what the document certifies, as signed: the QR
    # token carries their digest, the verification page shows them.
    certified = models.JSONField(_("certified facts"), default=list, blank=True)
    source_reference = models.CharField(_("source"), max_length=120, blank=True)
    digitized = models.BooleanField(_("digitized from paper"), default=False)
    scan = models.FileField(_("scan of the paper result"), upload_to="scans/", blank=True)

    # Changed only by the transitions below, as a dossier's state (ADR 5).
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ResultStatus.choices,
        default=ResultStatus.PREPARING,
        protected=True,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    token = models.TextField(_("QR token"), blank=True)
    pdf = models.FileField(_("signed PDF"), upload_to="results/", blank=True)
    # SHA-256 of the PDF's first revision (what the token signs) and of the
    # final file (QR and PAdES signature added as incremental updates).
    content_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)

    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "result_type", "number"], name="result_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["holder_national_id"], name="result_holder_national_id"),
            models.Index(fields=["source_reference"], name="result_source_reference"),
            models.Index(fields=["status", "status_changed_at"], name="result_status_changed"),
            # Results still to be signed, for the sweeper (results_store.tasks).
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="preparing"),
                name="result_preparing",
            ),
        ]

    def __str__(self):
        return f"{self.result_type} {self.number}"

    @property
    def content_items(self) -> list[tuple[str, object]]:
        """The content lines in their order (older rows may hold a map)."""
        if isinstance(self.data, dict):
            return list(self.data.items())
        return [(label, value) for label, value in self.data or []]

    @property
    def source_dossier_code(self) -> str:
        """The code of the dossier this result was issued for, if it was ("dossier:<code>")."""
        prefix, _, code = self.source_reference.partition(":")
        return code if prefix == "dossier" else ""

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf) and self.status != ResultStatus.PREPARING

    # The life of a result: signed once, then valid until revoked or superseded.

    @transition(field=status, source=ResultStatus.PREPARING, target=ResultStatus.VALID)
    def sign(self, *, now) -> None:
        """Its PDF and QR token are made: anyone can verify it from now on."""
        self.status_changed_at = now

    @transition(
        field=status,
        source=[ResultStatus.PREPARING, ResultStatus.VALID],
        target=ResultStatus.REVOKED,
    )
    def revoke(self, *, reason: str, now) -> None:
        """The agency withdraws it; verifiers read the reason."""
        self.status_reason = reason
        self.status_changed_at = now

    @transition(field=status, source=ResultStatus.VALID, target=ResultStatus.SUPERSEDED)
    def supersede(self, *, replacement: "Result", reason: str, now) -> None:
        """Another result of the same type replaces it; verifiers are sent to the new one."""
        self.superseded_by = replacement
        self.status_reason = reason
        self.status_changed_at = now


class ResultSequence(models.Model):
    """The last number given automatically to an agency's results of a type in a year."""

    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    result_type = models.ForeignKey(
        "procedures.ResultType", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "result_type", "year"], name="result_sequence_unique_year"
            ),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.result_type_id} {self.year}: {self.last_number}"


class ResultEvent(models.Model):
    """Append-only audit of what happened to a result."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ResultAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("result event")
        verbose_name_plural = _("result events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.result} {self.action}"
