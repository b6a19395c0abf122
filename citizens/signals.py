"""What the accounts app tells other apps, and what it hears from Django's auth.

`identity_verified` is sent inside the verification's transaction, so what a
receiver writes (the results store delivering results issued to the citizen
ID) commits or rolls back with it.
"""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

# Sent with `user` once an account's citizen ID is verified (in person or by
# the national identity provider).
identity_verified = Signal()

# Session keys of a signed-in session's age, for the staff session limits.
SIGNED_IN_AT = "portal_signed_in_at"


@receiver(user_logged_in, dispatch_uid="citizens.signed_in_at")
def remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


@receiver(user_locked_out, dispatch_uid="citizens.locked_out")
def record_lockout(sender, request, username, ip_address, **kwargs):
    """A lockout of an existing account leaves one audit row per lockout period."""
    from citizens import services

    services.account_lockout_record(username_key=username, address=ip_address)
