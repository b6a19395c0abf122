"""The notification outbox.

One row per (recipient, channel, event): written in the transaction of the
change it reports, so a rollback leaves no row and a commit leaves one that
the delivery task, or failing that the sweeper, sends. The texts are rendered
when the row is written, in the recipient's language, and stored: delivery
needs no other object than the row and its user.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.constants import MessageKind, NotificationChannel, NotificationStatus


class NotificationQuerySet(models.QuerySet):
    def in_app(self):
        return self.filter(channel=NotificationChannel.IN_APP)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def due(self, now=None):
        return self.filter(
            status=NotificationStatus.PENDING, next_attempt_at__lte=now or timezone.now()
        )


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("message"), max_length=40, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    # What the row reports, e.g. "dossier-event:42": a second call for the same
    # event writes nothing (see the unique constraint).
    dedupe_key = models.CharField(_("event key"), max_length=120)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    short_text = models.TextField(_("short text"), blank=True)
    # A path of the portal; emails and SMS make it absolute with PORTAL_BASE_URL.
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The dossier code, if the message is about one; sent with webhook messages.
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "dedupe_key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            # The sweeper: pending rows whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="notification_outbox"),
            # The centre: a user's in-app list, newest first, and the unread count.
            models.Index(fields=["user", "channel", "-created_at"], name="notification_centre"),
            models.Index(
                fields=["user", "channel"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.user} ({self.get_channel_display()})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
