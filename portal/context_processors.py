import functools

from django.conf import settings

from citizens.selectors import is_officer, is_supervisor
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
        # Counted once, when the header asks for it; anonymous visitors cost nothing.
        "unread_notifications": functools.cache(lambda: unread_count(user) if user else 0),
    }
