"""Account, profile and wallet pages. Every object comes from a queryset scoped to the user."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens import selectors, services
from citizens.forms import LoginForm, ProfileForm, RegistrationForm, WalletDocumentForm
from portal.files import file_response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "citizens/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return selectors.landing_url(self.request.user)


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("citizens:landing")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_register(
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="citizens.backends.LoginIdentifierBackend")
        messages.success(
            request,
            _("Your account is ready. Complete your profile so forms can be filled in for you."),
        )
        return redirect("citizens:profile")
    return render(request, "citizens/register.html", {"form": form})


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
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("citizens:profile")
    return render(request, "citizens/profile.html", {"form": form})


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
    form = WalletDocumentForm(request.POST or None, request.FILES or None)
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
    """An officer opens a document attached to a case of their agency; it is logged."""
    use = get_object_or_404(selectors.wallet_item_uses_for_officer(request.user), pk=use_pk)
    services.wallet_access_record(item=use.item, actor=request.user, use=use)
    return file_response(use.item.file, use.item.file_kind)


password_change = auth_views.PasswordChangeView.as_view(
    template_name="citizens/password_change.html",
    success_url=reverse_lazy("citizens:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="citizens/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
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
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="citizens/password_reset_confirm.html",
    success_url=reverse_lazy("citizens:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="citizens/password_reset_complete.html"
)
