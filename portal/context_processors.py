from django.conf import settings


def site(request):
    """Values every page's layout needs."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_CITY": settings.PORTAL_CITY,
    }
