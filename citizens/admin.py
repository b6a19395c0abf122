from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from citizens import services
from citizens.models import AccountEvent, ExternalIdentity, IdentityVerification, Membership, User
from citizens.security import client_address
from portal.admin import ReadOnlyAdmin

# django-otp's own admin pages show and edit staff members' secrets and
# recovery codes; an administrator only ever resets them (the action below).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "email", "identity_level", "is_staff", "is_active")
    list_filter = ("identity_level", *DjangoUserAdmin.list_filter)
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("full_name",)}),
        (
            _("Identity"),
            {"fields": ("national_id", "identity_level", "identity_verified_at")},
        ),
    )
    # Identity is set by a verification (VNeID or a one-stop desk), never typed here.
    readonly_fields = ("national_id", "identity_level", "identity_verified_at")
    inlines = (MembershipInline,)
    actions = ("reset_second_factor",)

    @admin.action(description=_("Reset the second factor (they enrol again at next sign-in)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.second_factor_reset(
                user=user,
                actor=request.user,
                reason="admin action",
                address=client_address(request),
            )
        self.message_user(
            request,
            _("Second factor reset for %(count)s account(s).") % {"count": queryset.count()},
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "created_at")
    list_filter = ("role", "agency__level")
    search_fields = ("user__username", "user__full_name", "agency__name", "agency__code")
    autocomplete_fields = ("user", "agency")
    list_select_related = ("user", "agency")


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "action", "actor", "address")
    list_filter = ("action",)
    search_fields = ("user__username", "user__email", "actor__username")
    list_select_related = ("user", "actor")
    date_hierarchy = "at"


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(ReadOnlyAdmin):
    list_display = ("verified_at", "user", "method", "verified_by", "agency", "document_type")
    list_filter = ("method", "document_type")
    search_fields = ("user__username", "user__email", "full_name")
    list_select_related = ("user", "verified_by", "agency")


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "issuer", "linked_at", "last_sign_in_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
