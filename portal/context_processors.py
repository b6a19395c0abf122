import functools

from django.conf import settings

from citizens.selectors import is_officer, is_supervisor, needs_second_factor
from notifications.selectors import unread_count


def site(request):
    """Values every page's layout needs."""
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_CITY": settings.PORTAL_CITY,
        # Called by the template only when needed: anonymous pages make no query.
        "is_officer": lambda: bool(user and is_officer(user)),
        "is_supervisor": lambda: bool(user and is_supervisor(user)),
        # A staff member between password and second factor sees no menu to
        # pages that would only send them back (citizens/middleware.py).
        "second_factor_pending": lambda: bool(
            user and needs_second_factor(user) and not getattr(user, "is_verified", bool)()
        ),
        # Counted once, when the header asks for it; anonymous visitors cost nothing.
        "unread_notifications": functools.cache(lambda: unread_count(user) if user else 0),
    }
