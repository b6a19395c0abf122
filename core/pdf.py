"""PDF rendering: Django templates to PDF with WeasyPrint, and QR codes to embed in them.

Every PDF of the portal (reception receipts, issued results) goes through
`render_pdf`, styled by the one print stylesheet `static/css/pdf.css`.

WeasyPrint is imported inside the functions: the import alone takes about
0.4 s, which web processes and commands that never render a PDF should not pay.

Rendering never reaches the network or the file system at large. Templates
show data that citizens typed, so the URL fetcher only serves the portal's own
static files (looked up like `{% static %}` does) and `data:` URIs; anything
else is refused and WeasyPrint leaves it out with a warning.
"""

import base64
import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

PDF_STYLESHEET = "css/pdf.css"


def _static_path(relative: str) -> Path | None:
    """A static file from the finders (development, tests) or STATIC_ROOT (collected)."""
    found = finders.find(relative)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / relative
    return collected if collected.is_file() else None


def _static_url_prefix() -> str:
    """The absolute URL `{% static %}` paths resolve to against the PDF's base URL."""
    if "://" in settings.STATIC_URL:
        return settings.STATIC_URL
    return f"{settings.PORTAL_BASE_URL}{settings.STATIC_URL}"


def _import_weasyprint():
    """Import WeasyPrint, undoing the global Pillow setting its import changes.

    `weasyprint.images` sets `PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True` for
    the whole process when imported. That would make Pillow accept truncated
    images everywhere, and so let corrupt uploads through the checks in
    `core.uploads` in any process that has rendered a PDF. Our PDFs only embed
    complete images (QR codes, static files), so Pillow's default is restored.
    """
    import weasyprint
    import weasyprint.images  # imported for its side effect, undone below
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def _url_fetcher():
    _import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            prefix = _static_url_prefix()
            if url.startswith(prefix):
                relative = unquote(url.removeprefix(prefix).split("?")[0].split("#")[0])
                path = _static_path(relative) if ".." not in relative else None
                if path is not None:
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, path.read_bytes(), headers={"Content-Type": content_type}
                    )
            raise ValueError(f"PDF rendering only loads the portal's static files, not {url}")

    return StaticOnlyFetcher(allowed_protocols={"data"})


def balanced_lines(text: str, *, max_chars: int = 24) -> list[str]:
    """Split a long heading in two lines of about equal length, at a space.

    Agency names in a document's header are set in capitals in a narrow
    column; left to the line breaker they end with an orphan word ("ỦY BAN
    NHÂN DÂN THÀNH PHỐ ĐÀ / NẴNG"), where the custom is two balanced lines
    ("ỦY BAN NHÂN DÂN / THÀNH PHỐ ĐÀ NẴNG"). Text that still does not fit
    wraps as usual.
    """
    text = " ".join(text.split())
    if len(text) <= max_chars or " " not in text:
        return [text]
    spaces = [index for index, char in enumerate(text) if char == " "]
    split = min(spaces, key=lambda index: max(index, len(text) - index - 1))
    return [text[:split], text[split + 1 :]]


def place_and_date(day) -> str:
    """The place and date line of a letter's header: "Đà Nẵng, ngày 05 tháng 3 năm 2026".

    Decree 30/2020/NĐ-CP (Appendix I) writes days below 10 and the months
    January and February with a leading zero, and no other month.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{settings.PORTAL_CITY}, ngày {day.day:02d} tháng {month} năm {day.year}"


def letter_header(agency, day) -> dict:
    """What templates/includes/pdf_letter_header.html shows, for every letter the portal prints.

    The agency is named in capitals under its parent, each in balanced lines;
    `day` (a date, in Vietnam) is the date of the letter.
    """
    return {
        "parent_agency_lines": balanced_lines(agency.parent.name.upper())
        if agency.parent_id
        else [],
        "agency_lines": balanced_lines(agency.name.upper()),
        "place_and_date": place_and_date(day),
    }


def render_pdf(template_name: str, context: dict, *, language: str = "vi") -> bytes:
    """Render a Django template in `language` and return the PDF's bytes."""
    weasyprint = _import_weasyprint()

    with translation.override(language):
        html = render_to_string(template_name, context)
    stylesheet_path = _static_path(PDF_STYLESHEET)
    if stylesheet_path is None:
        raise FileNotFoundError(f"The PDF stylesheet {PDF_STYLESHEET} is missing.")
    fetcher = _url_fetcher()
    document = weasyprint.HTML(
        string=html, base_url=f"{settings.PORTAL_BASE_URL}/", url_fetcher=fetcher
    )
    return document.write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(stylesheet_path), url_fetcher=fetcher)]
    )


def qr_png_data_uri(text: str, *, box_size: int = 4, border: int = 2) -> str:
    """A QR code of `text` (error correction M) as a PNG `data:` URI for an <img>."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
