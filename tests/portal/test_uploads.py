"""Uploads are accepted by their content: PDF, JPEG or PNG, whole, within limits.

Every file is generated here (Pillow or hand-written bytes); no binary fixtures.
"""

import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation
from PIL import Image

from core.uploads import (
    MAX_IMAGE_PIXELS,
    ContentCheckedFileField,
    FileKind,
    detect_kind,
    random_upload_name,
    safe_display_name,
    validate_upload,
)
from tests.files import pdf_from_objects, png_declaring

MB = 1024 * 1024
LIMIT = 10 * MB


# --- Generated files -------------------------------------------------------


def photo_bytes(image_format: str, size=(320, 240)) -> bytes:
    """A noisy picture, so compressed data is long enough to cut in half."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, image_format)
    return buffer.getvalue()


def pillow_pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PDF")
    return buffer.getvalue()


def handwritten_pdf_bytes(version: bytes = b"1.7") -> bytes:
    """A one-page PDF with a correct cross-reference table and trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    return pdf_from_objects(objects, header=b"%PDF-" + version + b"\n")


class UnreadableFile(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the file was read")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def rejection(uploaded_file, **kwargs) -> ValidationError:
    kwargs.setdefault("max_bytes", LIMIT)
    with pytest.raises(ValidationError) as caught:
        validate_upload(uploaded_file, **kwargs)
    return caught.value


@pytest.fixture
def english():
    with translation.override("en"):
        yield


WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


# --- Detecting the kind ----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pillow_pdf_bytes(), FileKind.PDF),
        (photo_bytes("JPEG"), FileKind.JPG),
        (photo_bytes("PNG"), FileKind.PNG),
        (b"hello, world", None),
        (WINDOWS_EXE, None),
        (b"", None),
    ],
)
def test_detect_kind_reads_the_leading_bytes_whatever_the_name(content, kind):
    assert detect_kind(upload("named.pdf", content, "application/pdf")) == kind


def test_detect_kind_restores_the_file_position():
    file = io.BytesIO(photo_bytes("PNG"))
    file.seek(17)
    detect_kind(file)
    assert file.tell() == 17


# --- Accepting good files --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("giay-to.pdf", pillow_pdf_bytes(), "pdf"),
        ("don.pdf", handwritten_pdf_bytes(), "pdf"),
        ("don-2.pdf", handwritten_pdf_bytes(b"2.0"), "pdf"),
        ("anh.jpg", photo_bytes("JPEG"), "jpg"),
        ("anh.png", photo_bytes("PNG"), "png"),
    ],
)
def test_valid_file_is_accepted_with_its_detected_kind(name, content, kind):
    assert validate_upload(upload(name, content), max_bytes=LIMIT) == kind


def test_real_png_named_jpg_is_accepted_as_png():
    assert validate_upload(upload("photo.jpg", photo_bytes("PNG")), max_bytes=LIMIT) == "png"


def test_validation_leaves_the_file_at_its_start_ready_to_save():
    file = upload("anh.png", photo_bytes("PNG"))
    validate_upload(file, max_bytes=LIMIT)
    assert file.tell() == 0


def test_file_uploaded_to_a_temporary_file_on_disk_is_checked_the_same_way():
    # Django streams uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temp file.
    content = photo_bytes("JPEG")
    file = TemporaryUploadedFile("anh.jpg", "image/jpeg", len(content), None)
    try:
        file.write(content)
        file.seek(0)
        assert validate_upload(file, max_bytes=LIMIT) == "jpg"
    finally:
        file.close()


# --- Empty and oversized ---------------------------------------------------


def test_empty_file_is_rejected_as_empty():
    assert rejection(upload("empty.pdf", b"")).code == "empty"


def test_oversized_file_is_rejected_with_its_size_and_the_limit(english):
    error = rejection(upload("big.pdf", b"%PDF-1.4\n" + b"0" * int(1.24 * MB)), max_bytes=MB)
    assert error.code == "too_large"
    assert error.messages == ["The file is 1.3 MB; the limit is 1 MB."]


def test_file_one_byte_over_the_limit_never_reads_as_equal_to_the_limit(english):
    error = rejection(upload("big.pdf", b"0" * (MB + 1)), max_bytes=MB)
    assert error.messages == ["The file is 1.1 MB; the limit is 1 MB."]


def test_size_is_checked_before_content_without_reading_the_file(english):
    file = upload("setup.pdf", WINDOWS_EXE)
    file.size = 12 * MB + 400 * 1024  # what Django reports for a 12.4 MB upload
    file.file = UnreadableFile()  # only the reported size may be used
    error = rejection(file)
    assert error.code == "too_large"
    assert error.messages == ["The file is 12.4 MB; the limit is 10 MB."]


def test_small_limit_is_shown_in_kilobytes(english):
    error = rejection(upload("big.png", b"0" * 600 * 1024), max_bytes=500 * 1024)
    assert error.messages == ["The file is 600 KB; the limit is 500 KB."]


def test_sizes_use_the_decimal_comma_in_vietnamese():
    with translation.override("vi"):
        error = rejection(upload("big.pdf", b"0" * int(1.24 * MB)), max_bytes=MB)
        assert "1,3" in error.messages[0]


# --- Mislabelled and unsupported -------------------------------------------


@pytest.mark.parametrize("content", [WINDOWS_EXE, LINUX_ELF], ids=["windows-exe", "linux-elf"])
def test_executable_named_pdf_is_rejected_as_not_a_pdf(english, content):
    error = rejection(upload("invoice.pdf", content, "application/pdf"))
    assert error.code == "unsupported"
    assert error.messages == [
        "This file is named .pdf but is not a PDF. Only PDF, JPG or PNG files are accepted."
    ]


def test_text_file_named_jpg_is_rejected_as_not_a_jpg(english):
    error = rejection(upload("Ảnh CCCD.JPEG", b"just some text\n", "image/jpeg"))
    assert error.code == "unsupported"
    assert error.messages[0].startswith("This file is named .jpeg but is not a JPG.")


def test_unknown_content_with_an_unknown_name_lists_the_accepted_kinds(english):
    error = rejection(upload("notes.txt", b"just some text\n"))
    assert error.code == "unsupported"
    assert error.messages == ["Only PDF, JPG or PNG files are accepted."]


def test_kind_not_in_allowed_is_rejected_as_unsupported(english):
    error = rejection(upload("scan.png", photo_bytes("PNG")), allowed=["pdf"])
    assert error.code == "unsupported"
    assert error.messages == ["Only PDF files are accepted."]


def test_allowed_kind_named_but_other_content_says_it_does_not_match(english):
    error = rejection(upload("scan.pdf", photo_bytes("PNG")), allowed=["pdf"])
    assert error.messages == [
        "This file is named .pdf but is not a PDF. Only PDF files are accepted."
    ]


def test_unknown_allowed_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_upload(upload("a.gif", b"GIF89a"), allowed=["gif"], max_bytes=LIMIT)


# --- Corrupt ---------------------------------------------------------------


def test_truncated_jpeg_is_rejected_as_corrupt(english):
    content = photo_bytes("JPEG")
    error = rejection(upload("anh.jpg", content[: len(content) // 2]))
    assert error.code == "corrupt"
    assert "damaged or incomplete" in error.messages[0]


def test_jpeg_missing_only_its_last_bytes_is_rejected_as_corrupt():
    content = photo_bytes("JPEG")
    assert rejection(upload("anh.jpg", content[:-40])).code == "corrupt"


def test_truncated_png_is_rejected_as_corrupt():
    content = photo_bytes("PNG")
    assert rejection(upload("anh.png", content[: len(content) // 2])).code == "corrupt"


def test_png_with_a_damaged_byte_is_rejected_as_corrupt():
    content = bytearray(photo_bytes("PNG"))
    content[len(content) // 2] ^= 0xFF  # the chunk checksum no longer matches
    assert rejection(upload("anh.png", bytes(content))).code == "corrupt"


def test_header_alone_is_rejected_as_corrupt():
    assert rejection(upload("anh.png", b"\x89PNG\r\n\x1a\n")).code == "corrupt"


def test_pdf_without_eof_marker_is_rejected_as_corrupt(english):
    content = pillow_pdf_bytes().replace(b"%%EOF", b"")
    error = rejection(upload("don.pdf", content))
    assert error.code == "corrupt"
    assert error.messages[0].startswith("This PDF is damaged or incomplete.")


def test_pdf_cut_in_half_is_rejected_as_corrupt():
    content = handwritten_pdf_bytes()
    assert rejection(upload("don.pdf", content[: len(content) // 2])).code == "corrupt"


def test_pdf_without_startxref_is_rejected_as_corrupt():
    content = handwritten_pdf_bytes().replace(b"startxref", b"")
    assert rejection(upload("don.pdf", content)).code == "corrupt"


def test_pdf_whose_eof_marker_is_far_from_the_end_is_rejected_as_corrupt():
    content = handwritten_pdf_bytes() + b" " * 2000
    assert rejection(upload("don.pdf", content)).code == "corrupt"


def test_pdf_pointing_its_cross_reference_past_the_end_is_rejected_as_corrupt():
    content = handwritten_pdf_bytes().replace(b"startxref\n", b"startxref\n99999")
    assert rejection(upload("don.pdf", content)).code == "corrupt"


@pytest.mark.parametrize("header", [b"%PDF-9.9\n", b"%PDF-\n", b"%PDF-1.4junk"])
def test_pdf_with_an_unknown_version_header_is_rejected_as_corrupt(header):
    content = header + handwritten_pdf_bytes().split(b"\n", 1)[1]
    assert rejection(upload("don.pdf", content)).code == "corrupt"


def test_pdf_with_a_little_data_after_eof_is_accepted():
    content = handwritten_pdf_bytes() + b"\r\n" + b"\x00" * 100
    assert validate_upload(upload("don.pdf", content), max_bytes=LIMIT) == "pdf"


# --- Decompression bombs ---------------------------------------------------


def test_decompression_bomb_png_is_rejected_as_too_large(english):
    bomb = png_declaring(100_000, 100_000)  # 10 gigapixels in a few dozen bytes
    assert len(bomb) < 200
    error = rejection(upload("bomb.png", bomb))
    assert error.code == "too_large"
    assert error.messages == [
        "The image has more than 50 megapixels. Reduce its resolution, then upload it again."
    ]


def test_image_just_over_the_pixel_limit_is_rejected_before_decoding():
    # 60 megapixels: under Pillow's own guard, over ours.
    assert MAX_IMAGE_PIXELS < 6000 * 10_000 < Image.MAX_IMAGE_PIXELS
    assert rejection(upload("big.png", png_declaring(6000, 10_000))).code == "too_large"


def test_image_in_pillows_warning_zone_is_rejected_as_too_large():
    # 100 megapixels: Pillow warns rather than refuses; we refuse.
    with pytest.warns(Image.DecompressionBombWarning):
        error = rejection(upload("big.png", png_declaring(10_000, 10_000)))
    assert error.code == "too_large"


def test_pixel_limit_can_be_lowered_per_call():
    photo = upload("anh.jpg", photo_bytes("JPEG", size=(400, 300)))
    assert rejection(photo, max_pixels=100_000).code == "too_large"


# --- The form field --------------------------------------------------------


class DocumentForm(forms.Form):
    document = ContentCheckedFileField(allowed=["pdf", "jpg"], max_bytes=LIMIT)
    optional = ContentCheckedFileField(max_bytes=LIMIT, required=False)


def test_form_field_returns_the_file_with_its_detected_kind():
    form = DocumentForm(data={}, files={"document": upload("x.pdf", photo_bytes("JPEG"))})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["document"].detected_kind == "jpg"
    assert form.cleaned_data["optional"] is None


def test_form_field_reports_a_rejected_file_as_a_field_error(english):
    form = DocumentForm(data={}, files={"document": upload("x.pdf", WINDOWS_EXE)})
    assert not form.is_valid()
    assert form.errors["document"] == [
        "This file is named .pdf but is not a PDF. Only PDF or JPG files are accepted."
    ]
    assert form.errors.as_data()["document"][0].code == "unsupported"


def test_form_field_reports_an_empty_file_in_its_own_words(english):
    form = DocumentForm(data={}, files={"document": upload("x.pdf", b"")})
    assert not form.is_valid()
    assert form.errors.as_data()["document"][0].code == "empty"
    assert form.errors["document"] == ["The file is empty. Choose the file again."]


def test_form_field_tells_the_browser_which_types_to_offer():
    html = str(DocumentForm()["document"])
    assert 'accept="application/pdf,image/jpeg,.pdf,.jpg,.jpeg"' in html


# --- Storage and display names ---------------------------------------------


def test_random_upload_name_ignores_the_client_name_and_uses_the_detected_extension():
    file = upload("../../evil.exe.pdf", photo_bytes("PNG"))
    kind = validate_upload(file, max_bytes=LIMIT)
    name = random_upload_name(kind, "wallet/")
    folder, _, base = name.partition("/")
    assert folder == "wallet"
    assert base.endswith(".png")
    assert len(base) == len("0123456789abcdef0123456789abcdef.png")
    assert "evil" not in name


def test_random_upload_names_are_never_reused():
    assert len({random_upload_name("pdf", "dossiers") for _ in range(100)}) == 100


@pytest.mark.parametrize(
    ("client_name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\fakepath\\x.pdf", "x.pdf"),
        ("/home/an/Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("..", ""),
        ("", ""),
    ],
)
def test_safe_display_name_keeps_only_the_last_path_component(client_name, shown):
    assert safe_display_name(client_name) == shown


def test_safe_display_name_drops_control_and_direction_characters():
    # U+202E turns "invoice\u202efdp.exe" into what looks like "invoiceexe.pdf".
    assert safe_display_name("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert safe_display_name("a\x00b\r\nc\t d.pdf") == "ab c d.pdf"


def test_safe_display_name_composes_vietnamese_accents():
    decomposed = "Giê\u0323y to\u031b\u0300.pdf"
    assert safe_display_name(decomposed) == "Giệy tờ.pdf"


def test_safe_display_name_shortens_long_names_keeping_the_extension():
    shown = safe_display_name("đơn " * 100 + ".pdf")
    assert len(shown) == 150
    assert shown.endswith(".pdf")
