"""Enumerations of dossiers and their workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Rejected")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    COMPLETED = "completed", _("Completed")


# The five states of the one-stop workflow, in the order a dossier meets them.
WORKFLOW_STATES = [
    DossierState.SUBMITTED,
    DossierState.RECEIVED,
    DossierState.SUPPLEMENT_REQUESTED,
    DossierState.REJECTED,
    DossierState.COMPLETED,
]
CLOSED_STATES = {DossierState.REJECTED, DossierState.COMPLETED}


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")


class DeliveryMethod(models.TextChoices):
    COUNTER = "counter", _("Collect at the counter")
    POST = "post", _("By post to an address")


class DossierAction(models.TextChoices):
    """What an audit event records. Transitions, plus the non-transition actions."""

    CREATE = "create", _("Draft created")
    SUBMIT = "submit", _("Submitted")
    RECEIVE = "receive", _("Received")
    REJECT = "reject", _("Rejected")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    RESUBMIT = "resubmit", _("Resubmitted")
    COMPLETE = "complete", _("Completed")
    APOLOGIZE = "apologize", _("Apology and new appointment")
    # Not an action on the dossier: a staff member opened one of its files.
    # Recorded so the applicant sees who read their papers (ADR 10).
    FILE_VIEWED = "file_viewed", _("File opened")
    # The applicant deleted their draft. Written just before the draft and its
    # events are purged, so the audit chain seals who deleted it and when.
    DELETE_DRAFT = "delete_draft", _("Draft deleted")


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    NOT_RECEIVED = "not_received", _("Not received in time")
    SUPPLEMENT_REMINDER = "supplement_reminder", _("Supplement deadline near")


# Dossier codes: <receiving unit code>-<YYMMDD>-<daily sequence, 4 digits or more>
# (Circular 01/2018/TT-VPCP Art. 19, now Circular 03/2025/TT-VPCP Art. 13).
CODE_SEQUENCE_DIGITS = 4

QUEUE_PAGE_SIZE = 25
