"""Reads of accounts and wallets, each scoped to the user who asks."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from citizens.constants import VERIFIED_IDENTITY_LEVELS, MembershipRole, WalletItemKind
from citizens.models import (
    IDENTITY_FIELDS,
    IdentityVerification,
    User,
    WalletAccess,
    WalletItem,
    WalletItemUse,
)
from procedures.models import Agency, DocumentComponent, Procedure


def account_for_identifier(identifier: str):
    """The one account a typed identifier names, or None (no account, or ambiguous)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    matches = list(
        User.objects.filter(
            Q(username__iexact=identifier)
            | Q(email__iexact=identifier)
            | Q(national_id=identifier, identity_level__in=VERIFIED_IDENTITY_LEVELS)
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def latest_identity_verification(user: User) -> IdentityVerification | None:
    """The verification the account's identity comes from, with where it was made."""
    if not user.identity_verified:
        return None
    return (
        IdentityVerification.objects.filter(user=user)
        .select_related("agency", "verified_by")
        .first()
    )


def agencies_of(user: User, *, roles=(MembershipRole.OFFICER, MembershipRole.SUPERVISOR)):
    if not user.is_authenticated:
        return Agency.objects.none()
    return Agency.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def is_officer_of(user: User, agency: Agency) -> bool:
    """May this user act for the agency (receive dossiers, issue and revoke results)?"""
    return (
        user.is_authenticated
        and user.memberships.filter(agency=agency, role=MembershipRole.OFFICER).exists()
    )


def is_officer(user: User) -> bool:
    return user.is_authenticated and user.memberships.exists()


def needs_second_factor(user: User) -> bool:
    """Staff (officers, supervisors, administrators) pass a second factor before any page.

    Kept on the user object for the request: the middleware and the page
    header both ask.
    """
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_needs_second_factor", None)
    if cached is None:
        cached = user.is_staff or user.is_superuser or user.memberships.exists()
        user._needs_second_factor = cached
    return cached


def has_second_factor(user: User) -> bool:
    """Has the staff member set up an authenticator (and so holds recovery codes)?"""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_supervisor(user: User) -> bool:
    """Does the user supervise an agency (and so see its figures and those below it)?"""
    return (
        user.is_authenticated and user.memberships.filter(role=MembershipRole.SUPERVISOR).exists()
    )


def landing_url(user: User) -> str:
    """The start page of a signed-in user with nowhere else to go: where their work is.

    Every way of signing in (password, second factor, the national identity
    provider, a confirmed registration) and every "home" link ends here when
    no `next` page was asked for. Officers start on their queue, even when
    they also supervise somewhere: dossiers waiting for them come first.
    Supervisors start on their dashboard, administrators in the admin, and
    everyone else (citizens) on their own dashboard.
    """
    roles = set(user.memberships.values_list("role", flat=True)) if user.is_authenticated else set()
    if MembershipRole.OFFICER in roles:
        return reverse("dossiers:queue")
    if MembershipRole.SUPERVISOR in roles:
        return reverse("dossiers:supervision")
    if user.is_staff:
        return reverse("admin:index")
    return reverse("citizens:dashboard")


def safe_next_url(request, value: str | None) -> str:
    """`value` if it is a page of this site to go on to after signing in, else "".

    Anything else (another host, `//host`, a `javascript:` address, plain
    http on an https site) is dropped, so a crafted link cannot send someone
    who just signed in to a look-alike site.
    """
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def wallet_items_for_owner(user: User) -> QuerySet[WalletItem]:
    return WalletItem.objects.owned_by(user).select_related("result_type")


def wallet_item_uses_for_officer(user: User, *, closed: bool = False) -> QuerySet[WalletItemUse]:
    """Attachments an officer may open: those of their agencies' cases still open.

    A citizen shares a wallet document with an agency for one case: when the
    case closes its use is released (dossiers.services) and the officers'
    access ends with it. `closed=True` gives the released ones instead, only
    to tell the officer why a link no longer opens.
    """
    return WalletItemUse.objects.filter(
        agency__in=agencies_of(user, roles=[MembershipRole.OFFICER]),
        released_at__isnull=not closed,
    ).select_related("item", "agency")


def wallet_accesses_for_owner(user: User) -> QuerySet[WalletAccess]:
    return WalletAccess.objects.filter(item__owner=user).select_related(
        "item", "accessed_by", "agency"
    )


@dataclass
class ComponentReuse:
    component: DocumentComponent
    items: list[WalletItem] = field(default_factory=list)


@dataclass
class ProcedureReuse:
    """What a citizen's account already holds for a procedure's form."""

    prefill: dict[str, object]
    components: list[ComponentReuse]


def profile_value(user: User, source: str):
    """A profile value to prefill a form with.

    The identity's own fields (citizen ID, name, date of birth, gender) are
    prefilled only from a verified identity: typed, they are only a claim.
    """
    if not source:
        return None
    if source in IDENTITY_FIELDS and not user.identity_verified:
        return None
    value = getattr(user, source, None)
    return value if value not in ("", None) else None


def reusable_wallet_items(user: User) -> QuerySet[WalletItem]:
    """What intake may reuse: documents always, digital results only with a verified identity."""
    items = wallet_items_for_owner(user)
    if not user.identity_verified:
        items = items.exclude(kind=WalletItemKind.RESULT)
    return items


def reuse_for_procedure(*, user: User, procedure: Procedure) -> ProcedureReuse:
    """Prefill values for the declaration and wallet items for each component.

    A component is satisfied by a personal document of one of its document
    types, or by a digital result of one of its result types.
    """
    prefill = {}
    for form_field in procedure.form_fields.all():
        value = profile_value(user, form_field.prefill_source)
        if value is not None:
            prefill[form_field.key] = value

    components = list(procedure.components.prefetch_related("satisfied_by"))
    items = list(reusable_wallet_items(user))
    reuse = []
    for component in components:
        result_type_ids = {rt.pk for rt in component.satisfied_by.all()}
        document_types = set(component.document_types or [])
        matching = [
            item
            for item in items
            if (item.result_type_id in result_type_ids)
            or (item.document_type and item.document_type in document_types)
        ]
        reuse.append(ComponentReuse(component=component, items=matching))
    return ProcedureReuse(prefill=prefill, components=reuse)


def wallet_items_for_component(*, user: User, component: DocumentComponent) -> QuerySet:
    return reusable_wallet_items(user).filter(
        Q(result_type__in=component.satisfied_by.all())
        | Q(document_type__in=component.document_types or [])
    )
