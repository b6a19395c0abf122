"""Enumerations of the notification outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS / chat app")
    IN_APP = "in_app", _("In the portal")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Not written by the current sender: a row is sent while it is locked, and
    # the lock, not a status, marks a delivery in progress, so a crashed worker
    # can never strand a row in "sending" (see notifications.services).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class MessageKind(models.TextChoices):
    """The messages there are templates for, under notifications/messages/."""

    DOSSIER_SUBMITTED = "dossier_submitted", _("Dossier submitted")
    DOSSIER_RECEIVED = "dossier_received", _("Dossier received")
    DOSSIER_REJECTED = "dossier_rejected", _("Dossier rejected")
    DOSSIER_SUPPLEMENT_REQUESTED = "dossier_supplement_requested", _("Supplement requested")
    DOSSIER_COMPLETED = "dossier_completed", _("Dossier completed")
    SUPPLEMENT_REMINDER = "supplement_reminder", _("Supplement deadline reminder")
    ALERT_DUE_SOON = "alert_due_soon", _("Alert: due soon")
    ALERT_OVERDUE = "alert_overdue", _("Alert: overdue")
    ALERT_NOT_RECEIVED = "alert_not_received", _("Alert: not received in time")
    DOSSIER_APOLOGY = "dossier_apology", _("Apology and new appointment")


# Delivery: attempt n that fails waits 2**(n-1) minutes, at most an hour, before
# the next one; after MAX_ATTEMPTS the row is marked failed (about two hours).
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 60 * 60
# The sweeper takes pending rows in batches of this size.
SWEEP_BATCH_SIZE = 500
# SMS / chat text, and the in-app body, are cut to this length at most.
SHORT_TEXT_MAX_CHARS = 300
SUBJECT_MAX_CHARS = 300
CENTRE_PAGE_SIZE = 20
