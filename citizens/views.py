"""Account, profile and wallet pages. Every object comes from a queryset scoped to the user."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens import desk_code, oidc, selectors, services
from citizens.emails import send_account_mail
from citizens.forms import LoginForm, ProfileForm, RegistrationForm, WalletDocumentForm
from citizens.identity_views import ID_TOKEN
from citizens.models import User
from citizens.security import client_address
from core.files import file_response
from core.links import public_url
from core.rate_limits import over_limit

BACKEND = "citizens.backends.LoginIdentifierBackend"


def _by_address(request) -> str:
    return client_address(request) or "unknown"


def _by_email(request) -> str:
    return (request.POST.get("email") or "").strip().lower()


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "citizens/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return selectors.landing_url(self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "national_id_enabled": oidc.is_configured(),
            "provider_name": settings.OIDC_PROVIDER_NAME,
        }


class LogoutView(auth_views.LogoutView):
    """Sign out here, and at the national identity provider when signed in with it."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        if id_token:
            provider_url = oidc.logout_url(
                id_token=id_token,
                post_logout_redirect_uri=request.build_absolute_uri(reverse("home")),
            )
            if provider_url:
                return HttpResponseRedirect(provider_url)
        return response


@require_http_methods(["GET", "POST"])
def register(request):
    """Open an account with an email address, confirmed by a link sent to it.

    The page says the same whether or not the address already has an
    account: its holder is told by email instead, so the form cannot be used
    to find out who has an account.
    """
    # The page the visitor was on their way to (a procedure's "file online"
    # page, say) goes through the form and the confirmation link.
    next_url = _next(request)
    if request.user.is_authenticated:
        return redirect(next_url or selectors.landing_url(request.user))
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "next": next_url}
    if request.method == "POST" and form.is_valid():
        if over_limit(
            request,
            group="registration-address",
            key=_by_address(request),
            rate=settings.REGISTRATION_RATE_PER_ADDRESS,
        ):
            form.add_error(
                None, _("Too many registrations from your connection. Try again in an hour.")
            )
            return render(request, "citizens/register.html", context, status=429)
        email = form.cleaned_data["email"]
        user = services.user_register(
            full_name=form.cleaned_data["full_name"],
            email=email,
            phone=form.cleaned_data["phone"],
            password=form.cleaned_data["password1"],
            address=client_address(request),
        )
        # A mailbox gets a few of these an hour at most, whoever asks.
        if not over_limit(
            request,
            group="registration-email",
            key=_by_email(request),
            rate=settings.PASSWORD_RESET_RATE_PER_ACCOUNT,
        ):
            _send_registration_mail(email=email, user=user, next_url=next_url)
        return render(request, "citizens/register_sent.html", {"email": email, "next": next_url})
    return render(request, "citizens/register.html", context)


def _next(request) -> str:
    return selectors.safe_next_url(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _send_registration_mail(*, email: str, user: User | None, next_url: str) -> None:
    context = {"site_name": settings.PORTAL_NAME}
    if user is None:
        event = "registration_exists"
        context["login_url"] = public_url(_with_next(reverse("citizens:login"), next_url))
        context["reset_url"] = public_url(reverse("citizens:password_reset"))
    else:
        event = "registration_confirm"
        context["name"] = user.full_name
        confirm = reverse(
            "citizens:register_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context["confirm_url"] = public_url(_with_next(confirm, next_url))
    send_account_mail(f"citizens/emails/{event}", context, to=email)


@require_http_methods(["GET", "POST"])
def register_confirm(request, uidb64, token):
    """The link from the confirmation mail. GET shows a button: mail scanners only GET."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    valid = (
        user is not None
        and not user.is_active
        and user.last_login is None
        and default_token_generator.check_token(user, token)
    )
    if not valid:
        return render(request, "citizens/register_confirm.html", {"valid": False}, status=400)
    # Checked again here: the link may have been edited since it was mailed.
    next_url = _next(request)
    if request.method == "POST":
        services.user_activate(user=user)
        login(request, user, backend=BACKEND)
        if next_url:
            messages.success(request, _("Your account is ready."))
            return HttpResponseRedirect(next_url)
        messages.success(
            request,
            _("Your account is ready. Complete your profile so forms can be filled in for you."),
        )
        return redirect("citizens:profile")
    return render(
        request,
        "citizens/register_confirm.html",
        {"valid": True, "email": user.email, "next": next_url},
    )


@login_required
def landing(request):
    return redirect(selectors.landing_url(request.user))


@login_required
@require_GET
def dashboard(request):
    items = selectors.wallet_items_for_owner(request.user)
    return render(
        request,
        "citizens/dashboard.html",
        {
            "recent_items": items[:5],
            "item_count": items.count(),
            "recent_accesses": selectors.wallet_accesses_for_owner(request.user)[:5],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("citizens:profile")
    return render(
        request,
        "citizens/profile.html",
        {
            "form": form,
            "verification": selectors.latest_identity_verification(request.user),
            "desk_code": desk_code.desk_code(request.user),
            "desk_code_minutes": desk_code.DESK_CODE_MINUTES,
            "national_id_enabled": oidc.is_configured(),
            "provider_name": settings.OIDC_PROVIDER_NAME,
        },
    )


@login_required
@require_GET
def wallet(request):
    return render(
        request,
        "citizens/wallet_list.html",
        {"items": selectors.wallet_items_for_owner(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def wallet_add(request):
    form = WalletDocumentForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        item = services.wallet_document_add(
            owner=request.user, data=form.cleaned_data, uploaded_file=form.cleaned_data["file"]
        )
        messages.success(request, _("“%(title)s” is now in your wallet.") % {"title": item.title})
        return redirect("citizens:wallet")
    return render(request, "citizens/wallet_add.html", {"form": form})


@login_required
@require_GET
def wallet_item(request, pk):
    item = get_object_or_404(selectors.wallet_items_for_owner(request.user), pk=pk)
    return render(
        request,
        "citizens/wallet_item.html",
        {
            "item": item,
            "accesses": item.accesses.select_related("accessed_by", "agency")[:50],
            "in_use": item.uses.filter(released_at__isnull=True).exists(),
        },
    )


@login_required
@require_GET
def wallet_item_file(request, pk):
    item = get_object_or_404(selectors.wallet_items_for_owner(request.user), pk=pk)
    return file_response(item.file, item.file_kind)


@login_required
@require_POST
def wallet_item_delete(request, pk):
    item = get_object_or_404(selectors.wallet_items_for_owner(request.user), pk=pk)
    try:
        services.wallet_item_delete(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("citizens:wallet_item", pk=item.pk)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": item.title})
    return redirect("citizens:wallet")


@login_required
@require_GET
def wallet_access_log(request):
    return render(
        request,
        "citizens/wallet_access_log.html",
        {"accesses": selectors.wallet_accesses_for_owner(request.user)[:200]},
    )


@login_required
@require_GET
def officer_wallet_item_file(request, use_pk):
    """An officer opens a document attached to an open case of their agency; it is logged.

    Once the case is closed the citizen's document is no longer shared: the
    officer is told so rather than shown a bare "not found".
    """
    use = selectors.wallet_item_uses_for_officer(request.user).filter(pk=use_pk).first()
    if use is None:
        closed = selectors.wallet_item_uses_for_officer(request.user, closed=True)
        use = get_object_or_404(closed, pk=use_pk)
        return render(request, "citizens/officer_wallet_item_closed.html", {"use": use}, status=403)
    response = file_response(use.item.file, use.item.file_kind)
    services.wallet_access_record(item=use.item, actor=request.user, use=use)
    return response


password_change = auth_views.PasswordChangeView.as_view(
    template_name="citizens/password_change.html",
    success_url=reverse_lazy("citizens:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="citizens/password_change_done.html"
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, with a limit of mails per connection and per email typed.

    Its link names the portal's public address (core/links.py), not the
    Host header of the request that asked for it.
    """

    def form_valid(self, form):
        # Read here, not in as_view(): the address is a setting of the running site.
        self.extra_email_context = {
            **(self.extra_email_context or {}),
            "portal_url": settings.PORTAL_BASE_URL,
        }
        if over_limit(
            self.request,
            group="password-reset-address",
            key=_by_address(self.request),
            rate=settings.PASSWORD_RESET_RATE_PER_ADDRESS,
        ):
            form.add_error(
                None,
                _("Too many password reset requests from your connection. Try again in an hour."),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        if over_limit(
            self.request,
            group="password-reset-email",
            key=_by_email(self.request),
            rate=settings.PASSWORD_RESET_RATE_PER_ACCOUNT,
        ):
            # That mailbox has had its links; the page says what it always says.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password also ends a lockout of the account (citizens/lockout.py)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_lockout_clear(
            user=form.user, actor=form.user, address=client_address(self.request)
        )
        return response


password_reset = PasswordResetView.as_view(
    template_name="citizens/password_reset.html",
    email_template_name="citizens/emails/password_reset_body.txt",
    html_email_template_name="citizens/emails/password_reset_body.html",
    subject_template_name="citizens/emails/password_reset_subject.txt",
    success_url=reverse_lazy("citizens:password_reset_done"),
    extra_email_context={"site_name": settings.PORTAL_NAME},
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="citizens/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="citizens/password_reset_confirm.html",
    success_url=reverse_lazy("citizens:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="citizens/password_reset_complete.html"
)
