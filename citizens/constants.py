from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipRole(models.TextChoices):
    OFFICER = "officer", _("One-stop officer")
    SUPERVISOR = "supervisor", _("Supervisor")
