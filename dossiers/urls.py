from django.urls import path

from dossiers import officer_views, statistics_views, views

app_name = "dossiers"

urlpatterns = [
    # The applicant.
    path("dossiers/", views.my_dossiers, name="mine"),
    path("dossiers/start/<str:procedure_code>/", views.start, name="start"),
    path("dossiers/<int:pk>/edit/", views.edit, name="edit"),
    path("dossiers/<int:pk>/review/", views.review, name="review"),
    path("dossiers/<int:pk>/delete/", views.delete, name="delete"),
    path("dossiers/<int:pk>/", views.detail, name="detail"),
    path("dossiers/<int:pk>/submitted/", views.submitted, name="submitted"),
    path("dossiers/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("dossiers/<int:pk>/receipt/", views.receipt, name="receipt"),
    path(
        "dossiers/<int:pk>/documents/<int:document_pk>/",
        views.document_file,
        name="document_file",
    ),
    path("dossiers/<int:pk>/rate/", views.rate, name="rate"),
    path("dossiers/<int:pk>/apology/", views.apology, name="apology"),
    # Anyone: state of a dossier by its code, without personal data.
    path("lookup/", views.lookup, name="lookup"),
    # Anyone: how agencies perform (Decision 766/QĐ-TTg indicators), and open data.
    path("statistics/", statistics_views.public_city, name="statistics"),
    path(
        "statistics/agencies/<str:agency_code>/",
        statistics_views.public_agency,
        name="statistics_agency",
    ),
    path(
        "statistics/procedures/<str:procedure_code>/",
        statistics_views.public_procedure,
        name="statistics_procedure",
    ),
    path("api/open-data/", statistics_views.open_data_index, name="open_data_index"),
    path(
        "api/open-data/<str:dataset>.<str:fmt>",
        statistics_views.open_data,
        name="open_data",
    ),
    # Supervisors.
    path("officer/supervision/", statistics_views.supervision, name="supervision"),
    # Officers of the receiving agency.
    path("officer/queue/", officer_views.queue, name="queue"),
    path("officer/dossiers/<int:pk>/", officer_views.detail, name="officer_detail"),
    path(
        "officer/dossiers/<int:pk>/documents/<int:document_pk>/",
        officer_views.document_file,
        name="officer_document_file",
    ),
    path("officer/dossiers/<int:pk>/receipt/", officer_views.receipt, name="officer_receipt"),
    path("officer/dossiers/<int:pk>/apology/", officer_views.apology, name="officer_apology"),
    path(
        "officer/dossiers/<int:pk>/result-preview/",
        officer_views.result_preview,
        name="officer_result_preview",
    ),
    # Last: its <action> would otherwise swallow "receipt".
    path(
        "officer/dossiers/<int:pk>/<str:action>/",
        officer_views.act,
        name="officer_act",
    ),
]
