from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from portal import bench_views, health, metrics, views

admin.site.site_header = _("Citizen public services portal – administration")
admin.site.site_title = _("Portal administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("procedures/", include("procedures.urls")),
    path("", include("citizens.urls")),
    path("", include("dossiers.urls")),
    path("", include("results_store.urls")),
    path("", include("notifications.urls")),
    # One sign-in page for everyone, with its lockout and the staff second factor.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="citizens:login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
]

if settings.BENCH_REFERENCE:
    # Served only to `make bench` (see portal/bench_views.py), never deployed.
    urlpatterns += [path("bench/reference", bench_views.reference, name="bench_reference")]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
