"""The portal's own middleware: the language, and a limit on request bodies.

Language selection for a Vietnamese-first portal.

Django's LocaleMiddleware honours the browser's Accept-Language header, which
would show English to a Vietnamese citizen whose phone is set to English and
make links (such as a QR verification link) render differently per device. The
portal instead shows Vietnamese until the visitor picks a language with the
switch, which sets a cookie.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core.uploads import MEGABYTE, format_file_size


class PortalLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Pages depend on the chosen language; data files (JSON key sets, status
        # lists, CSV) do not, and must stay cacheable by shared caches.
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("Cookie",))
            response.headers.setdefault("Content-Language", language)
        return response


class BodySizeLimitMiddleware:
    """Refuse a body larger than the sender may send, from its Content-Length, unread.

    Django would otherwise spool a large multipart body to a temporary file
    before any form could say the file is too big, for anyone, signed in or
    not. A body without a Content-Length is read by Django as empty.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size:
            limit_mb = (
                settings.REQUEST_BODY_MAX_MB
                if request.user.is_authenticated
                else settings.ANONYMOUS_REQUEST_BODY_MAX_MB
            )
            if size > limit_mb * MEGABYTE:
                context = {
                    "size": format_file_size(size, round_up=True),
                    "limit": format_file_size(limit_mb * MEGABYTE),
                }
                response = render(request, "413.html", context, status=413)
                # The unread body stays on the connection: it cannot be reused.
                response["Connection"] = "close"
                return response
        return self.get_response(request)
