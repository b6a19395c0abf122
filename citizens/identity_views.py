"""Verifying who a citizen is: with the national identity provider, or at a one-stop desk."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from citizens import desk_code, oidc, selectors, services
from citizens.constants import MembershipRole
from citizens.forms import AccountLinkForm, InPersonVerificationForm, VerificationCodeForm
from citizens.models import User
from citizens.security import client_address

BACKEND = "citizens.backends.LoginIdentifierBackend"
# What the session keeps between the provider's answer and the person's choice.
PENDING_PERSON = "national_id_pending_person"
PENDING_ID_TOKEN = "national_id_pending_id_token"
PENDING_SINCE = "national_id_pending_since"
# The choice after a first sign-in is made soon or not at all.
PENDING_SECONDS = 15 * 60
NEXT_URL = "national_id_next"
# The ID token, kept for signing out at the provider too.
ID_TOKEN = "national_id_id_token"

_SIGN_IN_MESSAGES = {
    oidc.SignInError.UNAVAILABLE: gettext_lazy(
        "The national identity service (VNeID) is not answering properly right now. "
        "Try again in a few minutes, or log in with your password."
    ),
    oidc.SignInError.REJECTED: gettext_lazy(
        "The answer from the national identity service could not be verified, so you "
        "were not signed in. Try again, or log in with your password."
    ),
    oidc.SignInError.CANCELLED: gettext_lazy(
        "Signing in with VNeID was cancelled. Nothing was changed."
    ),
    oidc.SignInError.EXPIRED: gettext_lazy(
        "This sign-in with VNeID has expired or was started in another window. Try again."
    ),
    oidc.SignInError.INCOMPLETE: gettext_lazy(
        "The national identity service did not share your citizen ID number and name, "
        "which the portal needs. Try again and accept sharing them."
    ),
}


def _fail(request, error: oidc.SignInError):
    messages.error(request, str(_SIGN_IN_MESSAGES[error.kind]))
    target = "citizens:profile" if request.user.is_authenticated else "citizens:login"
    return redirect(target)


@require_GET
def national_id_start(request):
    """Send the browser to the provider; signed in already, this verifies the account."""
    # Kept in the session across the round trip: the provider sends back only a code.
    request.session[NEXT_URL] = selectors.safe_next_url(request, request.GET.get("next"))
    callback = request.build_absolute_uri(reverse("citizens:national_id_callback"))
    try:
        return oidc.authorization_redirect(request, redirect_uri=callback)
    except oidc.SignInError as error:
        oidc.logger.warning("National identity sign-in could not start: %s", error)
        return _fail(request, error)


@require_GET
def national_id_callback(request):
    try:
        person, id_token = oidc.complete(request)
    except oidc.SignInError as error:
        oidc.logger.warning("National identity sign-in failed: %s", error)
        return _fail(request, error)
    address = client_address(request)
    try:
        user = services.national_identity_sign_in(
            person=person, current_user=request.user, address=address
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("citizens:profile" if request.user.is_authenticated else "citizens:login")
    if user is None:
        request.session[PENDING_PERSON] = person.as_session()
        request.session[PENDING_ID_TOKEN] = id_token
        request.session[PENDING_SINCE] = int(time.time())
        return redirect("citizens:national_id_choose")
    return _signed_in(request, user, id_token)


def _signed_in(request, user: User, id_token: str):
    next_url = request.session.pop(NEXT_URL, "")
    if request.user.is_authenticated and request.user.pk == user.pk:
        messages.success(request, _("Your identity is verified with VNeID."))
    else:
        login(request, user, backend=BACKEND)
    request.session[ID_TOKEN] = id_token
    return HttpResponseRedirect(next_url or selectors.landing_url(user))


@require_http_methods(["GET", "POST"])
def national_id_choose(request):
    """First sign-in with VNeID: link an account held already, or open one."""
    data = request.session.get(PENDING_PERSON)
    if not data or time.time() - request.session.get(PENDING_SINCE, 0) > PENDING_SECONDS:
        for key in (PENDING_PERSON, PENDING_ID_TOKEN, PENDING_SINCE):
            request.session.pop(key, None)
        if data:
            messages.error(request, str(_SIGN_IN_MESSAGES[oidc.SignInError.EXPIRED]))
        return redirect("citizens:login")
    person = oidc.VerifiedPerson.from_session(data)
    form = AccountLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        address = client_address(request)
        try:
            if "create" in request.POST:
                user = services.user_create_from_national_identity(person=person, address=address)
            elif form.is_valid():
                user = _linked_account(request, form, person, address)
                if user is None:
                    return render(
                        request,
                        "citizens/national_id_choose.html",
                        {"form": form, "person": person},
                        status=400,
                    )
            else:
                return render(
                    request,
                    "citizens/national_id_choose.html",
                    {"form": form, "person": person},
                    status=400,
                )
        except ValidationError as error:
            form.add_error(None, error)
            return render(
                request, "citizens/national_id_choose.html", {"form": form, "person": person}
            )
        request.session.pop(PENDING_PERSON, None)
        request.session.pop(PENDING_SINCE, None)
        id_token = request.session.pop(PENDING_ID_TOKEN, "")
        return _signed_in(request, user, id_token)
    return render(request, "citizens/national_id_choose.html", {"form": form, "person": person})


def _linked_account(request, form, person, address) -> User | None:
    from django.contrib.auth import authenticate

    user = authenticate(
        request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
    )
    if user is None:
        form.add_error(
            None,
            _(
                "That email or username and password do not match an account. Check them, "
                "or open a new account instead."
            ),
        )
        return None
    services.national_identity_link(user=user, person=person, address=address)
    return user


# --------------------------------------------------------------------------
# At the one-stop desk
# --------------------------------------------------------------------------


def _officer_agencies(request):
    agencies = selectors.agencies_of(request.user, roles=[MembershipRole.OFFICER])
    if not agencies.exists():
        raise PermissionDenied
    return agencies


@login_required
@require_http_methods(["GET", "POST"])
def desk_verification_find(request):
    """The officer types the code the citizen shows on their profile page."""
    _officer_agencies(request)
    form = VerificationCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pk = desk_code.user_pk_for(
            form.cleaned_data["code"],
            password_hash_of=lambda pk: (
                User.objects.filter(pk=pk, is_active=True)
                .values_list("password", flat=True)
                .first()
            ),
        )
        if pk is not None:
            request.session["desk_verification_user"] = pk
            return redirect("citizens:desk_verification")
        form.add_error(
            "code",
            _(
                "This code is not valid or has expired. "
                "Ask the citizen to reload their profile page."
            ),
        )
    return render(request, "citizens/desk_verification_find.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def desk_verification(request):
    """The officer checks the document against the account and records the verification."""
    agencies = _officer_agencies(request)
    pk = request.session.get("desk_verification_user")
    citizen = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if citizen is None:
        return redirect("citizens:desk_verification_find")
    address = client_address(request)
    initial = {
        "national_id": citizen.national_id,
        "document_number": citizen.national_id,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth,
        "gender": citizen.gender,
    }
    form = InPersonVerificationForm(
        request.POST if request.method == "POST" else None, initial=initial, agencies=agencies
    )
    if request.method == "GET":
        services.identity_viewed_for_verification(
            user=citizen, officer=request.user, address=address
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.identity_verify_in_person(
                user=citizen,
                officer=request.user,
                agency=data["agency"],
                document_type=data["document_type"],
                document_number=data["document_number"],
                national_id=data["national_id"],
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                gender=data["gender"],
                address=address,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            del request.session["desk_verification_user"]
            messages.success(
                request,
                _("The identity of %(name)s is verified.") % {"name": data["full_name"]},
            )
            return redirect("citizens:desk_verification_find")
    return render(
        request,
        "citizens/desk_verification.html",
        {"form": form, "citizen": citizen, "provider_name": settings.OIDC_PROVIDER_NAME},
    )
