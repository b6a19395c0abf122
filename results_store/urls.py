from django.urls import path, re_path

from results_store import officer_views, verify_views

app_name = "results_store"

urlpatterns = [
    # Anyone: verification, online and for offline verifiers.
    path("verify/", verify_views.verify, name="verify"),
    path("verify/scan/", verify_views.scan, name="scan"),
    path("verify/pdf/", verify_views.verify_pdf, name="verify_pdf"),
    path("verify/r/<uuid:public_id>/", verify_views.verify_result, name="verify_result"),
    # What a result's QR code holds (result_verifier.tokens.link_form).
    re_path(r"^V/(?P<digits>[0-9]{1,8100})$", verify_views.verify_link, name="verify_link"),
    path(".well-known/jwks.json", verify_views.jwks, name="jwks"),
    path(".well-known/result-trust-list.json", verify_views.trust_list, name="trust_list"),
    path(".well-known/result-root-ca.pem", verify_views.root_certificates, name="root_ca"),
    path(".well-known/result-status.jws", verify_views.status_list, name="status_list"),
    # The holder.
    path("me/results/<uuid:public_id>/pdf/", officer_views.holder_pdf, name="holder_pdf"),
    # Officers of the issuing agency.
    path("officer/results/", officer_views.result_list, name="officer_list"),
    path("officer/results/digitize/", officer_views.digitize, name="digitize"),
    path("officer/results/<uuid:public_id>/", officer_views.result_detail, name="officer_detail"),
    path("officer/results/<uuid:public_id>/revoke/", officer_views.revoke, name="officer_revoke"),
    path(
        "officer/results/<uuid:public_id>/supersede/",
        officer_views.supersede,
        name="officer_supersede",
    ),
]
