"""The portal's User and the memberships that make a user an officer or supervisor."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizens.constants import MembershipRole


class User(AbstractUser):
    """One account per person: citizens, officers and administrators alike."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def __str__(self):
        return self.get_full_name()


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
