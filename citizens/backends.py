"""Log in with a username, an email address or a verified citizen ID number.

A citizen ID counts as an identifier only once verified: typed into a
profile it is a claim that anyone can make, and two accounts may claim one
number (ADR 8).
"""

from django.contrib.auth.backends import ModelBackend

from citizens.selectors import account_for_identifier


class LoginIdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = account_for_identifier(username)
        if user is None:
            # Run the hasher anyway so that unknown accounts take as long.
            from django.contrib.auth import get_user_model

            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
