from django.urls import path

from dossiers import officer_views, views

app_name = "dossiers"

urlpatterns = [
    # The applicant.
    path("dossiers/", views.my_dossiers, name="mine"),
    path("dossiers/start/<str:procedure_code>/", views.start, name="start"),
    path("dossiers/<int:pk>/edit/", views.edit, name="edit"),
    path("dossiers/<int:pk>/", views.detail, name="detail"),
    path("dossiers/<int:pk>/submitted/", views.submitted, name="submitted"),
    path("dossiers/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("dossiers/<int:pk>/receipt/", views.receipt, name="receipt"),
    path(
        "dossiers/<int:pk>/documents/<int:document_pk>/",
        views.document_file,
        name="document_file",
    ),
    # Anyone: state of a dossier by its code, without personal data.
    path("lookup/", views.lookup, name="lookup"),
    # Officers of the receiving agency.
    path("officer/queue/", officer_views.queue, name="queue"),
    path("officer/dossiers/<int:pk>/", officer_views.detail, name="officer_detail"),
    path(
        "officer/dossiers/<int:pk>/documents/<int:document_pk>/",
        officer_views.document_file,
        name="officer_document_file",
    ),
    path("officer/dossiers/<int:pk>/receipt/", officer_views.receipt, name="officer_receipt"),
    # Last: its <action> would otherwise swallow "receipt".
    path(
        "officer/dossiers/<int:pk>/<str:action>/",
        officer_views.act,
        name="officer_act",
    ),
]
