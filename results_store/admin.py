"""Administration of the results store: keys and results, for looking, not editing.

Keys are made only by `keys.signing_key_generate` (the admin action), never
typed in, and their private parts are never shown. Results change only through
the services (officers revoke and supersede on their own pages), so the admin
shows them read-only with their audit trail.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import ReadOnlyAdmin
from results_store import keys
from results_store.models import CertificateAuthority, KeyRole, Result, ResultEvent, SigningKey


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    """Roots are made and retired with `manage.py signing_keys`, whose key can live offline."""

    list_display = ("name", "fingerprint", "is_active", "created_at", "retired_at")
    fields = ("name", "fingerprint", "is_active", "created_at", "retired_at", "certificate")
    readonly_fields = fields


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """Nothing is deleted: results keep verifying with the key that signed them."""

    list_display = ("kid", "agency", "key_role", "is_active", "created_at", "retired_at")
    list_filter = ("is_active",)
    search_fields = ("kid", "agency__name", "agency__code")
    list_select_related = ("agency",)
    # Public parts only: the encrypted private keys are never listed here.
    fields = (
        "kid",
        "agency",
        "key_role",
        "is_active",
        "created_at",
        "retired_at",
        "authority",
        "public_key",
        "token_certificate",
        "pdf_certificate",
    )
    readonly_fields = fields
    actions = ("generate_new_key",)

    @admin.display(description=_("role"))
    def key_role(self, key):
        return KeyRole(key.role).label

    def has_generate_permission(self, request):
        return request.user.has_perm("results_store.add_signingkey")

    @admin.action(description=_("Generate a new key for this agency"), permissions=("generate",))
    def generate_new_key(self, request, queryset):
        """A new active key for each selected key's agency; the old one retires."""
        agencies = {key.agency_id: key.agency for key in queryset.select_related("agency")}
        try:
            for agency in agencies.values():
                keys.signing_key_generate(agency=agency)
        except keys.RootKeyOffline:
            self.message_user(
                request,
                _(
                    "The root key is kept offline: run “manage.py signing_keys rotate” "
                    "with its file instead."
                ),
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            ngettext(
                "A new signing key was generated; the previous one keeps verifying what it signed.",
                "%(count)d new signing keys were generated; the previous ones keep "
                "verifying what they signed.",
                len(agencies),
            )
            % {"count": len(agencies)},
            messages.SUCCESS,
        )


class ResultEventInline(admin.TabularInline):
    model = ResultEvent
    fields = ("created_at", "action", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "result_type",
        "agency",
        "holder_name",
        "issued_on",
        "status",
        "digitized",
        "created_at",
    )
    list_filter = ("status", "digitized", "result_type", "agency")
    search_fields = ("number", "holder_name", "holder_national_id", "public_id")
    list_select_related = ("result_type", "agency")
    date_hierarchy = "created_at"
    # The files themselves are served only by the officer and holder pages,
    # which check who asks; their hashes are shown instead.
    fields = (
        "public_id",
        "number",
        "result_type",
        "agency",
        "holder",
        "holder_national_id",
        "holder_name",
        "issued_on",
        "valid_until",
        "data",
        "digitized",
        "source_reference",
        "status",
        "status_reason",
        "status_changed_at",
        "superseded_by",
        "signing_key",
        "content_sha256",
        "pdf_sha256",
        "token",
        "issued_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = (ResultEventInline,)
