"""What a citizen is told when an upload is refused, one builder per reason.

Every refusal is a ``ValidationError`` with a stable ``code`` for callers and
tests, and a message that says what is wrong in everyday words and what to do
next. The words never name file internals ("JavaScript", "object stream"):
the person reading them usually only wants to send a scan of a paper.
"""

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.uploads.kinds import FileKind

# Why active content was found; each reason gets its own advice.
SCRIPT = "script"
ATTACHMENT = "attachment"
FORM = "form"


def corrupt(kind: FileKind) -> ValidationError:
    if kind == FileKind.PDF:
        message = _(
            "This PDF is damaged or incomplete. Save or export it again, then upload it again."
        )
    else:
        message = _(
            "This image is damaged or incomplete. Save it again or take a new photo, "
            "then upload it again."
        )
    return ValidationError(message, code="corrupt", params={"kind": kind.label})


def image_too_large(max_pixels: int) -> ValidationError:
    megapixels = number_format(max_pixels // 1_000_000)
    return ValidationError(
        _(
            "The image has more than %(limit)s megapixels. "
            "Reduce its resolution, then upload it again."
        ),
        code="too_large",
        params={"limit": megapixels, "max_pixels": max_pixels},
    )


def pdf_too_complex() -> ValidationError:
    # Decompression bombs and files with absurd numbers of parts: both look
    # like a small file to the citizen, so the advice is the same.
    return ValidationError(
        _(
            "This PDF holds too much packed data to be checked safely. "
            "Print it to PDF again (choose Save as PDF in the print window), "
            "then upload the new file."
        ),
        code="too_large",
    )


def active_content(kind: FileKind, reason: str = SCRIPT) -> ValidationError:
    if kind != FileKind.PDF:
        message = _(
            "This image contains hidden program code, so for your safety we cannot "
            "accept it. Take a new photo or a screenshot of the document, then upload that."
        )
    elif reason == ATTACHMENT:
        message = _(
            "This PDF has other files or media hidden inside it, so for your safety we "
            "cannot accept it. Print it to PDF again (choose Save as PDF in the print "
            "window), then upload the new file."
        )
    elif reason == FORM:
        message = _(
            "This PDF is an interactive form that can send or load data, so for your "
            "safety we cannot accept it. Fill it in, print it to PDF (choose Save as PDF "
            "in the print window), then upload the new file."
        )
    else:
        message = _(
            "This PDF contains a script or an action that opens programs or other files, "
            "so for your safety we cannot accept it. Print it to PDF again (choose Save "
            "as PDF in the print window), then upload the new file."
        )
    return ValidationError(message, code="active_content", params={"kind": kind.label})


def disguised(kind: FileKind) -> ValidationError:
    if kind == FileKind.PDF:
        message = _(
            "This file looks like a PDF but also hides another kind of file, such as a "
            "web page or a program, so for your safety we cannot accept it. Print it to "
            "PDF again (choose Save as PDF in the print window), then upload the new file."
        )
    else:
        message = _(
            "This file looks like an image but also hides something else, such as a web "
            "page, a program or extra data after the picture, so for your safety we "
            "cannot accept it. Take a new photo or a screenshot, then upload that."
        )
    return ValidationError(message, code="disguised", params={"kind": kind.label})


def encrypted() -> ValidationError:
    return ValidationError(
        _(
            "This PDF is protected by a password or encryption, so we cannot check it "
            "for safety. Open it, print it to PDF (choose Save as PDF in the print "
            "window) to make an unprotected copy, then upload that copy."
        ),
        code="encrypted",
    )


def infected() -> ValidationError:
    return ValidationError(
        _(
            "Our virus check found a virus or other harmful software in this file, so it "
            "was not saved. Check your device with an antivirus program, then upload a "
            "clean copy of the document."
        ),
        code="infected",
    )


def scanner_unavailable() -> ValidationError:
    return ValidationError(
        _(
            "We cannot check files for viruses right now, so the file was not saved. "
            "Please try again in a few minutes."
        ),
        code="scanner_unavailable",
    )
