"""Enumerations of the results store (the token format is in result_verifier.tokens)."""

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
    # A staff member opened the signed PDF or the paper scan (ADR 10).
    FILE_VIEWED = "file_viewed", _("File opened")
