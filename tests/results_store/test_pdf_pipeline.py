"""The result PDF: rendered, QR-stamped and PAdES-signed, then checked by independent tools.

Results are issued through `result_issue`, as an officer completing a dossier
would. One test lets the real Celery worker sign; the others call
`result_sign` themselves, since a task queued on commit never runs inside a
test's transaction. The PDF is read back with poppler (pdfsig, pdftotext,
pdftoppm), zxing-cpp and pyHanko, none of them our code.
"""

import datetime as dt
import hashlib
import io
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest
import zxingcpp
from django.core.files.storage import default_storage
from PIL import Image, ImageChops
from qrcode.util import MODE_ALPHA_NUM, MODE_NUMBER

from procedures.constants import AdministrativeLevel
from result_verifier import tokens
from result_verifier.pdf import pdf_signature_check
from results_store import documents, keys, services, verification
from results_store.constants import ResultAction, ResultStatus
from results_store.models import Result, SigningKey
from tests.factories import AgencyFactory, ResultTypeFactory, UserFactory
from tests.results_store.signing import issue_result

HOLDER = "Nguyễn Thị Ánh Tuyết"
HOLDER_ID = "048190012345"
AGENCY = "Ủy ban nhân dân phường Hải Châu"
PARENT_AGENCY = "Ủy ban nhân dân thành phố Đà Nẵng"
MARITAL_STATUS = ("KQ.G15.000038", "Giấy xác nhận tình trạng hôn nhân")
BIRTH_CERTIFICATE = ("KQ.G15.000031", "Giấy khai sinh")
BUSINESS_LICENCE = ("KQ.TEST.000001", "Giấy chứng nhận đăng ký hộ kinh doanh")
ISSUED_ON = dt.date(2026, 3, 5)
CONTENT = {
    "Họ, chữ đệm và tên người yêu cầu": HOLDER,
    "Số định danh cá nhân": HOLDER_ID,
    "Ngày, tháng, năm sinh": "15/03/1990",
    "Nơi thường trú": "12 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng",
    "Tình trạng hôn nhân hiện tại": "Chưa kết hôn",
    "Mục đích sử dụng": "Để đăng ký kết hôn",
}
WORKER_TIMEOUT_SECONDS = 30
MM = 72 / 25.4  # points in a millimetre


@pytest.fixture
def media_root(settings, tmp_path):
    """Signed PDFs go to a fresh directory (the worker thread shares settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _issue(result_type=MARITAL_STATUS, *, data=None, agency=None, **kwargs) -> Result:
    """A result issued by a ward under the city, to a citizen who has an account."""
    if agency is None:
        parent = AgencyFactory(name=PARENT_AGENCY, level=AdministrativeLevel.PROVINCE)
        agency = AgencyFactory(name=AGENCY, parent=parent)
    code, name = result_type
    UserFactory(username="holder", full_name=HOLDER, national_id=HOLDER_ID)
    return issue_result(
        result_type=ResultTypeFactory(code=code, name=name),
        agency=agency,
        holder_national_id=HOLDER_ID,
        holder_name=HOLDER,
        issued_on=ISSUED_ON,
        data=CONTENT if data is None else data,
        actor=UserFactory(username="officer", full_name="Lê Văn Hùng"),
        **kwargs,
    )


def _signed(result: Result) -> Result:
    services.result_sign(result.pk)
    return Result.objects.select_related("result_type", "agency", "signing_key").get(pk=result.pk)


def _pdf(result: Result) -> bytes:
    with default_storage.open(result.pdf.name, "rb") as file:
        return file.read()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(tmp_path: Path, data: bytes, name="result.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _page_image(path: Path, *, dpi=200, page=1) -> Image.Image:
    prefix = path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
         str(path), str(prefix)],
        check=True,
    )  # fmt: skip
    with Image.open(prefix.with_suffix(".png")) as image:
        return image.convert("RGB")


def _pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext lays it out, NFC, with runs of spaces collapsed."""
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(unicodedata.normalize("NFC", result.stdout).split())


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def _published_key(kid: str):
    key = SigningKey.objects.filter(kid=kid).first()
    return keys.public_key(key) if key else None


# --------------------------------------------------------------------------
# The pipeline, end to end
# --------------------------------------------------------------------------


def test_worker_signs_an_issued_result_and_stores_its_pdf_with_both_hashes(
    media_root, celery_worker
):
    result = _issue()

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while Result.objects.get(pk=result.pk).status == ResultStatus.PREPARING:
        if time.monotonic() > deadline:
            pytest.fail(f"The worker signed nothing within {WORKER_TIMEOUT_SECONDS} s.")
        time.sleep(0.2)

    result.refresh_from_db()
    pdf = (media_root / result.pdf.name).read_bytes()
    assert result.status == ResultStatus.VALID
    assert result.token.startswith("VN1:")
    assert result.signing_key.agency == result.agency
    assert result.content_sha256 == _sha256(documents.content_revision(pdf))
    assert result.pdf_sha256 == _sha256(pdf)


def test_poppler_pdfsig_finds_a_valid_signature_over_the_whole_file(db, media_root, tmp_path):
    result = _signed(_issue())

    report = subprocess.run(
        ["pdfsig", str(_write(tmp_path, _pdf(result)))], capture_output=True, text=True
    ).stdout

    assert "Signature Field Name: Signature1" in report
    assert f"Signer Certificate Common Name: {AGENCY}" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report


def _check(pdf: bytes):
    return pdf_signature_check(pdf, roots=verification.roots())


def test_pyhanko_finds_the_signature_intact_and_chained_to_the_portal_root(db, media_root):
    result = _signed(_issue())

    check = _check(_pdf(result))

    assert check.signed
    assert check.intact, check.problems
    assert check.agency_code == result.agency.code
    assert check.signer == AGENCY


def test_qr_code_on_page_one_is_the_token_and_verifies_with_the_content_hash(
    db, media_root, tmp_path
):
    result = _signed(_issue())
    pdf = _pdf(result)

    codes = zxingcpp.read_barcodes(_page_image(_write(tmp_path, pdf)))

    assert [code.text for code in codes] == [documents.qr_text(result.token)]
    assert tokens.binary_of(codes[0].text) == tokens.binary_of(result.token)
    verified = tokens.verify(codes[0].text, _published_key)
    assert verified.kid == result.signing_key.kid
    assert verified.facts.result_id == result.public_id
    assert verified.facts.content_sha256 == _sha256(documents.content_revision(pdf))


def test_qr_code_is_the_link_in_two_compact_segments_with_error_correction_m(
    db, media_root, tmp_path
):
    result = _signed(_issue())

    (code,) = zxingcpp.read_barcodes(_page_image(_write(tmp_path, _pdf(result))))

    qr = documents.token_qr(result.token)
    assert code.ec_level == "M"
    assert [chunk.mode for chunk in qr.data_list] == [MODE_ALPHA_NUM, MODE_NUMBER]
    assert qr.version <= 15


def _reserved_square(pdf: bytes) -> tuple[float, float, float, float]:
    """The rectangle (points, origin bottom left) of page 1's link to the verification page."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0].get_object()
    (rect,) = [
        [float(value) for value in annotation.get_object()["/Rect"]]
        for annotation in page["/Annots"]
        if "/verify/r/" in str(annotation.get_object()["/A"].get("/URI", ""))
    ]
    x1, y1, x2, y2 = rect
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def test_stamping_draws_only_inside_the_square_reserved_at_the_bottom_right(
    db, media_root, tmp_path
):
    result = _signed(_issue())
    pdf = _pdf(result)
    revision_0 = documents.content_revision(pdf)
    dpi = 100

    before = _page_image(_write(tmp_path, revision_0, "revision-0.pdf"), dpi=dpi)
    after = _page_image(_write(tmp_path, pdf), dpi=dpi)

    changed = ImageChops.difference(before, after).getbbox()
    left, bottom, right, top = _reserved_square(revision_0)
    px = dpi / 72  # pixels per point; the page is A4, 842 points high
    square = (left * px, (841.89 - top) * px, right * px, (841.89 - bottom) * px)
    assert square[0] - 1 <= changed[0] and changed[2] <= square[2] + 1
    assert square[1] - 1 <= changed[1] and changed[3] <= square[3] + 1
    # 40 mm wide, above the bottom and inside the right margin of 20 mm.
    assert right - left == pytest.approx(40 * MM, abs=1)
    assert top - bottom == pytest.approx(40 * MM, abs=1)
    assert right == pytest.approx((210 - 20) * MM, abs=1)
    assert bottom < 60 * MM


def test_long_content_flows_to_page_two_and_the_qr_code_stays_on_page_one(db, media_root, tmp_path):
    long_text = "Nội dung dài của kết quả, ghi lại nhiều lần để vượt quá một trang. " * 12
    data = {f"Mục {number}": long_text for number in range(1, 9)}
    result = _signed(_issue(BUSINESS_LICENCE, data=data))
    path = _write(tmp_path, _pdf(result))

    codes = zxingcpp.read_barcodes(_page_image(path))

    assert _page_count(path) >= 2
    assert [code.text for code in codes] == [documents.qr_text(result.token)]


# --------------------------------------------------------------------------
# Tampering
# --------------------------------------------------------------------------


def test_changing_a_byte_of_the_first_revision_changes_the_content_hash(db, media_root):
    result = _signed(_issue())
    pdf = bytearray(_pdf(result))
    position = len(documents.content_revision(bytes(pdf))) // 2

    pdf[position] ^= 0x01

    tampered = documents.content_revision(bytes(pdf))
    facts = tokens.verify(result.token, _published_key).facts
    assert _sha256(tampered) != result.content_sha256
    assert _sha256(tampered) != facts.content_sha256


def test_changing_a_byte_after_the_first_revision_breaks_the_pdf_signature(db, media_root):
    result = _signed(_issue())
    pdf = _pdf(result)
    # The stamp's content stream is stored uncompressed: change a digit of the
    # QR code's placement, inside the signed range and after revision 0.
    paint = pdf.index(b" cm " + documents.QR_RESOURCE_NAME.encode() + b" Do")
    assert paint > len(documents.content_revision(pdf))
    tampered = bytearray(pdf)
    tampered[paint - 1] = ord("1") if tampered[paint - 1] != ord("1") else ord("2")

    check = _check(bytes(tampered))

    assert check.signed
    assert not check.intact
    assert documents.content_revision(bytes(tampered)) == documents.content_revision(pdf)


def test_a_signature_that_does_not_chain_to_the_given_roots_is_not_intact(db, media_root):
    result = _signed(_issue())
    keys.root_create()  # a new root: the old one signed this PDF's certificate
    newest = [keys.root_certificate(keys.root_active())]

    check = pdf_signature_check(_pdf(result), roots=newest)

    assert check.signed
    assert not check.intact
    assert _check(_pdf(result)).intact  # retired roots stay trusted for what they signed


def test_the_unsigned_first_revision_is_reported_unsigned(db, media_root):
    result = _signed(_issue())

    check = _check(documents.content_revision(_pdf(result)))

    assert not check.signed
    assert not check.intact


def test_bytes_that_are_not_a_pdf_are_reported_unsigned():
    check = pdf_signature_check(b"not a pdf", roots=[])

    assert (check.signed, check.intact) == (False, False)


@pytest.mark.parametrize(
    ("revision_0", "after"),
    [
        (b"%PDF-1.7\nA\nstartxref\n12\n%%EOF\n", b"B\nstartxref\n34\n%%EOF\n"),
        (b"%PDF-1.7\r\nA\r\nstartxref\r\n12\r\n%%EOF\r\n", b"B\r\nstartxref 34\r\n%%EOF\r\n"),
        (b"%PDF-1.7\nstream %%EOF in a stream\nstartxref\n12\n%%EOF", b""),
    ],
    ids=["lf", "crlf", "eof-in-a-stream-and-no-final-newline"],
)
def test_content_revision_ends_with_the_line_of_the_first_trailer(revision_0, after):
    assert documents.content_revision(revision_0 + after) == revision_0


# --------------------------------------------------------------------------
# What the document says
# --------------------------------------------------------------------------


def test_pdf_text_names_the_holder_the_number_and_the_result_type(db, media_root, tmp_path):
    result = _signed(_issue(number="123/2026/XNHN"))

    text = _pdf_text(_write(tmp_path, _pdf(result)))

    assert HOLDER in text
    assert "Số: 123/2026/XNHN" in text
    assert "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "THÀNH PHỐ ĐÀ NẴNG" in text  # the parent agency, in the header
    assert "Đà Nẵng, ngày 05 tháng 3 năm 2026" in text
    assert "ĐÃ KÝ SỐ" in text
    assert "Quét mã QR để xác minh kết quả này" in text
    assert f"/verify/r/{result.public_id}/" in text


def test_marital_status_certificate_follows_its_form_with_its_validity(db, media_root, tmp_path):
    result = _signed(_issue(MARITAL_STATUS, valid_until=dt.date(2026, 9, 5)))

    text = _pdf_text(_write(tmp_path, _pdf(result)))

    assert f"Xét đề nghị của ông/bà {HOLDER}" in text
    assert f"{AGENCY} xác nhận:" in text
    assert "Tình trạng hôn nhân: Chưa kết hôn" in text
    assert "Giấy này được cấp để: Để đăng ký kết hôn" in text
    assert "Giấy này có giá trị sử dụng đến hết ngày 05/09/2026." in text


def test_birth_certificate_follows_its_form_and_spells_the_date_of_birth(db, media_root, tmp_path):
    data = {
        "Họ, chữ đệm và tên của trẻ": "Trần Minh Khôi",
        "Ngày, tháng, năm sinh của trẻ": "21/04/2025",
        "Giới tính của trẻ": "Nam",
        "Họ, chữ đệm và tên người mẹ": HOLDER,
        "Họ, chữ đệm và tên người yêu cầu": HOLDER,
    }
    result = _signed(_issue(BIRTH_CERTIFICATE, data=data))

    text = _pdf_text(_write(tmp_path, _pdf(result)))

    assert "GIẤY KHAI SINH" in text
    assert "Họ, chữ đệm, tên: Trần Minh Khôi" in text
    assert "(Ngày hai mươi mốt, tháng tư, năm hai nghìn không trăm hai mươi lăm)" in text
    assert f"Họ, chữ đệm, tên người mẹ: {HOLDER}" in text
    assert f"Người đi đăng ký khai sinh: {HOLDER}" in text
    assert f"Nơi đăng ký khai sinh: {AGENCY}" in text


def test_other_result_types_print_their_content_as_labelled_lines(db, media_root, tmp_path):
    data = {"Tên hộ kinh doanh": "Quán Cơm Bà Tư", "ngành_nghề": "Ăn uống", "so_von": 50000000}
    result = _signed(_issue(BUSINESS_LICENCE, data=data))

    text = _pdf_text(_write(tmp_path, _pdf(result)))

    assert "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH" in text
    assert f"Cấp cho: {HOLDER}" in text
    assert "Tên hộ kinh doanh: Quán Cơm Bà Tư" in text
    assert "ngành_nghề: Ăn uống" in text
    assert "So von: 50000000" in text


def test_a_digitized_result_says_it_was_digitized_from_paper(db, media_root, tmp_path):
    result = _signed(_issue(digitized=True))

    text = _pdf_text(_write(tmp_path, _pdf(result)))

    assert "BẢN SỐ HÓA TỪ BẢN GIẤY" in text


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (5, "năm"),
        (10, "mười"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (1990, "một nghìn chín trăm chín mươi"),
        (2000, "hai nghìn"),
        (2005, "hai nghìn không trăm linh năm"),
        (2011, "hai nghìn không trăm mười một"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
    ],
)
def test_numbers_are_spelled_as_vietnamese_documents_write_them(number, words):
    assert documents.number_in_words(number) == words


# --------------------------------------------------------------------------
# Idempotence
# --------------------------------------------------------------------------


def test_signing_a_signed_result_again_changes_nothing(db, media_root):
    result = _signed(_issue())

    services.result_sign(result.pk)

    again = Result.objects.get(pk=result.pk)
    assert (again.pdf.name, again.token, again.pdf_sha256) == (
        result.pdf.name,
        result.token,
        result.pdf_sha256,
    )
    assert list(media_root.joinpath("results").iterdir()) == [media_root / result.pdf.name]
    assert again.events.filter(action=ResultAction.SIGN).count() == 1
