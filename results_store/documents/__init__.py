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

One module per job: `content` (what the document prints, section by section),
`words` (numbers and dates in Vietnamese words), `render` (revision 0),
`qr` (revision 1) and `pades` (revision 2). The names other apps use are
those below.
"""

from result_verifier.pdf import content_revision
from results_store.documents.content import (
    Row,
    Section,
    certified_facts,
    content_draft,
    content_rows,
    has_form,
    result_sections,
)
from results_store.documents.pades import sign_pdf, stamp_and_sign_pdf
from results_store.documents.qr import (
    QR_RESOURCE_NAME,
    qr_text,
    stamp_qr,
    token_qr,
    verification_url,
)
from results_store.documents.render import (
    render_result_pdf,
    result_pdf_context,
    result_template_names,
)
from results_store.documents.words import date_in_words, number_in_words

__all__ = [
    "QR_RESOURCE_NAME",
    "Row",
    "Section",
    "certified_facts",
    "content_draft",
    "content_revision",
    "content_rows",
    "date_in_words",
    "has_form",
    "number_in_words",
    "qr_text",
    "render_result_pdf",
    "result_pdf_context",
    "result_sections",
    "result_template_names",
    "sign_pdf",
    "stamp_and_sign_pdf",
    "stamp_qr",
    "token_qr",
    "verification_url",
]
