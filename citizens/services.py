"""Every write to accounts, profiles and wallets goes through here."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.constants import WalletItemKind
from citizens.models import PROFILE_FIELDS, User, WalletAccess, WalletItem, WalletItemUse
from portal.uploads import random_upload_name, safe_display_name
from procedures.models import Agency, ResultType

logger = logging.getLogger(__name__)

WALLET_FOLDER = "wallet"


def user_register(*, full_name: str, email: str, phone: str, password: str) -> User:
    email = email.strip().lower()
    user = User(username=email, email=email, full_name=full_name.strip(), phone=phone.strip())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


# How and in which language the person hears about their dossiers (notifications).
NOTIFICATION_PREFERENCE_FIELDS = ("language", "notify_by_email", "notify_by_sms", "notify_in_app")


def profile_update(*, user: User, data: dict) -> User:
    """Apply cleaned profile data; the form has already validated the ID number.

    Notification preferences are saved when the data carries them.
    """
    fields = [*PROFILE_FIELDS, *(f for f in NOTIFICATION_PREFERENCE_FIELDS if f in data)]
    for name in fields:
        setattr(user, name, data.get(name))
    user.save(update_fields=fields)
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
    return WalletAccess.objects.create(
        item=item, accessed_by=actor, agency=use.agency, reference=use.reference
    )
