"""Forms of accounts, profiles and the wallet. Rules live in models and services."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from citizens import lockout, security
from citizens.constants import VERIFIED_IDENTITY_LEVELS, Gender, IdentityDocumentType
from citizens.models import IDENTITY_FIELDS, PROFILE_FIELDS, User, WalletItem
from citizens.national_id import validate_national_id_format, validate_national_id_matches
from citizens.services import NOTIFICATION_PREFERENCE_FIELDS
from core.uploads import ContentCheckedFileField
from core.widgets import DateInput
from procedures.constants import PersonalDocumentType

# Plain text (templates never mark help text safe), in the language of each request.
_password_rules = lazy(lambda: " ".join(password_validation.password_validators_help_texts()), str)


def _check_national_id_matches(form, cleaned: dict) -> None:
    """The birth year and gender the citizen ID encodes agree with those given."""
    number = cleaned.get("national_id")
    if not number or form.has_error("national_id"):
        return
    try:
        validate_national_id_matches(
            number, date_of_birth=cleaned.get("date_of_birth"), gender=cleaned.get("gender")
        )
    except ValidationError as error:
        form.add_error("national_id", error)


class LoginForm(AuthenticationForm):
    """Django's login form; django-axes refuses attempts while the account is locked.

    The message says what is locked (the account from this connection, or the
    account from everywhere) and until when (citizens/lockout.py).
    """

    username = forms.CharField(
        label=_("Email, citizen ID number or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The login details are not correct. Check them and try again; "
            "passwords are case-sensitive."
        ),
        "locked_here": _(
            "Too many wrong passwords for this account from your connection. Signing in "
            "to it from here is paused for %(minutes)s minutes, until %(until)s. "
            "Meanwhile you can reset your password or sign in with VNeID."
        ),
        "locked_account": _(
            "Too many wrong passwords for this account. Signing in to it with a password "
            "is paused for %(minutes)s minutes, until %(until)s, from every connection. "
            "Meanwhile you can reset your password or sign in with VNeID."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                self._raise_locked()
            raise

    def _raise_locked(self):
        identifier = self.cleaned_data.get("username") or ""
        key = lockout.account_key(self.request, {"username": identifier})
        found = lockout.lockout_for(key, security.client_address(self.request))
        if found is None:  # the lockout ended between the check and now
            found = lockout.Lockout(
                whole_account=False, until=timezone.now() + settings.AXES_COOLOFF_TIME
            )
        until = formats.time_format(timezone.localtime(found.until), "H:i")
        code = "locked_account" if found.whole_account else "locked_here"
        raise ValidationError(
            self.error_messages[code],
            code="locked",
            params={"minutes": found.minutes_left, "until": until},
        )


class RegistrationForm(forms.Form):
    """Name, email, phone and password. A plain form: whether the email is taken
    is the registration service's business, never this page's (see
    citizens.services.user_register)."""

    full_name = User._meta.get_field("full_name").formfield(
        required=True, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = User._meta.get_field("email").formfield(
        required=True, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = User._meta.get_field("phone").formfield(
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_password_rules(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            candidate = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                full_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


_ADDRESS_PREFIXES = ("permanent_", "current_")


class ProfileForm(forms.ModelForm):
    """The profile (PROFILE_FIELDS, which prefill forms) and how to be notified."""

    class Meta:
        model = User
        fields = (*PROFILE_FIELDS, *NOTIFICATION_PREFERENCE_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "national_id": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        labels = {
            "language": _("Language of messages"),
            "notify_by_email": _("By email"),
            "notify_by_sms": _("By SMS or chat app (Zalo), to my phone number"),
            "notify_in_app": _("In my notifications on this portal"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("full_name", "national_id", "date_of_birth", "gender", "phone"):
            self.fields[name].required = True
        self.fields["permanent_province"].required = True
        self.fields["national_id"].required = True
        # A form posted without it (an older page) keeps the language as it was.
        self.fields["language"].required = False
        if self.instance.identity_verified:
            # What a verification vouched for is not the holder's to change.
            for name in IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Verified; it cannot be changed here.")
        else:
            self.fields["national_id"].help_text = _(
                "The 12 digits of your citizen ID card (CCCD). Until your identity is "
                "verified, this number is only what you typed: results issued to it do "
                "not reach this account."
            )

    # The two addresses have fields of the same names (street, ward...): the
    # page shows each set under its own legend so they cannot be mistaken.
    def personal_fields(self):
        return [self[name] for name in PROFILE_FIELDS if not name.startswith(_ADDRESS_PREFIXES)]

    def permanent_address_fields(self):
        return [self[name] for name in PROFILE_FIELDS if name.startswith("permanent_")]

    def current_address_fields(self):
        return [self[name] for name in PROFILE_FIELDS if name.startswith("current_")]

    def notification_channel_fields(self):
        return [self[name] for name in NOTIFICATION_PREFERENCE_FIELDS if name != "language"]

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or settings.LANGUAGE_CODE

    def clean_national_id(self):
        if self.instance.identity_verified:
            return self.instance.national_id
        number = (self.cleaned_data.get("national_id") or "").strip()
        # Unverified claims of one number may coexist: none of them unlocks
        # anything. A number verified on another account is that holder's.
        verified = User.objects.filter(
            national_id=number, identity_level__in=VERIFIED_IDENTITY_LEVELS
        ).exclude(pk=self.instance.pk)
        if number and verified.exists():
            raise ValidationError(
                _(
                    "This citizen ID number is verified on another account. If it is yours, "
                    "sign in with VNeID, or ask at a one-stop desk with your ID card."
                ),
                code="national_id_verified_elsewhere",
            )
        return number or None

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("An account with this email already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        # A verified identity's fields are locked; there is nothing typed to check.
        if not self.instance.identity_verified:
            _check_national_id_matches(self, cleaned)
        return cleaned


class WalletDocumentForm(forms.ModelForm):
    file = ContentCheckedFileField(
        label=_("File (PDF, JPG or PNG)"),
        allowed=("pdf", "jpg", "png"),
        max_bytes=settings.WALLET_MAX_UPLOAD_MB * 1024 * 1024,
    )

    class Meta:
        model = WalletItem
        fields = ["document_type", "title", "number", "issuer", "issued_on"]
        widgets = {"issued_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].required = True
        self.fields["document_type"].choices = PersonalDocumentType.choices
        self.fields["file"].help_text = _("Up to %(size)s MB. Photos and scans are accepted.") % {
            "size": settings.WALLET_MAX_UPLOAD_MB
        }


class SecondFactorForm(forms.Form):
    """The code of an authenticator app, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Sign-in code"),
        max_length=20,
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Type the code.")},
    )


class TotpConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("The 6-digit code the app shows now"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Type the code.")},
    )


class AccountLinkForm(forms.Form):
    """Link an account held already: its identifier and password, once."""

    username = forms.CharField(
        label=_("Email or username of your account"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Its password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class VerificationCodeForm(forms.Form):
    """The code a citizen shows an officer at the desk, naming their account."""

    code = forms.CharField(
        label=_("The citizen's verification code"),
        max_length=12,
        help_text=_("The citizen finds it on the “My profile” page of their account."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}
        ),
    )


class InPersonVerificationForm(forms.Form):
    """What the officer reads on the identity document, checked against the person."""

    agency = forms.ModelChoiceField(label=_("One-stop desk of"), queryset=None, empty_label=None)
    document_type = forms.ChoiceField(
        label=_("Document checked"), choices=IdentityDocumentType.choices
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=30,
        help_text=_("For a citizen identity card, the same 12 digits as the citizen ID."),
    )
    national_id = forms.CharField(
        label=_("Citizen ID number on the document"),
        max_length=12,
        validators=[validate_national_id_format],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
    )
    full_name = forms.CharField(label=_("Full name on the document"), max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth on the document"), widget=DateInput())
    gender = forms.ChoiceField(label=_("Gender on the document"), choices=Gender.choices)
    confirm = forms.BooleanField(
        label=_(
            "I have checked the original document and that it belongs to the person in front of me."
        ),
        error_messages={"required": _("Confirm that you checked the original document.")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].label_from_instance = lambda agency: agency.display_name
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first().pk

    def clean(self):
        cleaned = super().clean()
        _check_national_id_matches(self, cleaned)
        return cleaned
