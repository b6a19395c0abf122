"""Every write of notifications: the outbox rows, their delivery, read marks.

`notify` renders a message for each recipient in their language and writes
one row per channel they chose, in the caller's transaction, and asks for
delivery when that transaction commits. A rollback therefore leaves nothing
to send, and a commit leaves rows that are sent by the task queued on commit
or, if that task is lost (broker down, worker killed), by the periodic sweeper.

Delivery takes a row with SELECT ... FOR UPDATE SKIP LOCKED, sends it and
marks it sent in that same transaction. A worker that dies mid-send loses its
transaction and its lock, so the row is still pending and is sent again:
delivery is at-least-once, and every send carries a key derived from the row
(see notifications.channels) so that a receiver can drop the repeat. Two
workers never send one row at the same time, and a row marked sent is never
sent again.
"""

import logging
import re
from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator

from core import side_effects
from core.links import public_url
from notifications import channels
from notifications.constants import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    MAX_ATTEMPTS,
    SHORT_TEXT_MAX_CHARS,
    SUBJECT_MAX_CHARS,
    SWEEP_BATCH_SIZE,
    NotificationChannel,
    NotificationStatus,
)
from notifications.models import Notification

logger = logging.getLogger(__name__)

# Messages speak the time of the people they go to, wherever the server runs.
MESSAGE_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TEMPLATE_FOLDER = "notifications/messages"


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy(text: str) -> str:
    """Template text as a message: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render_message(*, kind: str, context: dict, recipient, link: str = "") -> dict[str, str]:
    """The texts of message `kind` for `recipient`, in their language, dates in Vietnam time.

    Returns subject, body_text, body_html (email), short_text (SMS / chat,
    ending with the link) and in_app_text (the centre's body: the item is
    itself the link). Short texts are cut to SHORT_TEXT_MAX_CHARS, the link
    kept whole.
    """
    link_url = public_url(link)
    values = {
        **context,
        "recipient": recipient,
        "language": recipient.language,
        "link_url": link_url,
        "portal_name": settings.PORTAL_NAME,
        "portal_city": settings.PORTAL_CITY,
        "profile_url": public_url(reverse("citizens:profile")),
        "wallet_url": public_url(reverse("citizens:wallet")),
    }

    def render(name: str) -> str:
        return render_to_string(f"{TEMPLATE_FOLDER}/{name}", values)

    with translation.override(recipient.language), timezone.override(MESSAGE_TIME_ZONE):
        subject = _one_line(render(f"{kind}_subject.txt"))
        values["subject"] = subject
        body_text = _tidy(render(f"{kind}_body.txt"))
        body_html = render(f"{kind}_body.html")
        short = _one_line(render(f"{kind}_short.txt"))
        link_line = _one_line(render("_short_link.txt")) if link_url else ""
    room = SHORT_TEXT_MAX_CHARS - (len(link_line) + 1 if link_line else 0)
    return {
        "subject": Truncator(subject).chars(SUBJECT_MAX_CHARS),
        "body_text": body_text,
        "body_html": body_html,
        "short_text": " ".join(filter(None, [Truncator(short).chars(max(room, 1)), link_line])),
        "in_app_text": Truncator(short).chars(SHORT_TEXT_MAX_CHARS),
    }


# --------------------------------------------------------------------------
# Writing the outbox
# --------------------------------------------------------------------------


def enabled_channels(user) -> list[str]:
    """The channels the user chose that can reach them now."""
    chosen = []
    if user.notify_in_app:
        chosen.append(NotificationChannel.IN_APP)
    if user.notify_by_email and user.email:
        chosen.append(NotificationChannel.EMAIL)
    if user.notify_by_sms and user.phone and settings.NOTIFY_WEBHOOK_URL:
        chosen.append(NotificationChannel.SMS)
    return chosen


def _reference(context: dict) -> str:
    dossier = context.get("dossier")
    return str(getattr(dossier, "code", "") or "")


def notify(
    *, users: Iterable, kind: str, context: dict, link: str = "", dedupe_key: str
) -> list[Notification]:
    """Render the message `kind` for each user in their language and write one outbox row per
    enabled channel, in the caller's transaction; delivery is queued on commit. Rows are unique
    per (user, channel, dedupe_key): calling twice with the same key writes nothing new."""
    recipients = {user.pk: user for user in users}
    if not recipients:
        return []
    already = set(
        Notification.objects.filter(dedupe_key=dedupe_key, user__in=recipients).values_list(
            "user_id", "channel"
        )
    )
    now = timezone.now()
    reference = _reference(context)
    rows: list[Notification] = []
    for user in recipients.values():
        wanted = [c for c in enabled_channels(user) if (user.pk, c) not in already]
        if not wanted:
            continue
        texts = render_message(kind=kind, context=context, recipient=user, link=link)
        for channel in wanted:
            in_app = channel == NotificationChannel.IN_APP
            rows.append(
                Notification(
                    user=user,
                    kind=kind,
                    channel=channel,
                    dedupe_key=dedupe_key,
                    language=user.language,
                    subject=texts["subject"],
                    body_text=texts["body_text"],
                    body_html=texts["body_html"],
                    short_text=texts["in_app_text" if in_app else "short_text"],
                    link=link,
                    reference=reference,
                    # In-app rows are delivered by being written: they appear
                    # in the centre when, and only if, this transaction commits.
                    status=NotificationStatus.SENT if in_app else NotificationStatus.PENDING,
                    sent_at=now if in_app else None,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if not rows:
        return []
    # A concurrent call with the same key may have written some rows since the
    # check above: ON CONFLICT DO NOTHING keeps theirs. Django sets no ids with
    # ignore_conflicts, so the rows this call wrote (stamped `now`) are read back.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    written = list(
        Notification.objects.filter(
            dedupe_key=dedupe_key, user__in=recipients, created_at=now
        ).order_by("id")
    )
    from notifications.tasks import deliver_notification_task

    # A broker that is down must not fail the committed change; the sweeper
    # sends what was not queued.
    for row in written:
        if row.status == NotificationStatus.PENDING:
            side_effects.queue_on_commit(deliver_notification_task, row.pk)
    return written


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """How long to wait after the attempts-th failed attempt: 1, 2, 4 ... minutes, capped."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def _bound_lock_time() -> None:
    # If the worker's host vanishes without closing its connection, PostgreSQL
    # would keep the row locked until TCP gives up; end such a transaction once
    # it has idled longer than any send may take.
    if connection.vendor == "postgresql":
        limit = max(settings.NOTIFY_WEBHOOK_TIMEOUT, getattr(settings, "EMAIL_TIMEOUT", 0) or 0)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                [f"{(limit + 30) * 1000}"],
            )


def notification_deliver(notification_id: int) -> str | None:
    """Send one pending, due row and record the outcome; safe to call any number of times.

    Returns the row's new status, or None when there was nothing to do: the
    row is sent or failed already, not due yet, gone, or being sent by
    another worker right now (its lock is skipped, not waited for).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .due()
            .filter(pk=notification_id)
            .exclude(channel=NotificationChannel.IN_APP)
            .first()
        )
        if notification is None:
            return None
        _bound_lock_time()
        notification.attempts += 1
        try:
            channels.send(notification)
        except channels.DeliveryError as error:
            _record_failure(notification, error)
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(
            update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"]
        )
        return notification.status


def _record_failure(notification: Notification, error: channels.DeliveryError) -> None:
    notification.last_error = str(error)[:2000]
    permanent = isinstance(error, channels.PermanentDeliveryError)
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
        logger.error(
            "Notification %s (%s by %s) failed after %s attempt(s): %s",
            notification.pk,
            notification.kind,
            notification.channel,
            notification.attempts,
            error,
        )
    else:
        notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
        logger.warning(
            "Notification %s (%s by %s), attempt %s failed, next at %s: %s",
            notification.pk,
            notification.kind,
            notification.channel,
            notification.attempts,
            notification.next_attempt_at.isoformat(),
            error,
        )


def outbox_due_ids(*, limit: int = SWEEP_BATCH_SIZE) -> list[int]:
    """Collect: ids of pending rows whose attempt is due, oldest first, skipping rows in flight."""
    with transaction.atomic():
        return list(
            Notification.objects.due()
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )


def outbox_sweep(*, batch_size: int = SWEEP_BATCH_SIZE, time_budget: float | None = None) -> int:
    """Act: deliver every due row, batch after batch, within the time budget (seconds).

    Rows left pending by a lost task or a dead worker, and rows whose retry
    is due, all end here. Returns how many rows were attempted.
    """
    started = timezone.now()
    attempted = 0
    while True:
        ids = outbox_due_ids(limit=batch_size)
        for notification_id in ids:
            if notification_deliver(notification_id) is not None:
                attempted += 1
        out_of_time = (
            time_budget is not None and (timezone.now() - started).total_seconds() >= time_budget
        )
        if len(ids) < batch_size or out_of_time:
            return attempted


# --------------------------------------------------------------------------
# The in-app centre
# --------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user) -> Notification:
    if notification.user_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.in_app().unread().filter(user=user).update(read_at=timezone.now())
