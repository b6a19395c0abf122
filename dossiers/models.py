"""Dossiers and the five-state one-stop workflow.

A dossier is drafted by its applicant, then moves through the states of the
one-stop mechanism (Decree 118/2025/NĐ-CP): submitted, received, supplement
requested, rejected, completed. The transitions below only change fields;
`dossiers.services` checks who may act, writes the audit event and queues side
effects, all in one transaction. `ConcurrentTransitionMixin` makes the UPDATE
conditional on the state the dossier was read in, so of two officers acting at
once exactly one succeeds.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from citizens.constants import IdentityLevel
from dossiers.constants import (
    AlertKind,
    Channel,
    DeliveryMethod,
    DossierAction,
    DossierState,
)
from dossiers.lookup import lookup_pin_display
from portal.fsm import ProtectedStateReload
from procedures.search import fold


class Dossier(ProtectedStateReload, ConcurrentTransitionMixin, models.Model):
    code = models.CharField(_("dossier code"), max_length=60, unique=True, null=True, blank=True)
    # With the code, it lets anyone holding the receipt look the dossier up
    # (dossiers/lookup.py); given at submission.
    lookup_pin = models.CharField(_("lookup PIN"), max_length=8, blank=True, editable=False)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    state = FSMField(
        _("state"),
        default=DossierState.DRAFT,
        choices=DossierState.choices,
        protected=True,
        max_length=30,
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE
    )
    declaration = models.JSONField(_("declaration"), default=dict, blank=True)
    applicant_name = models.CharField(_("applicant's name"), max_length=200, blank=True)
    # How sure the portal was of the applicant's identity when they submitted
    # (the level of assurance), so an officer knows what the account proved.
    applicant_identity_level = models.CharField(
        _("applicant's identity at submission"),
        max_length=20,
        choices=IdentityLevel.choices,
        blank=True,
        db_default="",
        default="",
    )
    delivery_method = models.CharField(
        _("how to get the result"),
        max_length=20,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.COUNTER,
    )
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    fee_vnd = models.PositiveIntegerField(_("fee (VND)"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # An apology (the one-stop "phiếu xin lỗi") sets a new appointment; the
    # dossier still counts as late against `due_at`.
    rescheduled_due_at = models.DateTimeField(_("new appointment"), null=True, blank=True)
    apology_pdf = models.FileField(_("apology letter"), upload_to="apologies/", blank=True)
    # The date by which the applicant should supply what was requested.
    supplement_due_at = models.DateTimeField(_("supplement due"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # When the applicant declared, on the check-your-answers page, that what
    # they gave is true and complete ("Tôi cam đoan ..."); set on submission.
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    # The queue's order within a state, kept by the transitions: waiting
    # longest first for submitted dossiers, due soonest first for received
    # ones, most recent first for closed ones. One column makes one index
    # serve every tab with keyset pagination.
    sort_at = models.DateTimeField(default=timezone.now, editable=False)
    # Folded code and applicant name, for accent-insensitive search.
    search_text = models.TextField(default="", editable=False)
    receipt_pdf = models.FileField(_("receipt"), upload_to="receipts/", blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["agency", "state", "sort_at", "id"], name="dossier_queue"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_recent"),
            models.Index(fields=["state", "due_at"], name="dossier_state_due"),
            # The backlog waiting for reception, oldest first, for the alert
            # on online dossiers not received in time.
            models.Index(
                fields=["sort_at", "id"],
                condition=models.Q(state="submitted"),
                name="dossier_waiting_reception",
            ),
            # PDFs still to be made (dossiers.pending_pdfs): small, for the sweeper.
            models.Index(
                fields=["received_at"],
                condition=models.Q(receipt_pdf="", received_at__isnull=False),
                name="dossier_receipt_pending",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(apology_pdf="", rescheduled_due_at__isnull=False),
                name="dossier_apology_pending",
            ),
        ]

    def __str__(self):
        return self.code or _("Draft #%(id)s") % {"id": self.pk}

    @property
    def is_open(self) -> bool:
        return self.state not in (DossierState.REJECTED, DossierState.COMPLETED)

    @property
    def is_late(self) -> bool:
        if self.due_at is None:
            return False
        finished = self.closed_at if self.state == DossierState.COMPLETED else timezone.now()
        return finished > self.due_at

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.code or ''} {self.applicant_name}")

    def _moved(self, now, sort_at=None) -> None:
        self.state_changed_at = now
        self.sort_at = sort_at or now

    @property
    def lookup_pin_display(self) -> str:
        return lookup_pin_display(self.lookup_pin)

    # The transitions. Each changes fields only; see dossiers.services.

    @transition(field=state, source=DossierState.DRAFT, target=DossierState.SUBMITTED)
    def submit(self, *, code: str, lookup_pin: str, now) -> None:
        """The applicant files the dossier; it gets its code and joins the queue."""
        self.code = code
        self.lookup_pin = lookup_pin
        self.submitted_at = now
        self._moved(now, sort_at=now)
        self.refresh_search_text()

    @transition(field=state, source=DossierState.SUBMITTED, target=DossierState.RECEIVED)
    def receive(self, *, now, due_at) -> None:
        """An officer accepts the dossier as complete; the processing clock starts."""
        self.received_at = now
        self.due_at = due_at
        self._moved(now, sort_at=due_at)

    @transition(
        field=state,
        source=[DossierState.SUBMITTED, DossierState.RECEIVED],
        target=DossierState.REJECTED,
    )
    def reject(self, *, now) -> None:
        """The dossier cannot be processed; the reason goes in the audit event."""
        self.closed_at = now
        self._moved(now)

    @transition(
        field=state,
        source=[DossierState.SUBMITTED, DossierState.RECEIVED],
        target=DossierState.SUPPLEMENT_REQUESTED,
    )
    def request_supplement(self, *, now, supplement_due_at) -> None:
        """Documents are missing; the clock stops until the applicant resubmits."""
        self.due_at = None
        self.supplement_due_at = supplement_due_at
        self._moved(now)

    @transition(
        field=state, source=DossierState.SUPPLEMENT_REQUESTED, target=DossierState.SUBMITTED
    )
    def resubmit(self, *, now) -> None:
        """The applicant supplied what was asked; reception starts again."""
        self.received_at = None
        self.supplement_due_at = None
        self._moved(now, sort_at=now)

    @transition(field=state, source=DossierState.RECEIVED, target=DossierState.COMPLETED)
    def complete(self, *, now, outcome: str) -> None:
        """The result is ready."""
        self.outcome = outcome
        self.closed_at = now
        self._moved(now)


class DossierDocument(models.Model):
    """A document of a dossier: an upload, or an item reused from the wallet."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    component = models.ForeignKey(
        "procedures.DocumentComponent",
        verbose_name=_("document component"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    wallet_item = models.ForeignKey(
        "citizens.WalletItem",
        verbose_name=_("wallet item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="dossiers/", blank=True)
    file_kind = models.CharField(_("file format"), max_length=10, blank=True)
    original_name = models.CharField(_("original file name"), max_length=160, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    # 0 for the first filing; n for what was sent with the n-th resubmission.
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["component__position", "round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wallet_item__isnull=False) | ~models.Q(file=""),
                name="dossier_document_has_source",
            ),
        ]

    def __str__(self):
        return self.original_name or str(self.wallet_item or self.component)

    @property
    def is_reused(self) -> bool:
        return self.wallet_item_id is not None


class DossierEvent(models.Model):
    """One row per action on a dossier: who, when, from which state to which, why. Append-only."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=DossierAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=30, choices=DossierState.choices)
    to_state = models.CharField(_("to"), max_length=30, choices=DossierState.choices)
    reason = models.TextField(_("reason"), blank=True)
    # For a supplement request: the ids of the components asked for.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.dossier} {self.action} {self.created_at:%d/%m/%Y %H:%M}"


class DailySequence(models.Model):
    """The last dossier number given by an agency on a day (the code's XXXX)."""

    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="daily_sequence_unique_day"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last_number}"


class DossierRating(models.Model):
    """The applicant's rating of a completed dossier (satisfaction, Decision 766/QĐ-TTg)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.dossier} {self.score}/5"


class DeadlineAlert(models.Model):
    """An alert sent once per dossier and kind, however often the deadline task runs."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind"], name="deadline_alert_once"),
        ]

    def __str__(self):
        return f"{self.dossier} {self.kind}"
