"""Forms of the results store."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import MEGABYTE, ContentCheckedFileField

# The longest token the portal issues is about 1,000 characters as a link;
# anything much longer is not one of ours and is not worth decompressing.
TOKEN_MAX_LENGTH = 2500
VERIFY_PDF_MAX_MB = 20


class VerifyTokenForm(forms.Form):
    """The text of a result's QR code, pasted or sent by the scan page as `?t=`."""

    t = forms.CharField(
        label=_("Text of the QR code"),
        max_length=TOKEN_MAX_LENGTH,
        help_text=_(
            "A link ending in /V/ and digits, or a text starting with VN1:. "
            "A QR reader app shows it when you scan the code on the result."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "VN1:…",
            }
        ),
    )


class VerifyPdfForm(forms.Form):
    pdf = ContentCheckedFileField(
        label=_("Result PDF"), allowed=("pdf",), max_bytes=VERIFY_PDF_MAX_MB * MEGABYTE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Interpolated per request, in the visitor's language.
        self.fields["pdf"].help_text = _(
            "The PDF file of the result, as you received it, up to %(size)s MB."
        ) % {"size": VERIFY_PDF_MAX_MB}
