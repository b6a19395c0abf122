"""Language selection for a Vietnamese-first portal.

Django's LocaleMiddleware honours the browser's Accept-Language header, which
would show English to a Vietnamese citizen whose phone is set to English and
make links (such as a QR verification link) render differently per device. The
portal instead shows Vietnamese until the visitor picks a language with the
switch, which sets a cookie.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
