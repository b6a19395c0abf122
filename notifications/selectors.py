"""Reads of notifications, each scoped to the user who asks."""

from django.db.models import QuerySet

from notifications.models import Notification


def notifications_for_centre(user) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    return Notification.objects.in_app().filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.in_app().unread().filter(user=user).count()
