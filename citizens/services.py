"""Every write to accounts, identities, profiles and wallets goes through here."""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from citizens.constants import (
    VERIFIED_IDENTITY_LEVELS,
    AccountAction,
    IdentityLevel,
    WalletItemKind,
)
from citizens.models import (
    IDENTITY_FIELDS,
    PROFILE_FIELDS,
    AccountEvent,
    ExternalIdentity,
    IdentityVerification,
    User,
    WalletAccess,
    WalletItem,
    WalletItemUse,
)
from citizens.signals import identity_verified
from core.uploads import random_upload_name, safe_display_name
from portal.audit import audit_purge
from procedures.models import Agency, ResultType

logger = logging.getLogger(__name__)

WALLET_FOLDER = "wallet"


def account_event_record(
    *,
    user: User,
    action: str,
    actor: User | None = None,
    detail: dict | None = None,
    address: str | None = None,
) -> AccountEvent:
    # Atomic so the row and its seal in the audit chain commit together (ADR 10).
    with transaction.atomic():
        return AccountEvent.objects.create(
            user=user, actor=actor, action=action, detail=detail or {}, address=address
        )


# --------------------------------------------------------------------------
# Registration: an email is confirmed before the account opens, and the page
# says the same whether or not the email already has an account.
# --------------------------------------------------------------------------


@transaction.atomic
def user_register(
    *, full_name: str, email: str, phone: str, password: str, address: str | None = None
) -> User | None:
    """Record a registration waiting for its email to be confirmed.

    Returns the pending account, or None when the email belongs to an account
    already open (its holder is told by email instead; the page shows nothing
    different). A registration never confirmed does not hold the email: a new
    one replaces it, and whoever confirms from the mailbox gets the account.
    """
    email = email.strip().lower()
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None and (existing.is_active or existing.last_login is not None):
        return None
    if existing is None:
        username = email[:150]
        if User.objects.filter(username__iexact=username).exists():
            username = f"{email[:140]}.{get_random_string(6).lower()}"
        existing = User(username=username, email=email)
    user = existing
    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.is_active = False
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    account_event_record(user=user, action=AccountAction.REGISTERED, actor=user, address=address)
    return user


def user_activate(*, user: User) -> User:
    """The email was confirmed: the account opens."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


# How and in which language the person hears about their dossiers (notifications).
NOTIFICATION_PREFERENCE_FIELDS = ("language", "notify_by_email", "notify_by_sms", "notify_in_app")


def profile_update(*, user: User, data: dict) -> User:
    """Apply cleaned profile data; the form has already validated the ID number.

    A verified identity's fields (name, citizen ID, date of birth, gender) are
    the verification's, not the holder's to edit, and are left alone.
    Notification preferences are saved when the data carries them.
    """
    fields = [*PROFILE_FIELDS, *(f for f in NOTIFICATION_PREFERENCE_FIELDS if f in data)]
    if user.identity_verified:
        fields = [name for name in fields if name not in IDENTITY_FIELDS]
    for name in fields:
        setattr(user, name, data.get(name))
    user.save(update_fields=fields)
    return user


# --------------------------------------------------------------------------
# Identity: a citizen ID is the account's only once verified (ADR 8)
# --------------------------------------------------------------------------


def _last_digits(national_id: str) -> str:
    return national_id[-4:]


@transaction.atomic
def identity_verify(
    *,
    user: User,
    method: str,
    national_id: str,
    full_name: str,
    date_of_birth: dt.date | None,
    gender: str,
    actor: User,
    agency: Agency | None = None,
    document_type: str = "",
    document_number: str = "",
    issuer: str = "",
    subject: str = "",
    address: str | None = None,
) -> IdentityVerification:
    """Bind the account to a citizen ID a verified source vouched for.

    The verified identity takes precedence over unverified claims: other
    accounts that typed the same number lose it (an audit row each), so a
    squatter can never keep the holder out. An ID already verified on another
    account, or an account verified as someone else, is refused. Results
    issued to the ID reach the account in the same transaction
    (`identity_verified`).
    """
    if method not in VERIFIED_IDENTITY_LEVELS:
        raise ValueError(f"{method} does not verify an identity")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.identity_verified and locked.national_id != national_id:
        raise ValidationError(
            _("This account is already verified as the holder of another citizen ID number."),
            code="verified_as_other",
        )
    verified_elsewhere = (
        User.objects.filter(national_id=national_id, identity_level__in=VERIFIED_IDENTITY_LEVELS)
        .exclude(pk=locked.pk)
        .exists()
    )
    if verified_elsewhere:
        raise ValidationError(
            _("This citizen ID number is already verified on another account."),
            code="verified_elsewhere",
        )
    claimants = User.objects.select_for_update().filter(
        national_id=national_id, identity_level=IdentityLevel.DECLARED
    )
    for claimant in claimants.exclude(pk=locked.pk):
        claimant.national_id = None
        claimant.save(update_fields=["national_id"])
        account_event_record(
            user=claimant,
            action=AccountAction.IDENTITY_CLAIM_REMOVED,
            detail={"national_id_ending": _last_digits(national_id)},
        )
    locked.national_id = national_id
    locked.full_name = full_name
    locked.date_of_birth = date_of_birth
    locked.gender = gender
    locked.identity_level = method
    locked.identity_verified_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=[*IDENTITY_FIELDS, "identity_level", "identity_verified_at"])
    except IntegrityError as error:  # verified on another account meanwhile
        raise ValidationError(
            _("This citizen ID number is already verified on another account."),
            code="verified_elsewhere",
        ) from error
    verification = IdentityVerification.objects.create(
        user=locked,
        method=method,
        national_id=national_id,
        full_name=full_name,
        date_of_birth=date_of_birth,
        gender=gender,
        verified_by=actor if method == IdentityLevel.IN_PERSON else None,
        agency=agency,
        document_type=document_type,
        document_number=document_number,
        issuer=issuer,
        subject=subject,
    )
    account_event_record(
        user=locked,
        action=AccountAction.IDENTITY_VERIFIED,
        actor=actor,
        address=address,
        detail={
            "method": method,
            "verification": verification.pk,
            "agency": agency.code if agency else "",
        },
    )
    for name in (*IDENTITY_FIELDS, "identity_level", "identity_verified_at"):
        setattr(user, name, getattr(locked, name))
    identity_verified.send(sender=User, user=locked)
    return verification


def identity_verify_in_person(
    *,
    user: User,
    officer: User,
    agency: Agency,
    document_type: str,
    document_number: str,
    national_id: str,
    full_name: str,
    date_of_birth: dt.date,
    gender: str,
    address: str | None = None,
) -> IdentityVerification:
    """A one-stop officer checked the holder's identity document at the desk."""
    from citizens.selectors import is_officer_of

    if not is_officer_of(officer, agency):
        raise PermissionDenied
    if officer.pk == user.pk:
        raise ValidationError(
            _("An officer cannot verify their own identity."), code="own_identity"
        )
    return identity_verify(
        user=user,
        method=IdentityLevel.IN_PERSON,
        national_id=national_id,
        full_name=full_name.strip(),
        date_of_birth=date_of_birth,
        gender=gender,
        actor=officer,
        agency=agency,
        document_type=document_type,
        document_number=document_number.strip(),
        address=address,
    )


def identity_viewed_for_verification(*, user: User, officer: User, address: str | None) -> None:
    """An officer opened an account to verify it: a staff read of a citizen's data."""
    account_event_record(
        user=user, action=AccountAction.IDENTITY_VIEWED, actor=officer, address=address
    )


# --------------------------------------------------------------------------
# Sign-in with the national identity provider
# --------------------------------------------------------------------------


def _person_identity(person) -> dict:
    return {
        "national_id": person.national_id,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "gender": person.gender,
    }


def _verify_as_person(user: User, person, address) -> None:
    """Verify the account as the person the provider vouched for, by their own act."""
    identity_verify(
        user=user,
        method=IdentityLevel.NATIONAL_IDP,
        actor=user,
        issuer=person.issuer,
        subject=person.subject,
        address=address,
        **_person_identity(person),
    )


def _identity_changed(user: User, person) -> bool:
    return user.identity_level != IdentityLevel.NATIONAL_IDP or any(
        getattr(user, name) != value for name, value in _person_identity(person).items()
    )


@transaction.atomic
def national_identity_sign_in(*, person, current_user: User | None, address=None) -> User | None:
    """The account a person the provider vouched for signs in to.

    Found by the provider's subject when linked before; otherwise the account
    signed in now (the holder verifying it), or the one account already
    verified in person with the same citizen ID. None when the person must
    choose: link an account they hold (by its password, once) or open one.
    """
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=person.issuer, subject=person.subject)
        .first()
    )
    signed_in = current_user if current_user is not None and current_user.is_authenticated else None
    if link is not None:
        if signed_in is not None and signed_in.pk != link.user_id:
            raise ValidationError(
                _(
                    "This national identity is linked to another account of this portal. "
                    "Log out, then sign in with it."
                ),
                code="linked_elsewhere",
            )
        user = link.user
        if _identity_changed(user, person):
            _verify_as_person(user, person, address)
        link.last_sign_in_at = timezone.now()
        link.save(update_fields=["last_sign_in_at"])
        return user
    if signed_in is not None:
        national_identity_link(user=signed_in, person=person, address=address)
        return signed_in
    verified = User.objects.filter(
        national_id=person.national_id, identity_level__in=VERIFIED_IDENTITY_LEVELS
    ).first()
    if verified is not None:
        national_identity_link(user=verified, person=person, address=address)
        return verified
    return None


@transaction.atomic
def national_identity_link(*, user: User, person, address=None) -> ExternalIdentity:
    """Link a provider's identity to an account, verifying the account as that person."""
    _verify_as_person(user, person, address)
    try:
        with transaction.atomic():
            link = ExternalIdentity.objects.create(
                user=user,
                issuer=person.issuer,
                subject=person.subject,
                last_sign_in_at=timezone.now(),
            )
    except IntegrityError as error:  # linked by a parallel sign-in
        raise ValidationError(
            _("This national identity is already linked to an account."), code="linked"
        ) from error
    update = []
    if not user.phone and person.phone:
        user.phone = person.phone
        update.append("phone")
    if (
        not user.email
        and person.email
        and not User.objects.filter(email__iexact=person.email).exclude(pk=user.pk).exists()
    ):
        user.email = person.email.lower()
        update.append("email")
    if update:
        user.save(update_fields=update)
    account_event_record(
        user=user,
        action=AccountAction.NATIONAL_ID_LINKED,
        actor=user,
        address=address,
        detail={"issuer": person.issuer},
    )
    return link


@transaction.atomic
def user_create_from_national_identity(*, person, address=None) -> User:
    """Open an account for a person the provider vouched for; it has no password."""
    digest = hashlib.sha256(f"{person.issuer}|{person.subject}".encode()).hexdigest()[:20]
    user = User(username=f"vneid-{digest}", full_name=person.full_name, is_active=True)
    user.set_unusable_password()
    user.save()
    account_event_record(
        user=user,
        action=AccountAction.REGISTERED,
        actor=user,
        address=address,
        detail={"with": "national_identity"},
    )
    national_identity_link(user=user, person=person, address=address)
    return user


def _store_file(uploaded_file, kind: str) -> str:
    name = random_upload_name(kind, WALLET_FOLDER)
    return default_storage.save(name, uploaded_file)


def _delete_file_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.exception("Could not delete stored file %s", name)


@transaction.atomic
def wallet_document_add(*, owner: User, data: dict, uploaded_file) -> WalletItem:
    """Store a checked upload under a random name and record it in the wallet.

    If recording fails the stored file is removed, so a failed upload leaves
    nothing behind.
    """
    kind = uploaded_file.detected_kind
    stored_name = _store_file(uploaded_file, kind)
    try:
        item = WalletItem(
            owner=owner,
            kind=WalletItemKind.DOCUMENT,
            document_type=data["document_type"],
            title=data["title"],
            number=data.get("number", ""),
            issuer=data.get("issuer", ""),
            issued_on=data.get("issued_on"),
            file_kind=kind,
            original_name=safe_display_name(uploaded_file.name),
            file_size=uploaded_file.size,
        )
        item.file.name = stored_name
        item.full_clean()
        item.save()
    except Exception:
        _delete_file_quietly(stored_name)
        raise
    return item


@transaction.atomic
def wallet_result_add(
    *,
    owner: User,
    result_type: ResultType,
    title: str,
    number: str,
    issuer: str,
    issued_on,
    source_reference: str,
    file_name: str = "",
    file_size: int = 0,
) -> WalletItem:
    """Put an issued result into its holder's wallet; the results store calls this.

    Idempotent per source reference: a retried task, or the signed PDF arriving
    after the result was announced, updates the one item. Without a file the
    wallet shows the result as being prepared.
    """
    item, _created = WalletItem.objects.update_or_create(
        owner=owner,
        kind=WalletItemKind.RESULT,
        source_reference=source_reference,
        defaults={
            "result_type": result_type,
            "title": title,
            "number": number,
            "issuer": issuer,
            "issued_on": issued_on,
            "file": file_name,
            "file_kind": "pdf" if file_name else "",
            "file_size": file_size,
        },
    )
    return item


def wallet_item_delete(*, item: WalletItem, actor: User) -> None:
    if item.owner_id != actor.pk:
        raise PermissionDenied
    if item.kind == WalletItemKind.RESULT:
        raise ValidationError(
            _("Digital results are kept by the results store and cannot be deleted."),
            code="result",
        )
    with transaction.atomic():
        locked = WalletItem.objects.select_for_update().get(pk=item.pk)
        if locked.uses.filter(released_at__isnull=True).exists():
            raise ValidationError(
                _(
                    "This document is attached to a dossier that is still open. "
                    "It can be deleted when that dossier is closed."
                ),
                code="in_use",
            )
        stored_name = locked.file.name
        # The item's access rows go with it; the audit chain keeps that they
        # existed and why they went (ADR 10).
        with audit_purge(reason=f"wallet item {locked.pk} deleted by its owner"):
            locked.delete()
        if stored_name:
            transaction.on_commit(lambda: _delete_file_quietly(stored_name))


def wallet_item_attach(*, item: WalletItem, agency: Agency, reference: str) -> WalletItemUse:
    """Attach a wallet item to an agency's case (a dossier code); it cannot be deleted now."""
    use, _created = WalletItemUse.objects.get_or_create(
        item=item, agency=agency, reference=reference
    )
    if use.released_at is not None:
        use.released_at = None
        use.save(update_fields=["released_at"])
    return use


def wallet_uses_release(*, reference: str) -> int:
    """The case is closed: its wallet items may be deleted by their owners again."""
    return WalletItemUse.objects.filter(reference=reference, released_at__isnull=True).update(
        released_at=timezone.now()
    )


def wallet_access_record(*, item: WalletItem, actor: User, use: WalletItemUse) -> WalletAccess:
    """An officer opened an item attached to their agency's case; its owner will see it."""
    with transaction.atomic():
        return WalletAccess.objects.create(
            item=item, accessed_by=actor, agency=use.agency, reference=use.reference
        )


def wallet_result_access_record(
    *, holder: User | None, source_reference: str, actor: User, agency: Agency, reference: str
) -> WalletAccess | None:
    """Staff opened a result that is also in its holder's wallet; the holder will see it there.

    The results store calls this: a result's PDF is the wallet item's file.
    Nothing is recorded when the holder has no account or no such item yet
    (the store's own event still is).
    """
    if holder is None or holder.pk == actor.pk:
        return None
    item = (
        WalletItem.objects.filter(
            owner=holder, kind=WalletItemKind.RESULT, source_reference=source_reference
        )
        .only("pk")
        .first()
    )
    if item is None:
        return None
    with transaction.atomic():
        return WalletAccess.objects.create(
            item=item, accessed_by=actor, agency=agency, reference=reference
        )


# --------------------------------------------------------------------------
# Sign-in security: lockouts, the staff second factor
# --------------------------------------------------------------------------


def account_lockout_record(*, username_key: str, address: str | None) -> AccountEvent | None:
    """Note a lockout on the account it protects, once per lockout period."""
    user = User.objects.filter(username=username_key).first() if username_key else None
    if user is None:
        return None
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if user.account_events.filter(action=AccountAction.LOCKED_OUT, at__gte=since).exists():
        return None
    return account_event_record(user=user, action=AccountAction.LOCKED_OUT, address=address)


def account_lockout_clear(*, user: User, actor: User | None, address: str | None = None) -> int:
    """Forget the failed sign-ins counted against the account (its password was just reset)."""
    from axes.utils import reset

    cleared = reset(username=user.get_username())
    if cleared:
        account_event_record(
            user=user, action=AccountAction.LOCKOUT_CLEARED, actor=actor, address=address
        )
    return cleared


TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def totp_enrolment_start(*, user: User):
    """The authenticator secret a staff member is adding: one unconfirmed device, reused."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device, token: str, address=None) -> list[str]:
    """A code from the new authenticator proves it is set up; returns fresh recovery codes."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token((token or "").replace(" ", "")):
        raise ValidationError(
            {"token": _("That code is not right. Type the 6 digits the app shows now.")},
            code="invalid_token",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    device.__class__.objects.filter(user=user, confirmed=False).delete()
    account_event_record(
        user=user, action=AccountAction.SECOND_FACTOR_ENROLLED, actor=user, address=address
    )
    return recovery_codes_renew(user=user, actor=user, address=address, enrolment=True)


@transaction.atomic
def recovery_codes_renew(
    *, user: User, actor: User, address=None, enrolment: bool = False
) -> list[str]:
    """New single-use recovery codes; the old ones stop working."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    if not enrolment:
        account_event_record(
            user=user, action=AccountAction.RECOVERY_CODES_RENEWED, actor=actor, address=address
        )
    return codes


def second_factor_check(*, user: User, token: str, address=None):
    """The device a code belongs to (an authenticator or a recovery code), or None.

    Devices throttle repeated wrong codes themselves (django-otp). A recovery
    code is spent when used, and its use is recorded.
    """
    from django_otp import match_token
    from django_otp.plugins.otp_static.models import StaticDevice

    token = (token or "").replace(" ", "").strip()
    if not token:
        return None
    device = match_token(user, token)
    if isinstance(device, StaticDevice):
        account_event_record(
            user=user,
            action=AccountAction.RECOVERY_CODE_USED,
            actor=user,
            address=address,
            detail={"left": device.token_set.count()},
        )
    return device


@transaction.atomic
def second_factor_reset(*, user: User, actor: User, reason: str = "", address=None) -> None:
    """An administrator removes a staff member's second factor; they enrol again at sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not (actor.is_superuser or actor.has_perm("otp_totp.delete_totpdevice")):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    account_event_record(
        user=user,
        action=AccountAction.SECOND_FACTOR_RESET,
        actor=actor,
        address=address,
        detail={"reason": reason.strip()},
    )
