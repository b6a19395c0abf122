"""Admin pieces every app uses."""

from django.contrib import admin

from portal.models import AuditSeal


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records: administrators read them; nobody adds, edits or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    """The audit chain (ADR 10), to look a seal up; `manage.py verify_audit` checks it."""

    list_display = ("seq", "event", "source", "source_id", "sealed_at")
    list_filter = ("event", "source")
    search_fields = ("=source_id", "=hash")
