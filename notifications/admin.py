from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by the workflow and emptied by the workers."""

    list_display = ["created_at", "kind", "channel", "status", "attempts", "user", "reference"]
    list_filter = ["status", "channel", "kind", "language", "created_at"]
    list_select_related = ["user"]
    search_fields = ["reference", "dedupe_key", "user__username", "user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
