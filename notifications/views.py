"""The in-app notification centre. Every row comes from a queryset scoped to the user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.constants import CENTRE_PAGE_SIZE


@login_required
@require_GET
def centre(request):
    page = Paginator(selectors.notifications_for_centre(request.user), CENTRE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def read(request, pk: int):
    """Mark one notification read, then go where it points."""
    notification = get_object_or_404(selectors.notifications_for_centre(request.user), pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(link)
    return redirect("notifications:centre")


@login_required
@require_POST
def read_all(request):
    if services.notifications_mark_all_read(user=request.user):
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:centre")
