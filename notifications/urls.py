from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.centre, name="centre"),
    path("notifications/read-all/", views.read_all, name="read_all"),
    path("notifications/<int:pk>/read/", views.read, name="read"),
]
