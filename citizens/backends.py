"""Log in with a username, an email address or a citizen ID number."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class LoginIdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        identifier = username.strip()
        User = get_user_model()
        matches = list(
            User.objects.filter(
                Q(username__iexact=identifier)
                | Q(email__iexact=identifier)
                | Q(national_id=identifier)
            )[:2]
        )
        if len(matches) != 1:
            # Run the hasher anyway so that unknown accounts take as long.
            User().set_password(password)
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
