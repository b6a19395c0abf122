"""Revision 1 of a result's PDF: the QR code of its token, drawn into page 1's reserved square.

pyHanko and qrcode are imported inside the functions: processes that never
sign should not pay for the import.
"""

import io
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from core.links import public_url
from result_verifier import tokens

# The QR code keeps the quiet zone the standard asks for (4 modules) inside the
# reserved square, so the square's frame never touches the code.
QR_QUIET_ZONE_MODULES = 4
# A 40 mm square keeps a version 15 code at 1.6 pixels a module in a 90 dpi scan.
QR_MAX_VERSION = 15
QR_RESOURCE_NAME = "/ResultQR"


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
