"""Staff sessions: a second factor before any page, and sessions that end.

Officers, supervisors and administrators see citizens' data, so a password
alone opens nothing: until the session has passed a second factor (an
authenticator code or a recovery code, django-otp), every page but the
second-factor pages themselves and sign-out redirects there. This is one
gate for every way of signing in (password, the admin's login, the national
identity provider) and every page (the portal's staff pages and the admin).

A staff session also ends after STAFF_SESSION_IDLE_MINUTES without a request
and STAFF_SESSION_MAX_HOURS after sign-in, whatever the cookie says.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from citizens.selectors import has_second_factor, needs_second_factor
from citizens.signals import SIGNED_IN_AT

# Pages a staff member reaches before the second factor.
OPEN_BEFORE_SECOND_FACTOR = {
    "citizens:second_factor",
    "citizens:second_factor_setup",
    "citizens:logout",
    "set_language",
    "healthz",
}
SEEN_AT = "portal_staff_seen_at"
# The last-seen time is written at most this often, not on every request.
SEEN_RESOLUTION_SECONDS = 60


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and needs_second_factor(user):
            response = self._session_ended(request) or self._second_factor_missing(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _session_ended(self, request):
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        if now - seen_at > settings.STAFF_SESSION_IDLE_MINUTES * 60:
            message = _(
                "You were signed out after %(minutes)s minutes without activity. "
                "Sign in again to continue."
            ) % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES}
        elif now - signed_in_at > settings.STAFF_SESSION_MAX_HOURS * 3600:
            message = _(
                "Staff sessions last %(hours)s hours at most. Sign in again to continue."
            ) % {"hours": settings.STAFF_SESSION_MAX_HOURS}
        else:
            if now - seen_at >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session:
                session[SEEN_AT] = now
                session.setdefault(SIGNED_IN_AT, now)
                # The cookie goes too when the browser is left alone.
                session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
            return None
        logout(request)
        messages.info(request, message)
        return redirect(_with_next(reverse("citizens:login"), request))

    def _second_factor_missing(self, request):
        if request.user.is_verified():
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if has_second_factor(request.user):
            target = reverse("citizens:second_factor")
        else:
            target = reverse("citizens:second_factor_setup")
        return redirect(_with_next(target, request))


def _with_next(url: str, request) -> str:
    if request.method != "GET":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
