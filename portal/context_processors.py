from django.conf import settings

from citizens.selectors import is_officer


def site(request):
    """Values every page's layout needs."""
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_CITY": settings.PORTAL_CITY,
        # Called by the template only when needed: anonymous pages make no query.
        "is_officer": lambda: bool(user and is_officer(user)),
    }
