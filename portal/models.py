"""The seal of the audit trail: one link of a hash chain per append-only audit row.

Every row written to an audit table (`portal.audit.AUDITED`) gets a seal in
the transaction that writes it. A seal holds the SHA-256 of the row's fields
and the hash of the seal before it, so changing, deleting or slipping in an
audit row without breaking the chain needs every later seal rewritten; see
`manage.py verify_audit` and ADR 10.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SealEvent(models.TextChoices):
    INSERT = "insert", _("Row written")
    # A row deleted on purpose (portal.audit.audit_purge); its digest stays.
    PURGE = "purge", _("Row purged")


class AuditSeal(models.Model):
    # Given under a lock as the previous seal's plus one, so it has no gaps:
    # a missing number is a deleted seal.
    seq = models.BigIntegerField(_("sequence"), primary_key=True)
    event = models.CharField(
        _("event"), max_length=10, choices=SealEvent.choices, default=SealEvent.INSERT
    )
    source = models.CharField(_("table"), max_length=60)
    source_id = models.BigIntegerField(_("row"))
    # Which list of the source's fields the digest covers (portal.audit.AUDITED),
    # so that a column added later does not change the digests of older rows.
    layout = models.PositiveSmallIntegerField(_("layout"), default=1)
    row_digest = models.CharField(_("row digest"), max_length=64)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["seq"]
        constraints = [
            # Also the index behind "which rows have no seal" and the purge lookup.
            models.UniqueConstraint(
                fields=["source", "source_id", "event"], name="audit_seal_once_per_row"
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.source}:{self.source_id} ({self.event})"
