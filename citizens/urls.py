from django.contrib.auth import views as auth_views
from django.urls import path

from citizens import views

app_name = "citizens"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
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
        "officer/wallet/<int:use_pk>/file/",
        views.officer_wallet_item_file,
        name="officer_wallet_item_file",
    ),
]
