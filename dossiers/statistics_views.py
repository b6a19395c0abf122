"""Supervision dashboards, public statistics and the open-data API.

Thin views over `dossiers.statistics`, which computes every figure. The
supervisor's page is live; the public pages and the open data are built from
cached figures and carry no personal data: counts, shares and averages only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_safe

from core.params import whole_number
from core.widgets import DateInput, QuickSelect
from dossiers import charts, statistics
from dossiers.statistics import PeriodKind
from procedures.models import Agency, Procedure

# --------------------------------------------------------------------------
# Charts shared by the pages
# --------------------------------------------------------------------------


def trend_charts(trend: statistics.Trend, prefix: str) -> dict:
    """The two trend charts of a page: volumes as bars, the on-time rate as a line."""
    labels = trend.labels
    per = _("per month") if trend.monthly else _("per week")
    return {
        "volumes": charts.bar_chart(
            chart_id=f"{prefix}-volumes",
            title=_("Dossiers received and completed, %(per)s") % {"per": per},
            labels=labels,
            series=[
                charts.Series(_("Received"), trend.received),
                charts.Series(_("Completed"), trend.completed),
            ],
        ),
        "on_time": charts.line_chart(
            chart_id=f"{prefix}-on-time",
            title=_("Dossiers completed on time, %(per)s") % {"per": per},
            labels=labels,
            series=[charts.Series(_("On-time rate"), trend.on_time_rate)],
        ),
    }


# --------------------------------------------------------------------------
# Supervision
# --------------------------------------------------------------------------


class SupervisionFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=statistics.SUPERVISION_PERIODS, required=False
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Agency"), coerce=int, required=False, widget=QuickSelect
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.display_name) for a in agencies]

    def clean(self):
        data = super().clean()
        if data.get("period") == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Enter both dates of the custom period."))
            try:
                data["custom"] = statistics.period_custom(start, end)
            except ValueError:
                raise forms.ValidationError(
                    _(
                        "The custom period must end on or after its first day "
                        "and last at most five years."
                    )
                ) from None
        return data

    def chosen_period(self, today: date) -> statistics.Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("custom"):
            return data["custom"]
        return statistics.supervision_period(data.get("period") or PeriodKind.THIS_MONTH, today)


@login_required
@require_GET
def supervision(request):
    """A supervisor's agency and the agencies below it: figures, deadlines and trends."""
    tree = statistics.AgencyTree()
    agencies = statistics.supervised_agencies(request.user, tree)
    if not agencies:
        raise Http404
    agency = agencies[0]
    raw_agency = request.GET.get("agency")
    if raw_agency:
        agency = next((a for a in agencies if str(a.pk) == raw_agency), None)
        if agency is None:
            raise Http404
    form = SupervisionFilterForm(
        request.GET or None,
        agencies=agencies,
        initial={"period": PeriodKind.THIS_MONTH, "agency": agency.pk},
    )
    period = form.chosen_period(statistics.local_today())
    dashboard = statistics.supervision_dashboard(agency=agency, period=period, tree=tree)
    return render(
        request,
        "dossiers/supervision.html",
        {
            "form": form,
            "agencies": agencies,
            "agency": agency,
            "ancestors": [a for a in tree.ancestors(agency.pk) if a in agencies],
            "dashboard": dashboard,
            "figures": dashboard.figures,
            "period": period,
            "charts": trend_charts(dashboard.trend, "supervision"),
            "is_city": agency.parent_id is None,
        },
    )


# --------------------------------------------------------------------------
# Public statistics
# --------------------------------------------------------------------------

YEARS_OFFERED = 5


def _public_period(request):
    """Last 12 months by default, or a calendar year (?year=) among the recent ones."""
    today = statistics.local_today()
    years = list(range(today.year, today.year - YEARS_OFFERED, -1))
    year = whole_number(request.GET.get("year", ""), max_digits=4)
    if year in years:
        return statistics.period_year(year, today), year, years
    return statistics.period_last_12_months(today), None, years


def _public_context(request, stats, prefix, **extra):
    return {
        "stats": stats,
        "figures": stats.figures,
        "period": stats.period,
        # Drawn only when the page's cached HTML has expired (see the templates).
        "charts": SimpleLazyObject(lambda: trend_charts(stats.trend, prefix)),
        "page_cache_seconds": statistics.PUBLIC_CACHE_SECONDS,
        **extra,
    }


@require_safe
def public_city(request):
    period, year, years = _public_period(request)
    stats = statistics.city_statistics(period)
    context = _public_context(request, stats, "city", year=year, years=years)
    return render(request, "dossiers/statistics_city.html", context)


@require_safe
def public_agency(request, agency_code):
    agency = get_object_or_404(Agency, code=agency_code, is_active=True)
    period, year, years = _public_period(request)
    stats = statistics.agency_statistics(agency, period)
    context = _public_context(
        request,
        stats,
        "agency",
        agency=agency,
        ancestors=[a for a in agency.ancestors()[::-1] if a.is_active],
        year=year,
        years=years,
    )
    return render(request, "dossiers/statistics_agency.html", context)


@require_safe
def public_procedure(request, procedure_code):
    procedure = get_object_or_404(
        Procedure.objects.active().select_related("field"), code=procedure_code
    )
    period, year, years = _public_period(request)
    stats = statistics.procedure_statistics(procedure, period)
    context = _public_context(
        request, stats, "procedure", procedure=procedure, year=year, years=years
    )
    return render(request, "dossiers/statistics_procedure.html", context)


# --------------------------------------------------------------------------
# Open data
# --------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
HTTP_MAX_AGE = 3600
FORMATS = ("json", "csv")
DATASETS = ("procedures", "agencies", "indicators")


class OpenDataError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _absolute(request, path: str, query: dict, **params) -> str:
    # From the validated query only: junk parameters are not carried into links.
    encoded = urlencode({**query, **params})
    return request.build_absolute_uri(path) + (f"?{encoded}" if encoded else "")


def _positive_int(request, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    number = whole_number(raw)
    if number is None or number < 1:
        raise OpenDataError(f"'{name}' must be a whole number from 1 to 999999999.")
    return number


def _procedure_record(procedure: Procedure, request) -> dict:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "field": procedure.field.code,
        "field_name": procedure.field.name,
        "field_name_en": procedure.field.name_en,
        "level": procedure.level,
        "kind": procedure.kind,
        "service_level": procedure.service_level,
        "processing_time": procedure.processing_time,
        "time_unit": procedure.time_unit,
        "same_day": procedure.same_day,
        "online_reduction_percent": procedure.online_reduction_percent,
        "fee_vnd": procedure.fee_vnd,
        "fee_online_vnd": procedure.effective_fee_online_vnd,
        "agencies": [agency.code for agency in procedure.agencies.all()],
        "url": request.build_absolute_uri(procedure.get_absolute_url()),
    }


def _agency_record(agency: Agency, request) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "name_en": agency.name_en,
        "short_name": agency.short_name,
        "level": agency.level,
        "kind": agency.kind,
        "parent_code": agency.parent.code if agency.parent_id else None,
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
        "statistics_url": request.build_absolute_uri(
            reverse("dossiers:statistics_agency", args=[agency.code])
        ),
    }


PROCEDURE_COLUMNS = [
    "code",
    "name",
    "name_en",
    "field",
    "field_name",
    "field_name_en",
    "level",
    "kind",
    "service_level",
    "processing_time",
    "time_unit",
    "same_day",
    "online_reduction_percent",
    "fee_vnd",
    "fee_online_vnd",
    "agencies",
    "url",
]
AGENCY_COLUMNS = [
    "code",
    "name",
    "name_en",
    "short_name",
    "level",
    "kind",
    "parent_code",
    "address",
    "phone",
    "email",
    "statistics_url",
]
INDICATOR_COLUMNS = [
    "agency_code",
    "agency_name",
    "agency_name_en",
    "parent_code",
    "level",
    "year",
    "period_start",
    "period_end",
    *statistics.INDICATOR_FIELDS,
]


def _query(request, dataset: str) -> dict:
    """The parameters a dataset reads, validated; the rest of the query string is ignored.

    The response is cached under these alone, so neither junk parameters nor
    spellings of the same number create cache entries.
    """
    query = {}
    page = _positive_int(request, "page", 1)
    if page != 1:
        query["page"] = page
    page_size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE)
    if page_size > MAX_PAGE_SIZE:
        raise OpenDataError(f"'page_size' must be at most {MAX_PAGE_SIZE}.")
    if page_size != DEFAULT_PAGE_SIZE:
        query["page_size"] = page_size
    if dataset == "indicators":
        this_year = statistics.local_today().year
        year = _positive_int(request, "year", this_year)
        if not 2000 <= year <= this_year:
            raise OpenDataError(f"'year' must be from 2000 to {this_year}.")
        query["year"] = year
        code = (request.GET.get("agency") or "").strip()
        if code:
            if len(code) > 60:
                raise OpenDataError("'agency' is an agency code of at most 60 characters.")
            query["agency"] = code
    return query


def _dataset(query: dict, dataset: str) -> tuple[list[str], object, dict, dict]:
    """(columns, rows to page, a function row -> record, extra JSON keys)."""
    if dataset == "procedures":
        return PROCEDURE_COLUMNS, statistics.procedure_catalog(), _procedure_record, {}
    if dataset == "agencies":
        return AGENCY_COLUMNS, statistics.agency_catalog(), _agency_record, {}
    year = query["year"]
    rows = statistics.agency_indicators(year)
    code = query.get("agency")
    if code:
        rows = [row for row in rows if row["agency_code"] == code]
        if not rows:
            raise OpenDataError(f"No active agency has the code '{code}'.", status=404)
    return INDICATOR_COLUMNS, rows, (lambda row, request: row), {"year": year}


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _render(request, dataset: str, fmt: str, query: dict) -> dict:
    """What the response carries, computed once per query and cached: body and headers."""
    columns, rows, record, extra = _dataset(query, dataset)
    page_size = query.get("page_size", DEFAULT_PAGE_SIZE)
    paginator = Paginator(rows, page_size, allow_empty_first_page=True)
    try:
        page = paginator.page(query.get("page", 1))
    except EmptyPage:
        raise OpenDataError("This page does not exist.", status=404) from None
    records = [record(row, request) for row in page.object_list]
    path = request.path
    next_url = (
        _absolute(request, path, query, page=page.next_page_number()) if page.has_next() else None
    )
    previous_url = (
        _absolute(request, path, query, page=page.previous_page_number())
        if page.has_previous()
        else None
    )
    headers = {"X-Total-Count": str(paginator.count)}
    links = [f'<{url}>; rel="{rel}"' for url, rel in ((next_url, "next"), (previous_url, "prev"))]
    links = [link for link, url in zip(links, (next_url, previous_url), strict=True) if url]
    if links:
        headers["Link"] = ", ".join(links)

    if fmt == "json":
        payload = {
            "dataset": dataset,
            **extra,
            "count": paginator.count,
            "page": page.number,
            "page_size": page_size,
            "num_pages": paginator.num_pages,
            "next": next_url,
            "previous": previous_url,
            "results": records,
        }
        body = json.dumps(payload, ensure_ascii=False, indent=1).encode()
        content_type = "application/json; charset=utf-8"
    else:
        out = io.StringIO()
        # The byte-order mark tells Excel the file is UTF-8, so Vietnamese shows right.
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for item in records:
            writer.writerow([_csv_value(item.get(column)) for column in columns])
        body = out.getvalue().encode("utf-8")
        content_type = "text/csv; charset=utf-8"
        name = "-".join(
            str(part) for part in (dataset, extra.get("year"), f"page-{page.number}") if part
        )
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return {"body": body, "content_type": content_type, "headers": headers}


def _open_data_headers(response: HttpResponse, etag: str | None = None) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={HTTP_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    if etag:
        response["ETag"] = etag
    return response


def _etag_matches(request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in wanted.split(","))


@require_safe
def open_data(request, dataset, fmt):
    if dataset not in DATASETS or fmt not in FORMATS:
        raise Http404
    try:
        query = _query(request, dataset)
        # Links in the body are absolute, so the host is part of what is cached
        # (ALLOWED_HOSTS bounds it).
        identity = [request.build_absolute_uri("/"), dataset, fmt, sorted(query.items())]
        key = "open-data:" + hashlib.sha256(json.dumps(identity).encode()).hexdigest()
        rendered = cache.get(key)
        if rendered is None:
            rendered = _render(request, dataset, fmt, query)
            cache.set(key, rendered, statistics.PUBLIC_CACHE_SECONDS)
    except OpenDataError as error:
        response = JsonResponse({"error": str(error)}, status=error.status)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    etag = '"' + hashlib.sha256(rendered["body"]).hexdigest()[:40] + '"'
    if _etag_matches(request, etag):
        return _open_data_headers(HttpResponseNotModified(), etag)
    response = HttpResponse(rendered["body"], content_type=rendered["content_type"])
    for name, value in rendered["headers"].items():
        response[name] = value
    return _open_data_headers(response, etag)


@require_safe
def open_data_index(request):
    """What can be downloaded, in which formats, with which parameters."""

    def links(dataset):
        return {
            fmt: request.build_absolute_uri(reverse("dossiers:open_data", args=[dataset, fmt]))
            for fmt in FORMATS
        }

    paging = {
        "page": "Page number, from 1.",
        "page_size": f"Rows per page, {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}.",
    }
    payload = {
        "title": "Open data of the public-services portal",
        "description": (
            "The procedure catalog, the agencies and the processing indicators of Decision "
            "766/QĐ-TTg, as JSON or CSV (UTF-8 with a byte-order mark). No personal data."
        ),
        "statistics_page": request.build_absolute_uri(reverse("dossiers:statistics")),
        "datasets": [
            {
                "name": "procedures",
                "title": "Procedure catalog",
                "description": "Active procedures: level, online service level, processing "
                "time, fees and the codes of the agencies that handle them.",
                "links": links("procedures"),
                "parameters": paging,
                "columns": PROCEDURE_COLUMNS,
            },
            {
                "name": "agencies",
                "title": "Agencies",
                "description": "Active agencies in their tree (parent_code), with public contacts.",
                "links": links("agencies"),
                "parameters": paging,
                "columns": AGENCY_COLUMNS,
            },
            {
                "name": "indicators",
                "title": "Processing indicators per agency",
                "description": "For a calendar year, each agency together with the agencies "
                "below it: dossiers, on-time rate, processing time, online shares, digital "
                "results, reused documents and satisfaction. Shares are percentages.",
                "links": links("indicators"),
                "parameters": {
                    **paging,
                    "year": "Calendar year, the current one by default.",
                    "agency": "An agency code, for that agency's row only.",
                },
                "columns": INDICATOR_COLUMNS,
            },
        ],
    }
    body = json.dumps(payload, ensure_ascii=False, indent=1).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    if _etag_matches(request, etag):
        return _open_data_headers(HttpResponseNotModified(), etag)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _open_data_headers(response, etag)
