from django.contrib import admin

from notifications.models import Notification
from portal.admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: the outbox is written by the workflow and emptied by the workers."""

    list_display = ["created_at", "kind", "channel", "status", "attempts", "user", "reference"]
    list_filter = ["status", "channel", "kind", "language", "created_at"]
    list_select_related = ["user"]
    search_fields = ["reference", "dedupe_key", "user__username", "user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
