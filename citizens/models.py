"""Accounts and the digital wallet.

One account per person: a citizen's profile lives on the User, officers and
supervisors are ordinary users with memberships, and the wallet holds both the
documents a citizen uploads and the signed results issued to them, so that
later applications reuse them instead of asking for paper again.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from citizens.constants import (
    PROVINCES,
    VERIFIED_IDENTITY_LEVELS,
    AccountAction,
    Gender,
    IdentityDocumentType,
    IdentityLevel,
    MembershipRole,
    WalletItemKind,
)
from citizens.national_id import validate_national_id_format
from core.text_language import VIETNAMESE, CatalogText
from procedures.constants import PersonalDocumentType

PROVINCE_CHOICES = [(name, name) for name in PROVINCES]


class User(AbstractUser):
    """One account per person: citizens, officers and administrators alike."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # Typed by the holder, a citizen ID is only a claim: several unverified
    # accounts may claim one number, and none of them receives anything issued
    # to it. Once verified (identity_level), the number is the account's alone.
    national_id = models.CharField(  # noqa: DJ001  (None: no number, as before)
        _("citizen ID number"),
        max_length=12,
        null=True,
        blank=True,
        validators=[validate_national_id_format],
        help_text=_("The 12 digits of your citizen ID card (CCCD)."),
    )
    identity_level = models.CharField(
        _("identity"),
        max_length=20,
        choices=IdentityLevel.choices,
        default=IdentityLevel.DECLARED,
        db_default=IdentityLevel.DECLARED,
    )
    identity_verified_at = models.DateTimeField(_("identity verified"), null=True, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # How the person wants to hear about their dossiers, and in which language.
    language = models.CharField(
        _("language of messages"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    notify_by_email = models.BooleanField(_("by email"), default=True)
    notify_by_sms = models.BooleanField(_("by SMS / chat app"), default=True)
    notify_in_app = models.BooleanField(_("in the portal"), default=True)
    # Addresses: province and ward/commune since July 2025; a district only
    # for older addresses that still name one.
    permanent_street = models.CharField(_("house number and street"), max_length=200, blank=True)
    permanent_ward = models.CharField(_("ward / commune"), max_length=120, blank=True)
    permanent_district = models.CharField(_("district (old addresses)"), max_length=120, blank=True)
    permanent_province = models.CharField(
        _("province / city"), max_length=120, blank=True, choices=PROVINCE_CHOICES
    )
    current_street = models.CharField(_("house number and street"), max_length=200, blank=True)
    current_ward = models.CharField(_("ward / commune"), max_length=120, blank=True)
    current_district = models.CharField(_("district (old addresses)"), max_length=120, blank=True)
    current_province = models.CharField(
        _("province / city"), max_length=120, blank=True, choices=PROVINCE_CHOICES
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_unique_email",
                violation_error_message=_("An account with this email already exists."),
            ),
            models.UniqueConstraint(
                fields=["national_id"],
                condition=models.Q(identity_level__in=VERIFIED_IDENTITY_LEVELS),
                name="user_unique_verified_national_id",
                violation_error_message=_("This citizen ID number is verified on another account."),
            ),
        ]
        indexes = [models.Index(fields=["national_id"], name="user_national_id")]

    def __str__(self):
        return self.get_full_name()

    @property
    def identity_verified(self) -> bool:
        """Is the citizen ID this account's by a verified source, not only by its word?"""
        return self.identity_level in VERIFIED_IDENTITY_LEVELS

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def address(self, prefix: str) -> str:
        parts = [
            getattr(self, f"{prefix}_{part}") for part in ("street", "ward", "district", "province")
        ]
        return ", ".join(part for part in parts if part)

    @property
    def permanent_address(self) -> str:
        return self.address("permanent")

    @property
    def current_address(self) -> str:
        return self.address("current")

    @property
    def profile_complete(self) -> bool:
        return all(
            [
                self.full_name,
                self.national_id,
                self.date_of_birth,
                self.gender,
                self.phone,
                self.permanent_province,
            ]
        )


# What a citizen keeps up to date in "My profile"; forms prefill from it.
PROFILE_FIELDS = (
    "full_name",
    "national_id",
    "date_of_birth",
    "gender",
    "phone",
    "email",
    "permanent_street",
    "permanent_ward",
    "permanent_district",
    "permanent_province",
    "current_street",
    "current_ward",
    "current_district",
    "current_province",
)


# What a verification vouches for: a verified account cannot change these.
IDENTITY_FIELDS = ("full_name", "national_id", "date_of_birth", "gender")


class IdentityVerification(models.Model):
    """One check of who an account's holder is. Append-only.

    Either the national identity provider vouched for the person (issuer and
    subject), or a one-stop officer checked an identity document in person
    (who, where, which document). The account's identity fields and level
    follow the latest verification.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_verifications")
    method = models.CharField(
        _("method"),
        max_length=20,
        choices=[(v, label) for v, label in IdentityLevel.choices if v in VERIFIED_IDENTITY_LEVELS],
    )
    national_id = models.CharField(_("citizen ID number"), max_length=12)
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    verified_by = models.ForeignKey(
        User,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_checks",
    )
    agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_checks",
    )
    document_type = models.CharField(
        _("document checked"), max_length=30, choices=IdentityDocumentType.choices, blank=True
    )
    document_number = models.CharField(_("document number"), max_length=30, blank=True)
    issuer = models.CharField(_("identity provider"), max_length=300, blank=True)
    subject = models.CharField(_("identity at the provider"), max_length=255, blank=True)
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")
        ordering = ["-verified_at", "-id"]

    def __str__(self):
        return f"{self.user} – {self.get_method_display()} ({self.verified_at:%d/%m/%Y})"


class ExternalIdentity(models.Model):
    """An account of the national identity provider, linked to one portal account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("identity provider"), max_length=300)
    subject = models.CharField(_("identity at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked national identity")
        verbose_name_plural = _("linked national identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_unique_subject"
            ),
        ]

    def __str__(self):
        return f"{self.user} ← {self.subject}"


class AccountEvent(models.Model):
    """What happened to an account's identity and sign-in security. Append-only.

    `actor` is whoever did it (the holder, an officer, an administrator), or
    nobody for what the portal did by itself (a lockout, a claim removed).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40, choices=AccountAction.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="account_event_user_recent")]

    def __str__(self):
        return f"{self.user} – {self.get_action_display()} ({self.at:%d/%m/%Y %H:%M})"


class Membership(models.Model):
    """A user's role in an agency; officers act on that agency's dossiers."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class WalletItemQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def in_use(self):
        return self.filter(uses__released_at__isnull=True).distinct()


class WalletItem(models.Model):
    """A document in a citizen's wallet: an uploaded paper or an issued result.

    Both kinds share this table so the wallet is one list and a document
    component can be satisfied by either: a personal document by its
    `document_type`, a digital result by its `result_type`.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wallet_items")
    kind = models.CharField(_("kind"), max_length=20, choices=WalletItemKind.choices)
    document_type = models.CharField(
        _("document type"), max_length=40, choices=PersonalDocumentType.choices, blank=True
    )
    result_type = models.ForeignKey(
        "procedures.ResultType",
        verbose_name=_("result type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_items",
    )
    # As long as a result type's name, which a result item takes as its title.
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="wallet/", blank=True)
    file_kind = models.CharField(_("file format"), max_length=10, blank=True)
    original_name = models.CharField(_("original file name"), max_length=160, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    # For results: the results store's identifier, kept as a reference so
    # this app never imports the store (see DESIGN.md on dependencies).
    source_reference = models.CharField(_("source"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = WalletItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("wallet item")
        verbose_name_plural = _("wallet items")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="wallet_owner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=WalletItemKind.DOCUMENT, result_type__isnull=True)
                    & ~models.Q(document_type="")
                )
                | models.Q(kind=WalletItemKind.RESULT, result_type__isnull=False),
                name="wallet_item_kind_fields",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def result_public_id(self) -> str | None:
        """The results store's id of a result item (its source reference is "result:<id>")."""
        prefix = "result:"
        if self.kind == WalletItemKind.RESULT and self.source_reference.startswith(prefix):
            return self.source_reference.removeprefix(prefix)
        return None

    # A result's title and issuer are the legal Vietnamese names of its type and
    # agency when it was issued, so an English page can mark them lang="vi"; a
    # document's are the citizen's own words, in a language nobody recorded.
    @property
    def display_title(self) -> str:
        if self.kind == WalletItemKind.RESULT:
            return CatalogText(self.title, VIETNAMESE)
        return self.title

    @property
    def display_issuer(self) -> str:
        if self.kind == WalletItemKind.RESULT:
            return CatalogText(self.issuer, VIETNAMESE)
        return self.issuer

    @property
    def type_label(self) -> str:
        if self.kind == WalletItemKind.RESULT and self.result_type_id:
            return self.result_type.display_name
        return self.get_document_type_display()


class WalletItemUse(models.Model):
    """A wallet item attached to a case of an agency (a dossier), by reference.

    While a use is open the citizen cannot delete the item and the agency's
    officers may open it; when the case closes the use is released and their
    access ends (citizens.selectors.wallet_item_uses_for_officer).
    """

    # Deleting an item is refused while a use is open (citizens.services);
    # released uses go with it.
    item = models.ForeignKey(WalletItem, on_delete=models.CASCADE, related_name="uses")
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, related_name="wallet_item_uses"
    )
    reference = models.CharField(_("reference"), max_length=120)
    created_at = models.DateTimeField(_("attached"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("wallet item use")
        verbose_name_plural = _("wallet item uses")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "agency", "reference"], name="wallet_use_unique_reference"
            ),
        ]

    def __str__(self):
        return f"{self.item} → {self.reference}"


class WalletAccess(models.Model):
    """Someone other than the owner opened a wallet item. Append-only."""

    item = models.ForeignKey(WalletItem, on_delete=models.CASCADE, related_name="accesses")
    accessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="wallet_accesses")
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    accessed_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("wallet access")
        verbose_name_plural = _("wallet accesses")
        ordering = ["-accessed_at", "-id"]

    def __str__(self):
        return f"{self.accessed_by} → {self.item} ({self.accessed_at:%d/%m/%Y %H:%M})"
