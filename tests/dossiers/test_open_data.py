"""The open-data API: datasets, JSON pagination, CSV for spreadsheets, HTTP caching and CORS."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dossiers import statistics
from dossiers.constants import Channel
from procedures.constants import AdministrativeLevel, ServiceLevel
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

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


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def url(dataset, fmt, **params):
    path = reverse("dossiers:open_data", args=[dataset, fmt])
    if params:
        path += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return path


@pytest.fixture
def catalog():
    city = AgencyFactory(code="000.00.00.H15", level=AdministrativeLevel.PROVINCE)
    ward = AgencyFactory(code="000.01.00.H15", name="Ủy ban nhân dân phường Hải Châu", parent=city)
    procedures = [
        ProcedureFactory(code=f"1.00{n}", name=f"Thủ tục đăng ký số {n}", agencies=[ward])
        for n in range(5)
    ]
    ProcedureFactory(code="1.009", inactive=True, agencies=[ward])
    return city, ward, procedures


def test_the_index_lists_every_dataset_with_its_links(client, db):
    response = client.get(reverse("dossiers:open_data_index"))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    names = [dataset["name"] for dataset in data["datasets"]]
    assert names == ["procedures", "agencies", "indicators"]
    for dataset in data["datasets"]:
        for fmt in ("json", "csv"):
            assert dataset["links"][fmt].endswith(f"/api/open-data/{dataset['name']}.{fmt}")


def test_procedures_json_is_paginated_with_count_and_next(client, catalog):
    page_1 = client.get(url("procedures", "json", page_size=2)).json()
    assert page_1["count"] == 5  # the inactive procedure is not published
    assert page_1["num_pages"] == 3
    assert [p["code"] for p in page_1["results"]] == ["1.000", "1.001"]
    assert page_1["previous"] is None
    assert page_1["next"].startswith("http://testserver/api/open-data/procedures.json?")
    assert "page=2" in page_1["next"] and "page_size=2" in page_1["next"]

    page_3 = client.get(page_1["next"].replace("page=2", "page=3")).json()
    assert [p["code"] for p in page_3["results"]] == ["1.004"]
    assert page_3["next"] is None
    assert "page=2" in page_3["previous"]


def test_a_procedure_record_carries_the_catalog_facts(client, catalog):
    _city, ward, _procedures = catalog
    record = client.get(url("procedures", "json")).json()["results"][0]
    assert set(record) == set(PROCEDURE_COLUMNS)
    assert record["name"] == "Thủ tục đăng ký số 0"
    assert record["service_level"] == ServiceLevel.FULL_ONLINE
    assert (record["processing_time"], record["time_unit"]) == (3, "working_days")
    assert (record["fee_vnd"], record["fee_online_vnd"]) == (20000, 10000)
    assert record["agencies"] == [ward.code]
    assert record["url"] == "http://testserver/procedures/1.000/"


def test_a_page_size_above_the_maximum_is_refused(client, catalog):
    response = client.get(url("procedures", "json", page_size=501))
    assert response.status_code == 400
    assert "500" in response.json()["error"]


def test_a_page_past_the_end_is_a_404(client, catalog):
    assert client.get(url("procedures", "json", page=9)).status_code == 404


def test_an_unknown_dataset_or_format_is_a_404(client, db):
    assert client.get(url("dossiers", "json")).status_code == 404
    assert client.get(url("procedures", "xml")).status_code == 404


def test_procedures_csv_has_a_bom_a_header_and_parses(client, catalog):
    response = client.get(url("procedures", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == PROCEDURE_COLUMNS
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["name"] == "Thủ tục đăng ký số 0"
    assert first["agencies"] == "000.01.00.H15"
    assert first["same_day"] == "false"


def test_csv_pages_are_linked_in_the_headers(client, catalog):
    response = client.get(url("procedures", "csv", page_size=2))
    assert response["X-Total-Count"] == "5"
    assert 'rel="next"' in response["Link"] and "page=2" in response["Link"]


def test_agencies_dataset_lists_the_tree(client, catalog):
    city, ward, _procedures = catalog
    results = client.get(url("agencies", "json")).json()["results"]
    by_code = {row["code"]: row for row in results}
    assert by_code[ward.code]["parent_code"] == city.code
    assert by_code[city.code]["parent_code"] is None
    assert by_code[ward.code]["statistics_url"].endswith(f"/statistics/agencies/{ward.code}/")


def test_responses_are_cacheable_with_an_etag_and_open_to_other_origins(client, catalog):
    response = client.get(url("procedures", "json"))
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    assert etag.startswith('"')
    again = client.get(url("procedures", "json"), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_responses_are_cached_on_the_server(client, catalog):
    first = client.get(url("procedures", "json")).json()
    ProcedureFactory(code="1.0055")
    assert client.get(url("procedures", "json")).json()["count"] == first["count"]
    cache.clear()
    assert client.get(url("procedures", "json")).json()["count"] == first["count"] + 1


def test_indicators_give_each_agencys_figures_for_a_year(client, catalog):
    city, ward, procedures = catalog
    now = timezone.now()
    # Two dossiers filed three days ago: one online completed on time in 2 days,
    # one at the counter completed late.
    for channel, days, due in ((Channel.ONLINE, 2, 5), (Channel.COUNTER, 3, 1)):
        submitted = now - timedelta(days=3, hours=4)
        received = submitted + timedelta(hours=1)
        DossierFactory(
            completed=True,
            agency=ward,
            procedure=procedures[0],
            channel=channel,
            submitted_at=submitted,
            received_at=received,
            due_at=received + timedelta(days=due),
            closed_at=min(received + timedelta(days=days), now),
        )
    year = statistics.local_today().year
    if (now - timedelta(days=3, hours=4)).astimezone(statistics.VN_TZ).year != year:
        pytest.skip("The dossiers fall in last year on the first days of January.")
    data = client.get(url("indicators", "json", year=year, agency=ward.code)).json()
    assert data["year"] == year
    assert data["count"] == 1
    row = data["results"][0]
    assert row["agency_code"] == ward.code
    assert row["parent_code"] == city.code
    assert (row["dossiers_submitted"], row["dossiers_online"]) == (2, 1)
    assert row["online_filing_share"] == 50.0
    assert (row["dossiers_completed"], row["completed_late"]) == (2, 1)
    assert row["on_time_rate"] == 50.0
    assert (row["procedures_active"], row["full_online_share"]) == (5, 100.0)
    # The city's row includes the ward below it.
    city_row = client.get(url("indicators", "json", year=year, agency=city.code)).json()
    assert city_row["results"][0]["dossiers_submitted"] == 2


def test_indicators_csv_has_one_row_per_agency(client, catalog):
    response = client.get(url("indicators", "csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["agency_code"] for row in rows} == {"000.00.00.H15", "000.01.00.H15"}
    assert all(row["on_time_rate"] == "" for row in rows)  # nothing completed: no rate


def test_indicators_refuse_a_future_year_and_an_unknown_agency(client, catalog):
    next_year = statistics.local_today().year + 1
    assert client.get(url("indicators", "json", year=next_year)).status_code == 400
    assert client.get(url("indicators", "json", year="abc")).status_code == 400
    assert client.get(url("indicators", "json", agency="NOPE")).status_code == 404


def test_open_data_has_no_personal_data(client, catalog):
    _city, ward, procedures = catalog
    applicant = UserFactory(full_name="Nguyễn Thị Ánh Tuyết", national_id="048190000123")
    dossier = DossierFactory(
        completed=True, agency=ward, procedure=procedures[0], applicant=applicant
    )
    for dataset in ("procedures", "agencies", "indicators"):
        for fmt in ("json", "csv"):
            body = client.get(url(dataset, fmt)).content.decode("utf-8-sig")
            assert "Ánh Tuyết" not in body
            assert "048190000123" not in body
            assert dossier.code not in body


def test_json_is_utf8_not_escaped(client, catalog):
    response = client.get(url("procedures", "json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Thủ tục".encode() in response.content
    json.loads(response.content)


def _open_data_keys() -> list[str]:
    return [key for key in cache._cache if "open-data:" in key]


def test_junk_parameters_do_not_create_cache_entries_or_reach_the_links(client):
    for number in range(3):
        ProcedureFactory(code=f"9.00000{number}")
    url = reverse("dossiers:open_data", args=["procedures", "json"])
    for number in range(40):
        response = client.get(url, {"page_size": "1", f"junk{number}": "x" * 50})
        assert response.status_code == 200
    assert len(_open_data_keys()) == 1
    assert "junk" not in json.loads(response.content)["next"]


def test_spellings_of_the_same_page_share_one_cache_entry(client):
    ProcedureFactory(code="9.000001")
    url = reverse("dossiers:open_data", args=["procedures", "json"])
    for spelling in ["1", "01", "001", ""]:
        assert client.get(url, {"page": spelling}).status_code == 200
    assert len(_open_data_keys()) == 1


def test_refused_parameters_are_never_cached(client):
    url = reverse("dossiers:open_data", args=["indicators", "json"])
    for agency in ["nope-1", "nope-2", "nope-3"]:
        assert client.get(url, {"agency": agency}).status_code == 404
    assert _open_data_keys() == []
