from django.urls import path

from citizens import identity_views, second_factor_views, views

app_name = "citizens"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
    path(
        "accounts/register/confirm/<uidb64>/<token>/",
        views.register_confirm,
        name="register_confirm",
    ),
    path("accounts/national-id/", identity_views.national_id_start, name="national_id_start"),
    path(
        "accounts/national-id/callback/",
        identity_views.national_id_callback,
        name="national_id_callback",
    ),
    path(
        "accounts/national-id/first-sign-in/",
        identity_views.national_id_choose,
        name="national_id_choose",
    ),
    path("accounts/second-factor/", second_factor_views.second_factor, name="second_factor"),
    path(
        "accounts/second-factor/setup/",
        second_factor_views.second_factor_setup,
        name="second_factor_setup",
    ),
    path(
        "accounts/second-factor/recovery-codes/",
        second_factor_views.recovery_codes,
        name="recovery_codes",
    ),
    path("accounts/landing/", views.landing, name="landing"),
    path("accounts/password/change/", views.password_change, name="password_change"),
    path(
        "accounts/password/change/done/",
        views.password_change_done,
        name="password_change_done",
    ),
    path("accounts/password/reset/", views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("me/", views.dashboard, name="dashboard"),
    path("me/profile/", views.profile, name="profile"),
    path("me/wallet/", views.wallet, name="wallet"),
    path("me/wallet/add/", views.wallet_add, name="wallet_add"),
    path("me/wallet/access-log/", views.wallet_access_log, name="wallet_access_log"),
    path("me/wallet/<int:pk>/", views.wallet_item, name="wallet_item"),
    path("me/wallet/<int:pk>/file/", views.wallet_item_file, name="wallet_item_file"),
    path("me/wallet/<int:pk>/delete/", views.wallet_item_delete, name="wallet_item_delete"),
    path(
        "officer/identity/",
        identity_views.desk_verification_find,
        name="desk_verification_find",
    ),
    path("officer/identity/check/", identity_views.desk_verification, name="desk_verification"),
    path(
        "officer/wallet/<int:use_pk>/file/",
        views.officer_wallet_item_file,
        name="officer_wallet_item_file",
    ),
]
