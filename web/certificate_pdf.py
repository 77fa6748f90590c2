"""The volunteer hours certificate as a PDF (fpdf2), in the reader's language, with a CJK font
that the install provides (Debian's fonts-noto-cjk: the text stays extractable), the issuers'
seals or a signature line, and a QR code (segno) of its public check at /verify/{code}."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import segno
from babel.dates import format_date
from fpdf import FPDF

from projects.certificates import CertificateRecord, hours_text
from projects.errors import N_
from projects.quarters import ZONE
from settings import CJK_FONT
from web.i18n import locale

# Noto Sans CJK, Simplified Chinese face of the collection; LINLI_CJK_FONT names another file.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
FONT_FACE_SC = 2  # in NotoSansCJK-Regular.ttc: JP, KR, SC, TC, HK


class FontMissing(RuntimeError):
    """No CJK font: the install must provide one (apt-get install fonts-noto-cjk)."""


def font_path() -> Path:
    for candidate in (CJK_FONT.read() or "", *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("no CJK font: apt-get install fonts-noto-cjk, or set LINLI_CJK_FONT")


TITLE = N_("Volunteer service record certificate")
LABELS = {
    "name": N_("Volunteer's name"),
    "number": N_("Volunteer number"),
    "period": N_("Period"),
    "hours": N_("Hours of volunteer service"),
    "content": N_("Service content"),
    "date": N_("Date"),
    "task": N_("Service"),
    "task_hours": N_("Hours"),
    "issuer": N_("Issued by"),
    "through": N_("through"),
    "person": N_("Person in charge"),
    "handler": N_("Handler"),
    "phone": N_("Contact phone"),
    "signature": N_("Signature and seal"),
    "certificate_number": N_("Certificate number"),
    "issued_on": N_("Date of issue"),
    "check": N_("Check this certificate"),
    # Peer exchange (paid between neighbours from their own points) is not volunteer service.
    "hours_unit": N_("{hours} hours"),
    "statement": N_(
        "This certifies the volunteer service above, as recorded and confirmed by the bodies below."
    ),
}


# The labels that precede a value on the same line, with the colon of their language.
COLONED = {
    LABELS["certificate_number"]: N_("Certificate number:"),
    LABELS["issuer"]: N_("Issued by:"),
    LABELS["person"]: N_("Person in charge:"),
    LABELS["handler"]: N_("Handler:"),
    LABELS["phone"]: N_("Contact phone:"),
    LABELS["hours"]: N_("Hours of volunteer service:"),
    LABELS["signature"]: N_("Signature and seal:"),
    LABELS["issued_on"]: N_("Date of issue:"),
    LABELS["check"]: N_("Check this certificate:"),
}


def render(
    certificate: CertificateRecord,
    *,
    verify_url: str,
    language: str,
    gettext: Callable[[str], str],
    category_names: dict[str, str],
    seals: dict[tuple[int, int | None], bytes],
) -> bytes:
    """The certificate's PDF. ``seals`` maps (community, organisation or None) to a seal PNG."""
    _ = gettext

    def unit(minutes: int) -> str:
        return _(LABELS["hours_unit"]).format(hours=hours_text(minutes))

    def pair(label: str, value: str) -> str:
        """A label that ends with its colon (in the reader's language: "：" in Chinese), and a value."""
        return _(COLONED[label]) + value

    day = lambda value: format_date(value, "long", locale=locale(language))  # noqa: E731
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    font = font_path()
    collection = font.suffix.lower() in (".ttc", ".otc")
    pdf.add_font("cjk", fname=str(font), collection_font_number=FONT_FACE_SC if collection else 0)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("cjk", size=20)
    pdf.cell(width, 14, _(TITLE), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(
        width,
        6,
        pair(LABELS["certificate_number"], certificate.number),
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    rows = [
        (LABELS["name"], certificate.volunteer_name),
        (LABELS["number"], certificate.volunteer_number),
        (LABELS["period"], f"{day(certificate.period_from)} – {day(certificate.last_day)}"),
        (LABELS["hours"], unit(certificate.minutes)),
    ]
    for label, value in rows:
        pdf.cell(45, 8, _(label), border=1)
        pdf.cell(width - 45, 8, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("cjk", size=13)
    pdf.cell(width, 8, _(LABELS["content"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(35, 6, _(LABELS["date"]), border=1)
    pdf.cell(width - 60, 6, _(LABELS["task"]), border=1)
    pdf.cell(25, 6, _(LABELS["task_hours"]), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    for category, minutes, lines in certificate.by_category():
        pdf.set_fill_color(235, 235, 235)
        name = category_names.get(category, category)
        pdf.cell(
            width,
            7,
            f"{name}  {unit(minutes)}",
            border=1,
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for line in lines:
            pdf.cell(35, 6, day(line.served_on), border=1)
            pdf.cell(width - 60, 6, line.title[:60], border=1)
            pdf.cell(25, 6, hours_text(line.minutes), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(width, 5, _(LABELS["statement"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    for issuer in certificate.issuers:
        if pdf.get_y() > pdf.h - 70:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font("cjk", size=11)
        body = issuer.community_name
        if issuer.organisation_name:
            body += f" · {_(LABELS['through'])} {issuer.organisation_name}"
        pdf.cell(width, 7, pair(LABELS["issuer"], body), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10)
        for label, value in (
            (LABELS["person"], issuer.person_in_charge),
            (LABELS["handler"], issuer.handler),
            (LABELS["phone"], issuer.phone),
            (LABELS["hours"], unit(issuer.minutes)),
        ):
            pdf.cell(width - 50, 6, pair(label, value or "________________"), new_x="LMARGIN", new_y="NEXT")
        seal = seals.get((issuer.community, issuer.organisation)) or seals.get((issuer.community, None))
        if seal:
            pdf.image(io.BytesIO(seal), x=pdf.l_margin + width - 40, y=top, w=36, h=36)
        else:
            pdf.cell(
                width - 50, 9, pair(LABELS["signature"], "________________"), new_x="LMARGIN", new_y="NEXT"
            )
        pdf.set_y(max(pdf.get_y(), top + 38))

    if pdf.get_y() > pdf.h - 55:
        pdf.add_page()
    top = pdf.get_y() + 2
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    pdf.image(io.BytesIO(qr.getvalue()), x=pdf.l_margin, y=top, w=32, h=32)
    pdf.set_xy(pdf.l_margin + 36, top + 4)
    pdf.set_font("cjk", size=10)
    pdf.cell(
        width - 36,
        6,
        pair(LABELS["issued_on"], day(certificate.issued_at.astimezone(ZONE).date())),
        new_x="LEFT",
        new_y="NEXT",
    )
    pdf.cell(width - 36, 6, pair(LABELS["check"], ""), new_x="LEFT", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    pdf.cell(width - 36, 6, verify_url, new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())
