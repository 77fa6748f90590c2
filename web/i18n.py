"""Languages: Simplified Chinese first, English available.

Messages are English msgids in the code (marked ``N_`` or ``_``) and in templates; Babel
catalogues under ``web/translations`` translate them. The catalogues are kept as ``.po`` text and
compiled in memory when first used, so nothing generated is committed or goes stale.
"""

from __future__ import annotations

import functools
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"zh": "zh_CN", "en": "en"}  # the choice a person makes -> the Babel locale
DEFAULT = "zh"
CHINA = ZoneInfo("Asia/Shanghai")  # times are said as the community lives them


@functools.cache
def translations(language: str) -> NullTranslations:
    """The gettext translations for ``zh`` or ``en`` (English is the msgids themselves)."""
    if language == "en":
        return NullTranslations()
    po = TRANSLATIONS / LANGUAGES[language] / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale=LANGUAGES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def locale(language: str) -> Locale:
    return Locale.parse(LANGUAGES[language])


def negotiate(accept_language: str | None, choice: str | None = None) -> str:
    """``zh`` or ``en``: the explicit choice if valid, else the browser's first supported
    language by quality, else Chinese."""
    if choice in LANGUAGES:
        return choice
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


def moment(language: str, value: datetime, now: datetime | None = None) -> str:
    """A moment as every page and message writes it, in China's time: month, day and time
    (12月4日 15:07, Dec 4 15:07), with the year when it is not this year's (by ``now``)."""
    local = value.astimezone(CHINA)
    this_year = (now or datetime.now(CHINA)).astimezone(CHINA).year
    day = format_skeleton("MMMd" if local.year == this_year else "yMMMd", local, locale=locale(language))
    return f"{day} {format_skeleton('Hm', local, locale=locale(language))}"


def translate(language: str, message: str, params: dict[str, Any] | None = None) -> str:
    """``message`` in ``language`` with ``{name}`` placeholders filled; string parameters that
    are themselves msgids (a state, a field's name) are translated too, and times are said in
    the language, in China's time."""
    gettext = translations(language).gettext
    text = gettext(message)
    if not params:
        return text
    filled = {key: _said(language, value) for key, value in params.items()}
    try:
        return text.format(**filled)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder: say it in English
        return message.format(**params)


def _said(language: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return moment(language, value)
    if isinstance(value, str) and value:
        return translations(language).gettext(value)
    return value
