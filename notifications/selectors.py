"""Reads of notifications, each scoped to the user who asks."""

from django.db.models import Count, QuerySet

from notifications.constants import NotificationStatus
from notifications.models import Notification


def notifications_for_centre(user) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    return Notification.objects.in_app().filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.in_app().unread().filter(user=user).count()


def outbox_counts() -> dict[str, int]:
    """Rows waiting in the outbox and rows given up on, for /metrics (the outbox index)."""
    statuses = (NotificationStatus.PENDING, NotificationStatus.FAILED)
    counts = dict.fromkeys(statuses, 0)
    rows = (
        Notification.objects.filter(status__in=statuses)
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    counts.update(dict(rows))
    return {str(status): count for status, count in counts.items()}
