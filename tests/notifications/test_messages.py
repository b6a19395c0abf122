"""Every message in both languages, by every channel, from the same stored texts."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from dossiers import services as dossier_services
from dossiers.constants import DossierState
from notifications.constants import SHORT_TEXT_MAX_CHARS, MessageKind, NotificationChannel
from notifications.models import Notification
from notifications.services import notification_deliver, notify, render_message
from tests.dossiers.builders import cast, dossier_in
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://dichvucong.danang.example"
# 10:00 UTC is 17:00 in Vietnam.
DUE = datetime(2026, 7, 20, 10, 0, tzinfo=UTC)
NEW_DUE = datetime(2026, 7, 24, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE_URL


@pytest.fixture
def dossier():
    agency = AgencyFactory(name="Ủy ban nhân dân phường Hải Châu", name_en="Hai Chau Ward")
    procedure = ProcedureFactory(
        name="Cấp Giấy xác nhận tình trạng hôn nhân",
        name_en="Certificate of marital status",
        agencies=[agency],
    )
    procedure.components.create(name="Tờ khai có chữ ký", name_en="Signed form", position=1)
    return DossierFactory(
        received=True,
        agency=agency,
        procedure=procedure,
        code="000.01.00.H15-260715-0042",
        applicant_name="Nguyễn Thị Ánh Tuyết",
        due_at=DUE,
        delivery_method="post",
        delivery_address="25 Trần Phú, Hải Châu",
    )


def contexts(dossier) -> dict[str, dict]:
    component = dossier.procedure.components.get()
    return {
        "dossier_submitted": {"dossier": dossier},
        "dossier_received": {"dossier": dossier},
        "dossier_rejected": {"dossier": dossier, "reason": "Không thuộc thẩm quyền"},
        "dossier_supplement_requested": {
            "dossier": dossier,
            "reason": "Tờ khai chưa có chữ ký",
            "components": [component],
            "supplement_due_at": NEW_DUE,
        },
        "dossier_completed": {
            "dossier": dossier,
            "outcome": "Đã cấp giấy xác nhận",
            "digital_result": True,
        },
        "supplement_reminder": {"dossier": dossier, "supplement_due_at": NEW_DUE},
        "alert_due_soon": {"dossier": dossier},
        "alert_overdue": {"dossier": dossier},
        "alert_not_received": {"dossier": dossier},
        "dossier_apology": {
            "dossier": dossier,
            "reason": "Chờ ý kiến của cơ quan liên quan",
            "new_due_at": NEW_DUE,
        },
    }


# What each message says, in Vietnamese and in English: its subject (also the
# start of the SMS), then what its body says beyond the dossier code.
EXPECTED = {
    "dossier_submitted": (
        ("đã được nộp", ["đã được nộp đến"]),
        ("has been submitted", ["has been submitted to"]),
    ),
    "dossier_received": (
        ("Đã tiếp nhận hồ sơ", ["đã tiếp nhận", "20/07/2026 17:00", "giờ Việt Nam"]),
        ("received", ["has received", "20/07/2026 17:00", "Vietnam time"]),
    ),
    "dossier_rejected": (
        ("bị từ chối", ["không thể giải quyết", "Lý do: Không thuộc thẩm quyền"]),
        ("has been rejected", ["cannot process", "Reason: Không thuộc thẩm quyền"]),
    ),
    "dossier_supplement_requested": (
        ("cần bổ sung giấy tờ", ["Tờ khai có chữ ký", "24/07/2026 09:30", "Tờ khai chưa có"]),
        ("more documents needed", ["Signed form", "24/07/2026 09:30", "Tờ khai chưa có"]),
    ),
    "dossier_completed": (
        ("đã có kết quả", ["Đã cấp giấy xác nhận", "25 Trần Phú", "Kho dữ liệu"]),
        ("the result is ready", ["Đã cấp giấy xác nhận", "25 Trần Phú", "wallet"]),
    ),
    "supplement_reminder": (
        ("Nhắc hạn", ["vẫn đang chờ", "24/07/2026 09:30"]),
        ("Reminder", ["still waiting", "24/07/2026 09:30"]),
    ),
    "alert_due_soon": (
        ("Sắp đến hạn", ["sắp đến hạn", "20/07/2026 17:00", "Nguyễn Thị Ánh Tuyết"]),
        ("Due soon", ["is due soon", "20/07/2026 17:00", "Nguyễn Thị Ánh Tuyết"]),
    ),
    "alert_overdue": (
        ("Quá hạn", ["đã quá hạn", "20/07/2026 17:00"]),
        ("Overdue", ["past its due date", "20/07/2026 17:00"]),
    ),
    "alert_not_received": (
        ("Chưa tiếp nhận", ["chưa được tiếp nhận"]),
        ("Not received yet", ["has not been received"]),
    ),
    "dossier_apology": (
        ("xin lỗi", ["xin lỗi", "Ngày hẹn mới", "24/07/2026 09:30"]),
        ("apolog", ["apologises", "New appointment", "24/07/2026 09:30"]),
    ),
}


def test_every_kind_has_its_expectations():
    assert set(EXPECTED) == set(MessageKind.values)


@pytest.mark.parametrize("kind", MessageKind.values)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_message_reads_right_in_the_recipients_language(dossier, kind, language):
    recipient = UserFactory(full_name="Nguyễn Thị Ánh Tuyết", language=language)
    texts = render_message(
        kind=kind, context=contexts(dossier)[kind], recipient=recipient, link="/dossiers/7/"
    )
    vietnamese, english = EXPECTED[kind]
    (subject, body), (foreign_subject, _body) = (
        (vietnamese, english) if language == "vi" else (english, vietnamese)
    )

    assert dossier.code in texts["subject"]
    assert subject in texts["subject"]
    assert foreign_subject not in texts["subject"]
    assert "\n" not in texts["subject"]
    assert texts["short_text"].startswith(texts["in_app_text"].removesuffix("…"))
    assert subject.lower() in texts["in_app_text"].lower()
    for text in (texts["body_text"], texts["body_html"]):
        for fragment in body:
            assert fragment in text
        assert "{{" not in text and "{%" not in text
    greeting = "Kính gửi" if language == "vi" else "Dear"
    assert texts["body_text"].startswith(f"{greeting} Nguyễn Thị Ánh Tuyết,")
    assert f'<html lang="{language}">' in texts["body_html"]
    assert f"{BASE_URL}/dossiers/7/" in texts["body_text"]
    assert f'href="{BASE_URL}/dossiers/7/"' in texts["body_html"]
    assert len(texts["short_text"]) <= SHORT_TEXT_MAX_CHARS
    assert texts["short_text"].endswith(f"{BASE_URL}/dossiers/7/")
    assert dossier.code in texts["short_text"]
    assert "http" not in texts["in_app_text"]


# A digest: several dossiers of one agency alerted in one run.
DIGEST_EXPECTED = {
    "alert_due_soon": (
        ("Sắp đến hạn: 12 hồ sơ tại Ủy ban nhân dân phường Hải Châu", "12 hồ sơ sắp đến hạn"),
        ("Due soon: 12 dossiers at Hai Chau Ward", "12 dossiers are due soon"),
    ),
    "alert_overdue": (
        ("Quá hạn: 12 hồ sơ tại Ủy ban nhân dân phường Hải Châu", "12 hồ sơ đã quá hạn"),
        ("Overdue: 12 dossiers at Hai Chau Ward", "12 dossiers are past their due date"),
    ),
    "alert_not_received": (
        (
            "Chưa tiếp nhận: 12 hồ sơ trực tuyến tại Ủy ban nhân dân phường Hải Châu",
            "12 hồ sơ nộp trực tuyến chưa được tiếp nhận",
        ),
        (
            "Not received yet: 12 online dossiers at Hai Chau Ward",
            "12 dossiers were submitted online and have not been received",
        ),
    ),
}


@pytest.mark.parametrize("kind", sorted(DIGEST_EXPECTED))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_digest_names_the_most_urgent_dossiers_and_counts_the_others(dossier, kind, language):
    others = [
        DossierFactory(
            received=True,
            agency=dossier.agency,
            procedure=dossier.procedure,
            code=f"000.01.00.H15-260715-{n:04d}",
            due_at=DUE,
        )
        for n in range(2)
    ]
    context = {"agency": dossier.agency, "dossiers": [dossier, *others], "count": 12, "more": 9}
    texts = render_message(
        kind=kind, context=context, recipient=UserFactory(language=language), link="/officer/queue/"
    )
    subject, intro = DIGEST_EXPECTED[kind][0 if language == "vi" else 1]

    assert texts["subject"] == subject
    assert texts["in_app_text"] == f"{subject}."
    more = "… và 9 hồ sơ khác." if language == "vi" else "… and 9 more dossiers."
    for text in (texts["body_text"], texts["body_html"]):
        assert intro in text
        for listed in (dossier, *others):
            assert listed.code in text
        assert more in text
        assert "{{" not in text and "{%" not in text
    assert "Nguyễn Thị Ánh Tuyết" in texts["body_text"]
    assert f"{BASE_URL}/officer/queue/" in texts["body_text"]
    assert texts["short_text"].endswith(f"{BASE_URL}/officer/queue/")


def test_procedure_and_agency_names_follow_the_language(dossier):
    vi = render_message(
        kind="dossier_received", context={"dossier": dossier}, recipient=UserFactory(language="vi")
    )
    en = render_message(
        kind="dossier_received", context={"dossier": dossier}, recipient=UserFactory(language="en")
    )
    assert "Ủy ban nhân dân phường Hải Châu đã tiếp nhận" in vi["body_text"]
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in vi["body_text"]
    assert "Hai Chau Ward has received" in en["body_text"]
    assert "Certificate of marital status" in en["body_text"]


def test_a_long_reason_is_cut_in_the_short_text_but_the_link_is_kept(dossier):
    texts = render_message(
        kind="dossier_rejected",
        context={"dossier": dossier, "reason": "Thiếu giấy tờ. " * 60},
        recipient=UserFactory(language="vi"),
        link="/dossiers/7/",
    )
    assert len(texts["short_text"]) <= SHORT_TEXT_MAX_CHARS
    assert texts["short_text"].endswith(f"Chi tiết: {BASE_URL}/dossiers/7/")
    assert texts["body_text"].count("Thiếu giấy tờ.") == 60


def test_html_in_a_reason_is_escaped_in_the_html_email_and_kept_in_the_text(dossier):
    texts = render_message(
        kind="dossier_rejected",
        context={"dossier": dossier, "reason": "<script>alert(1)</script> & co"},
        recipient=UserFactory(language="en"),
    )
    assert "<script>" not in texts["body_html"]
    assert "&lt;script&gt;" in texts["body_html"]
    assert "<script>alert(1)</script> & co" in texts["body_text"]


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("vi", "Đã tiếp nhận hồ sơ {code}", "Hẹn trả kết quả"),
        ("en", "Dossier {code} received", "Result due"),
    ],
)
def test_the_reception_email_goes_in_the_applicants_language_with_text_and_html(
    settings, language, subject, phrase
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    c = cast()
    c.applicant.language = language
    c.applicant.save()
    dossier = dossier_in(DossierState.SUBMITTED, c)
    dossier_services.dossier_receive(dossier=dossier, actor=c.officer)
    row = Notification.objects.get(
        user=c.applicant, kind="dossier_received", channel=NotificationChannel.EMAIL
    )
    mail.outbox.clear()

    notification_deliver(row.pk)

    (message,) = mail.outbox
    assert message.subject == subject.format(code=dossier.code)
    assert message.to == [c.applicant.email]
    assert phrase in message.body
    assert f"{BASE_URL}/dossiers/{dossier.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert dossier.code in html
    assert phrase in html
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{row.pk}.")
    assert message.extra_headers["Content-Language"] == language


def test_the_in_app_row_keeps_the_short_text_the_site_path_and_the_dossier_code(dossier):
    recipient = UserFactory(language="vi", notify_by_email=False)
    (row,) = notify(
        users=[recipient],
        kind="dossier_received",
        context={"dossier": dossier},
        link="/dossiers/7/",
        dedupe_key="k",
    )
    assert row.channel == NotificationChannel.IN_APP
    assert row.short_text.startswith(f"Đã tiếp nhận hồ sơ {dossier.code}.")
    assert "http" not in row.short_text
    assert row.link == "/dossiers/7/"
    assert row.reference == dossier.code
    assert row.language == "vi"
