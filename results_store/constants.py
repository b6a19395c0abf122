"""Enumerations and the token format of the results store."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class ResultAction(models.TextChoices):
    ISSUE = "issue", _("Issued")
    DIGITIZE = "digitize", _("Digitized from paper")
    SIGN = "sign", _("Signed")
    REVOKE = "revoke", _("Revoked")
    SUPERSEDE = "supersede", _("Superseded")
    CLAIM = "claim", _("Delivered to the holder's wallet")


# QR tokens: "VN1:" + base45(zlib(COSE_Sign1)), as the EU Digital COVID
# Certificate does with "HC1:". See docs/adr/0006-result-token-format.md.
TOKEN_PREFIX = "VN1:"
COSE_ALG_EDDSA = -8
COSE_HEADER_ALG = 1
COSE_HEADER_KID = 4
COSE_SIGN1_TAG = 18
# CWT claims (RFC 8392) and the portal's private claim holding the result.
CLAIM_ISSUER = 1
CLAIM_EXPIRES = 4
CLAIM_ISSUED_AT = 6
CLAIM_RESULT = -70001
