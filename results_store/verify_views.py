"""Verification pages, open to anyone, and the files offline verifiers fetch.

A verifier is usually a clerk or a landlord with a phone: the verdict comes
first, in one word, then the facts to compare with the paper in their hand.
The pages may show a holder's name, so they are kept out of shared caches and
search engines. The JWK Set and the status list are public and cacheable.
"""

import hashlib
import json

from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from citizens.security import client_address
from core.rate_limits import over_limit
from results_store import keys, verification
from results_store.constants import ResultStatus
from results_store.forms import VerifyPdfForm, VerifyTokenForm
from results_store.models import Result
from results_store.status_list import status_list_current

# Checking a PDF parses an untrusted file and its signature: a budget per
# address and hour keeps one client from tying up the workers.
VERIFY_PDF_LIMIT_PER_HOUR = 30
# Verifiers may keep the published files this long; a new key or a revocation
# reaches them within minutes, and ETags make refetching cheap.
PUBLIC_FILE_MAX_AGE = 300


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _verdict_page(request, verdict, *, form=None, checked="token", status=200):
    context = {"verdict": verdict, "form": form or VerifyTokenForm(), "checked": checked}
    return _private(render(request, "results_store/verify.html", context, status=status))


@never_cache
@require_GET
def verify(request):
    """The verdict for `?t=<token>`, or the form to paste a token."""
    if "t" not in request.GET:
        return _verdict_page(request, None)
    form = VerifyTokenForm(request.GET)
    if not form.is_valid():
        return _verdict_page(request, None, form=form, status=400)
    return _verdict_page(request, verification.verify_token(form.cleaned_data["t"]), form=form)


@never_cache
@require_GET
def verify_link(request, digits):
    """The link a result's QR code holds: a phone camera opens it; the token is in its path."""
    return _verdict_page(request, verification.verify_token(f"/V/{digits}"), checked="link")


@never_cache
@require_GET
def verify_result(request, public_id):
    """The link printed under a result's QR code: the stored token, checked now."""
    result = get_object_or_404(
        Result.objects.exclude(status=ResultStatus.PREPARING), public_id=public_id
    )
    return _verdict_page(request, verification.verify_result(result), checked="link")


@require_GET
def scan(request):
    return render(request, "results_store/scan.html", {"form": VerifyTokenForm()})


def _pdf_check_allowed(request) -> bool:
    return not over_limit(
        request,
        group="results-verify-pdf",
        key=client_address(request) or "unknown",
        rate=f"{VERIFY_PDF_LIMIT_PER_HOUR}/h",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify_pdf(request):
    if request.method == "GET":
        return _private(render(request, "results_store/verify_pdf.html", {"form": VerifyPdfForm()}))
    if not _pdf_check_allowed(request):
        context = {"form": VerifyPdfForm(), "limited": True}
        return _private(render(request, "results_store/verify_pdf.html", context, status=429))
    form = VerifyPdfForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"form": form}
        return _private(render(request, "results_store/verify_pdf.html", context, status=400))
    upload = form.cleaned_data["pdf"]
    upload.seek(0)
    verdict = verification.verify_pdf(upload.read())
    return _verdict_page(request, verdict, checked="pdf")


def _public_file(request, body: bytes, content_type: str) -> HttpResponse:
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response.headers["ETag"] = etag
    # Verifiers in browsers (other portals, verifier apps) may fetch these.
    response.headers["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=PUBLIC_FILE_MAX_AGE)
    return response


@require_GET
def jwks(request):
    body = json.dumps(keys.jwks(), separators=(",", ":")).encode()
    return _public_file(request, body, "application/json")


@require_GET
def trust_list(request):
    body = json.dumps(keys.trust_list(), ensure_ascii=False, separators=(",", ":")).encode()
    return _public_file(request, body, "application/json")


@require_GET
def root_certificates(request):
    """The roots as PEM, to install in a PDF reader or pass to the offline verifier."""
    return _public_file(request, keys.roots_pem().encode("ascii"), "application/x-pem-file")


@require_GET
def status_list(request):
    return _public_file(request, status_list_current().encode("ascii"), "application/jwt")
