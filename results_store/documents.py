"""Result PDFs: the printed document, the QR code stamped on it, the PAdES signature.

A result's PDF is built in three revisions, each appended to the one before
without changing a byte of it (PDF incremental updates):

0. the document, rendered by WeasyPrint from a Django template, with an empty
   square reserved on page 1 for the QR code. Its SHA-256 is what the QR token
   signs, which is why the token can only be made once this revision exists;
1. the QR code of the token, drawn into the reserved square;
2. the agency's PAdES signature (ECDSA P-256) over the whole file.

Whoever holds the final file can cut revision 0 back out (`content_revision`:
it ends at the first end-of-file marker), hash it and compare the hash with
the token's, and check the PAdES signature against the portal's root as any
PDF reader does (result_verifier/pdf.py).

The document is a Vietnamese administrative document whatever language the
portal is used in, so its wording is Vietnamese and not translated. pyHanko is
imported inside the functions, as WeasyPrint is in portal.pdf: processes that
never sign should not pay for the import.
"""

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import select_template
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from portal.links import public_url
from portal.pdf import letter_header, render_pdf
from result_verifier import tokens
from result_verifier.pdf import content_revision

__all__ = ["content_revision"]

RESULT_TEMPLATE = "results_store/result_pdf.html"
RESULT_LANGUAGE = "vi"
SIGNATURE_FIELD = "Signature1"
SIGNATURE_REASON = "Ký số kết quả giải quyết thủ tục hành chính"
# The QR code keeps the quiet zone the standard asks for (4 modules) inside the
# reserved square, so the square's frame never touches the code.
QR_QUIET_ZONE_MODULES = 4
# A 40 mm square keeps a version 15 code at 1.6 pixels a module in a 90 dpi scan.
QR_MAX_VERSION = 15
QR_RESOURCE_NAME = "/ResultQR"


# --------------------------------------------------------------------------
# What the document prints
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the result's content: "label: value", with an optional note.

    `certified` rows are what the QR code vouches for (their digest is in the token).
    """

    label: str
    value: str
    note: str = ""
    certified: bool = True
    same_line: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]

    @property
    def lines(self) -> list[list[Row]]:
        """The rows as printed: a `same_line` row shares the line of the row before it."""
        lines: list[list[Row]] = []
        for row in self.rows:
            if row.same_line and lines:
                lines[-1].append(row)
            else:
                lines.append([row])
        return lines


@dataclass(frozen=True)
class FormLine:
    """A line of a prescribed form, and where in `result.data` its value is found.

    `sources` are keys or labels of `result.data`, compared without regard to
    case, spacing or a trailing colon; the first one with a value wins.
    `fallback` gives the value from the result itself when the data has none.
    `certified` lines are the facts the QR code vouches for and the
    verification page shows; others (who registered, ID numbers) are printed only.
    `same_line` lines follow the one before on the same printed line, as the
    form sets its short items ("Năm sinh: … Dân tộc: … Quốc tịch: …"); it also
    keeps a full certificate on one page.
    """

    label: str
    sources: tuple[str, ...]
    fallback: Callable | None = None
    in_words: bool = False
    certified: bool = False
    same_line: bool = False


@dataclass(frozen=True)
class FormSection:
    title: str
    lines: tuple[FormLine, ...]


def verification_url(result) -> str:
    """The public page that verifies this result, printed under its QR code."""
    path = reverse("results_store:verify_result", args=[result.public_id])
    return public_url(path)


def _is_verification_url(url: str) -> bool:
    base = settings.PORTAL_BASE_URL
    if not url.startswith(f"{base}/"):
        return False
    try:
        match = resolve(urlsplit(url[len(base) :]).path)
    except Resolver404:
        return False
    return match.view_name == "results_store:verify_result"


def _date_text(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _below_thousand_in_words(number: int, *, full: bool) -> list[str]:
    """0-999 in Vietnamese words; `full` spells the hundreds ("không trăm linh năm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def number_in_words(number: int) -> str:
    """A number below a million in Vietnamese words: 2026 → "hai nghìn không trăm hai mươi sáu"."""
    if number == 0:
        return _DIGITS[0]
    thousands, rest = divmod(number, 1000)
    words = []
    if thousands:
        words += [*_below_thousand_in_words(thousands, full=False), "nghìn"]
    if rest:
        words += _below_thousand_in_words(rest, full=bool(thousands))
    return " ".join(words)


def date_in_words(day: dt.date) -> str:
    """A date as birth certificates spell it: "ngày mùng năm, tháng ba, năm hai nghìn …"."""
    day_words = number_in_words(day.day)
    if day.day <= 10:
        day_words = f"mùng {day_words}"
    month_words = "tư" if day.month == 4 else number_in_words(day.month)
    return f"ngày {day_words}, tháng {month_words}, năm {number_in_words(day.year)}"


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


def _text(value) -> str:
    """A value of `result.data` as printed; JSON gives strings, numbers, lists, maps."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list | tuple):
        return "; ".join(text for text in (_text(item) for item in value) if text)
    if isinstance(value, dict):
        return "; ".join(f"{_label(key)}: {_text(item)}" for key, item in value.items())
    return str(value).strip()


def _label(key) -> str:
    """A data key as a label: labels stay as typed, `snake_case` keys become words."""
    key = str(key).strip().rstrip(":").strip()
    if re.fullmatch(r"[a-z0-9_]+", key):
        return key.replace("_", " ").capitalize()
    return key


def _normalized(key) -> str:
    text = unicodedata.normalize("NFC", str(key)).casefold().strip().rstrip(":")
    return " ".join(text.split())


def content_rows(items: list[tuple[str, object]]) -> list[Row]:
    """Every content line of a result with a value, in its order."""
    rows = []
    for key, value in items:
        text = _text(value)
        if text:
            rows.append(Row(label=_label(key), value=text))
    return rows


def _form_sections(result, form: tuple[FormSection, ...]) -> list[Section]:
    """The prescribed lines found in the data, then whatever the data holds besides."""
    entries = {}
    for key, value in result.content_items:
        text = _text(value)
        if text:
            entries.setdefault(_normalized(key), (key, text))
    used = set()
    sections = []
    for form_section in form:
        rows = []
        for line in form_section.lines:
            value = ""
            for source in line.sources:
                entry = entries.get(_normalized(source))
                if entry and entry[0] not in used:
                    used.add(entry[0])
                    value = entry[1]
                    break
            if not value and line.fallback is not None:
                value = line.fallback(result)
            if not value:
                continue
            note = ""
            if line.in_words and (day := _parse_date(value)):
                note = f"({date_in_words(day).capitalize()})"
            rows.append(
                Row(
                    label=line.label,
                    value=value,
                    note=note,
                    certified=line.certified,
                    same_line=line.same_line and not note,
                )
            )
        if rows:
            sections.append(Section(title=form_section.title, rows=rows))
    others = [
        Row(label=_label(key), value=text, certified=False)
        for key, text in entries.values()
        if key not in used
    ]
    if others:
        sections.append(Section(title="Thông tin khác", rows=others))
    return sections


def _parent_lines(who: str, key: str) -> tuple[FormLine, ...]:
    """The lines a birth certificate prints about the mother or the father."""
    person = f"người {who}"
    return (
        FormLine(
            f"Họ, chữ đệm, tên {person}",
            (f"{key}_full_name", f"Họ, chữ đệm và tên {person}", f"Họ, chữ đệm, tên {person}"),
            certified=True,
        ),
        FormLine(
            "Năm sinh",
            (f"{key}_year_of_birth", f"{key}_date_of_birth", f"Năm sinh của {person}"),
        ),
        FormLine("Dân tộc", (f"{key}_ethnicity", f"Dân tộc của {person}"), same_line=True),
        FormLine("Quốc tịch", (f"{key}_nationality", f"Quốc tịch của {person}"), same_line=True),
        FormLine("Nơi cư trú", (f"{key}_residence", f"Nơi cư trú của {person}")),
    )


# Prescribed forms (Circular 04/2020/TT-BTP, as amended): the lines they print,
# in their order, for the result types that have a template of their own.
RESULT_FORMS: dict[str, tuple[FormSection, ...]] = {
    # Giấy khai sinh.
    "KQ.G15.000031": (
        FormSection(
            "",
            (
                FormLine(
                    "Họ, chữ đệm, tên",
                    ("child_full_name", "Họ, chữ đệm và tên của trẻ", "Họ, chữ đệm, tên"),
                    certified=True,
                ),
                FormLine(
                    "Ngày, tháng, năm sinh",
                    ("child_date_of_birth", "Ngày, tháng, năm sinh của trẻ"),
                    in_words=True,
                    certified=True,
                ),
                FormLine(
                    "Giới tính", ("child_gender", "Giới tính của trẻ", "Giới tính"), certified=True
                ),
                FormLine(
                    "Dân tộc", ("child_ethnicity", "Dân tộc của trẻ", "Dân tộc"), same_line=True
                ),
                FormLine(
                    "Quốc tịch",
                    ("child_nationality", "Quốc tịch của trẻ", "Quốc tịch"),
                    same_line=True,
                ),
                FormLine(
                    "Nơi sinh",
                    ("child_place_of_birth", "Nơi sinh của trẻ", "Nơi sinh"),
                    certified=True,
                ),
                FormLine("Quê quán", ("child_hometown", "Quê quán của trẻ", "Quê quán")),
                FormLine(
                    "Số định danh cá nhân",
                    ("child_national_id", "Số định danh cá nhân của trẻ"),
                ),
            ),
        ),
        FormSection("", _parent_lines("mẹ", "mother")),
        FormSection("", _parent_lines("cha", "father")),
        FormSection(
            "",
            (
                FormLine(
                    "Người đi đăng ký khai sinh",
                    ("full_name", "Họ, chữ đệm và tên người yêu cầu", "Người đi đăng ký khai sinh"),
                ),
                FormLine("Số định danh cá nhân", ("national_id", "Số định danh cá nhân")),
                FormLine(
                    "Quan hệ với người được khai sinh",
                    ("relationship", "Quan hệ với người được khai sinh"),
                ),
                FormLine(
                    "Nơi đăng ký khai sinh",
                    ("registration_place", "Nơi đăng ký khai sinh"),
                    fallback=lambda result: result.agency.name,
                ),
                FormLine(
                    "Ngày, tháng, năm đăng ký",
                    ("registration_date", "Ngày, tháng, năm đăng ký", "Ngày đăng ký"),
                    fallback=lambda result: _date_text(result.issued_on),
                ),
            ),
        ),
    ),
    # Giấy xác nhận tình trạng hôn nhân.
    "KQ.G15.000038": (
        FormSection(
            "",
            (
                FormLine(
                    "Họ, chữ đệm, tên",
                    ("full_name", "Họ, chữ đệm và tên người yêu cầu", "Họ, chữ đệm, tên"),
                    fallback=lambda result: result.holder_name,
                    certified=True,
                ),
                FormLine(
                    "Ngày, tháng, năm sinh",
                    ("date_of_birth", "Ngày, tháng, năm sinh"),
                    certified=True,
                ),
                FormLine("Giới tính", ("gender", "Giới tính")),
                FormLine("Dân tộc", ("ethnicity", "Dân tộc"), same_line=True),
                FormLine("Quốc tịch", ("nationality", "Quốc tịch"), same_line=True),
                FormLine(
                    "Số định danh cá nhân",
                    ("national_id", "Số định danh cá nhân", "Giấy tờ tùy thân"),
                    fallback=lambda result: result.holder_national_id,
                ),
                FormLine(
                    "Nơi cư trú", ("permanent_address", "residence", "Nơi thường trú", "Nơi cư trú")
                ),
                FormLine(
                    "Tình trạng hôn nhân",
                    ("marital_status", "Tình trạng hôn nhân hiện tại", "Tình trạng hôn nhân"),
                    certified=True,
                ),
                FormLine(
                    "Giấy này được cấp để",
                    ("purpose", "Mục đích sử dụng", "Giấy này được cấp để"),
                    certified=True,
                ),
            ),
        ),
    ),
}


def result_sections(result) -> list[Section]:
    """What the document prints, section by section, from the result type's form if it has one.

    Expects the result with its result type and agency loaded.
    """
    form = RESULT_FORMS.get(result.result_type.code)
    if form:
        return _form_sections(result, form)
    rows = content_rows(result.content_items)
    return [Section(title="", rows=rows)] if rows else []


def certified_facts(result) -> list[tuple[str, str]]:
    """What the QR code vouches for, in print order.

    A result type with a prescribed form certifies the lines it marks (a birth
    certificate: the child, the birth, the parents); any other certifies every
    line the officer entered, since each of them is printed as the result's content.
    """
    return [
        (row.label, row.value)
        for section in result_sections(result)
        for row in section.rows
        if row.certified
    ]


def has_form(result_type) -> bool:
    return result_type.code in RESULT_FORMS


def content_draft(result_type, values: dict[str, str]) -> dict[str, str]:
    """A first draft of a result's content, from a dossier's declaration.

    `values` maps a declaration field's key and its label to its text. A
    result type with a form takes exactly its form's lines, nothing else; any
    other result type takes what the caller passes (the declaration without
    contact details: dossiers.selectors.dossier_result_content).
    """
    form = RESULT_FORMS.get(result_type.code)
    if not form:
        return dict(values)
    entries = {_normalized(key): text for key, text in values.items() if text}
    draft = {}
    for form_section in form:
        for line in form_section.lines:
            for source in line.sources:
                text = entries.get(_normalized(source))
                if text:
                    draft.setdefault(_draft_label(line), text)
                    break
    return draft


def _draft_label(line: FormLine) -> str:
    """The line's label as the officer edits it, unique in the form: "Năm sinh của người mẹ"."""
    for source in line.sources:
        if not re.fullmatch(r"[a-z0-9_]+", source):
            return source
    return line.label


def result_template_names(result) -> list[str]:
    """The result type's own template if it has one, then the generic one."""
    own = RESULT_TEMPLATE.replace(
        "result_pdf.html", f"result_pdf_{result.result_type.code.replace('.', '_')}.html"
    )
    return [own, RESULT_TEMPLATE]


def _template_name(result) -> str:
    return select_template(result_template_names(result)).template.name


def result_pdf_context(result) -> dict:
    """Everything the document prints, already worded in Vietnamese.

    Expects the result with its result type and agency (and its parent) loaded.
    """
    agency = result.agency
    sections = result_sections(result)
    return {
        "result": result,
        "number": result.number,
        "title": result.result_type.name.upper(),
        **letter_header(agency, result.issued_on),
        "agency_name": agency.name,
        "holder_name": result.holder_name,
        "holder_national_id": result.holder_national_id,
        "sections": sections,
        "issued_on_text": _date_text(result.issued_on),
        # Rendering is the first step of signing (results_store.services.result_sign).
        "signed_on_text": _date_text(timezone.localdate()),
        "valid_until_text": _date_text(result.valid_until),
        "digitized": result.digitized,
        "verification_url": verification_url(result),
    }


def render_result_pdf(result, *, preview: bool = False) -> bytes:
    """Revision 0 of the result's PDF: the document, with page 1's QR square left empty.

    A `preview` is marked as such on every page and is never signed.
    """
    context = {**result_pdf_context(result), "preview": preview}
    return render_pdf(_template_name(result), context, language=RESULT_LANGUAGE)


# --------------------------------------------------------------------------
# Revisions 1 and 2: the QR code and the signature
# --------------------------------------------------------------------------


def qr_text(token: str) -> str:
    """What the printed QR code holds: the verification link with the token in it."""
    return tokens.link_of(token, base_url=settings.PORTAL_BASE_URL)


def token_qr(token: str):
    """The QR code of the token's link: error correction M, in two segments.

    The link's capitalized prefix goes in alphanumeric mode and the token's
    digits in numeric mode (qrcode splits the text by itself), which keeps a
    result's code at version 13 to 15 (docs/adr/0006-result-token-format.md).
    A code that would pass version 15 at M (unusually long names or numbers)
    takes error correction L instead, so that it stays readable at 90 dpi.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M

    for level in (ERROR_CORRECT_M, ERROR_CORRECT_L):
        code = qrcode.QRCode(error_correction=level, border=QR_QUIET_ZONE_MODULES)
        code.add_data(qr_text(token))
        code.make(fit=True)
        if code.version <= QR_MAX_VERSION:
            break
    return code


def _qr_square(reader) -> tuple[float, float, float]:
    """Where page 1 reserves the QR code: (x, y, side) of its lower left corner, in points.

    The template makes the reserved square a link to the result's verification
    page, so its place is wherever the layout put it, read from the link's
    rectangle: no coordinates are repeated here.
    """
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        action = annotation.get("/A")
        if annotation.get("/Subtype") != "/Link" or action is None:
            continue
        uri = action.get_object().get("/URI")
        if uri is None or not _is_verification_url(str(uri)):
            continue
        x1, y1, x2, y2 = (float(value) for value in annotation["/Rect"])
        left, bottom = min(x1, x2), min(y1, y2)
        side = min(abs(x2 - x1), abs(y2 - y1))
        return left, bottom, side
    raise ValueError("Page 1 has no square reserved for the QR code.")


def stamp_qr(content: bytes, *, token: str) -> bytes:
    """Revision 1: the token's QR code drawn into page 1's reserved square."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.qr import PdfStreamQRImage
    from pyhanko.pdf_utils.writer import init_xobject_dictionary

    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    left, bottom, side = _qr_square(writer.prev)

    code = token_qr(token)
    image = code.make_image(image_factory=PdfStreamQRImage)
    natural = (code.modules_count + 2 * code.border) * code.box_size
    qr = init_xobject_dictionary(image.render_command_stream(), natural, natural)
    qr.compress()
    qr_ref = writer.add_object(qr)

    # The frame of the square is inside the link's rectangle: keep off it.
    inset = side * 0.02
    scale = (side - 2 * inset) / natural
    paint = b"q %g 0 0 %g %g %g cm %s Do Q" % (
        scale,
        scale,
        left + inset,
        bottom + inset,
        QR_RESOURCE_NAME.encode("ascii"),
    )
    resources = generic.DictionaryObject(
        {
            generic.pdf_name("/XObject"): generic.DictionaryObject(
                {generic.pdf_name(QR_RESOURCE_NAME): qr_ref}
            )
        }
    )
    # The page's own content may leave the graphics state changed (WeasyPrint
    # flips and scales the coordinates): wrap it in q … Q so the QR code is
    # drawn in the page's default coordinates.
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=b"q")), prepend=True
    )
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"Q")))
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=paint)), resources
    )

    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _pdf_signer(signing_key):
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from results_store import keys

    certificate = _certificate(signing_key.pdf_certificate)
    root = _certificate(signing_key.authority.certificate) if signing_key.authority_id else None
    if certificate is None or root is None:
        raise ValueError(f"The signing key {signing_key.kid} has no certified PDF certificate.")
    # The root travels in the signature, so PDF readers that trust it build the chain.
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=load_private_key_from_pemder_data(
            keys.pdf_private_key_pem(signing_key), passphrase=None
        ),
        cert_registry=SimpleCertificateStore.from_certs([certificate, root]),
    )


def sign_pdf(pdf: bytes, *, signing_key) -> bytes:
    """Revision 2: the agency's PAdES signature over the whole file (invisible)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SIGNATURE_REASON,
        location=settings.PORTAL_CITY,
    )
    output = signers.sign_pdf(writer, metadata, signer=_pdf_signer(signing_key))
    return output.getvalue()


def stamp_and_sign_pdf(content: bytes, *, token: str, signing_key) -> bytes:
    """The final PDF: revision 0 (`content`) untouched, the QR code, the PAdES signature."""
    final = sign_pdf(stamp_qr(content, token=token), signing_key=signing_key)
    # What the token signs must stay recoverable from the final file.
    if content_revision(final) != content:
        raise ValueError("The signed PDF does not begin with the rendered document.")
    return final


def _certificate(pem: str):
    """The one certificate of a PEM text (asn1crypto), or None."""
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        certificates = list(load_certs_from_pemder_data((pem or "").encode("ascii")))
    except (ValueError, TypeError, UnicodeEncodeError):
        return None
    return certificates[0] if len(certificates) == 1 else None
