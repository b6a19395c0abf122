"""Forms of accounts, profiles and the wallet. Rules live in models and services."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens import security
from citizens.models import PROFILE_FIELDS, User, WalletItem
from citizens.national_id import validate_national_id_matches
from citizens.services import NOTIFICATION_PREFERENCE_FIELDS
from portal.uploads import ContentCheckedFileField
from portal.widgets import DateInput
from procedures.constants import PersonalDocumentType


class LoginForm(AuthenticationForm):
    """Django's login form, refusing attempts once an account or address is throttled."""

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
        "locked": _(
            "Too many failed attempts. For your security, logging in to this account "
            "is paused for 15 minutes."
        ),
    }

    def clean(self):
        identifier = self.cleaned_data.get("username") or ""
        address = security.client_address(self.request)
        if identifier and security.login_blocked(identifier, address):
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if identifier:
                security.login_failed(identifier, address)
            raise
        security.login_succeeded(identifier)
        return cleaned


class RegistrationForm(forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["full_name", "email", "phone"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["email"].required = True
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email already exists. Log in, or reset the password."),
                code="email_taken",
            )
        return email

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

    def profile_fields(self):
        return [self[name] for name in PROFILE_FIELDS]

    def notification_channel_fields(self):
        return [self[name] for name in NOTIFICATION_PREFERENCE_FIELDS if name != "language"]

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or settings.LANGUAGE_CODE

    def clean_national_id(self):
        number = (self.cleaned_data.get("national_id") or "").strip()
        taken = User.objects.filter(national_id=number).exclude(pk=self.instance.pk)
        if number and taken.exists():
            raise ValidationError(
                _("This citizen ID number is already registered to another account."),
                code="national_id_taken",
            )
        return number or None

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("An account with this email already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("national_id")
        if number and not self.has_error("national_id"):
            try:
                validate_national_id_matches(
                    number,
                    date_of_birth=cleaned.get("date_of_birth"),
                    gender=cleaned.get("gender"),
                )
            except ValidationError as error:
                self.add_error("national_id", error)
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
