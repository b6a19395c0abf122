"""The staff second factor: enrol an authenticator app, then pass it at each sign-in."""

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from citizens import selectors, services
from citizens.forms import SecondFactorForm, TotpConfirmForm
from citizens.security import client_address

# Codes shown once after enrolment or renewal, until the page is left.
FRESH_CODES = "second_factor_fresh_codes"


def _staff_only(request):
    if not selectors.needs_second_factor(request.user):
        raise PermissionDenied


def _next(request) -> str:
    return selectors.safe_next_url(request, request.POST.get("next") or request.GET.get("next"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Type the authenticator's code (or a recovery code) to open staff pages."""
    _staff_only(request)
    if not selectors.has_second_factor(request.user):
        return redirect("citizens:second_factor_setup")
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_check(
            user=request.user, token=form.cleaned_data["token"], address=client_address(request)
        )
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next(request) or selectors.landing_url(request.user))
        form.add_error(
            "token",
            _(
                "That code is not right. Codes change every 30 seconds; type the one shown now. "
                "After several wrong codes, wait a little before the next try."
            ),
        )
    return render(
        request,
        "citizens/second_factor.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """First sign-in of a staff member: add the portal to an authenticator app."""
    _staff_only(request)
    if selectors.has_second_factor(request.user):
        return redirect("citizens:second_factor")
    device = services.totp_enrolment_start(user=request.user)
    form = TotpConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(
                user=request.user,
                device=device,
                token=form.cleaned_data["token"],
                address=client_address(request),
            )
        except ValidationError as error:
            form.add_error("token", error.message_dict.get("token", error.messages))
        else:
            otp_login(request, device)
            request.session[FRESH_CODES] = codes
            messages.success(request, _("Your authenticator app is set up."))
            url = reverse("citizens:recovery_codes")
            next_url = _next(request)
            return HttpResponseRedirect(
                f"{url}?{urlencode({'next': next_url})}" if next_url else url
            )
    return render(
        request,
        "citizens/second_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "secret": _grouped(base64.b32encode(device.bin_key).decode()),
            "qr_src": _qr_data_uri(device.config_url),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """The recovery codes, shown once; renewing makes the old ones useless."""
    _staff_only(request)
    if request.method == "POST":
        request.session[FRESH_CODES] = services.recovery_codes_renew(
            user=request.user, actor=request.user, address=client_address(request)
        )
        return redirect("citizens:recovery_codes")
    codes = request.session.pop(FRESH_CODES, None)
    return render(
        request,
        "citizens/recovery_codes.html",
        {"codes": codes, "next": _next(request) or selectors.landing_url(request.user)},
    )


def _grouped(secret: str) -> str:
    secret = secret.rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_data_uri(text: str) -> str:
    """The otpauth:// address as an SVG QR code in a data: address, for an <img>."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
