"""Notifications in the reader's language: a stored msgid and its parameters made a sentence,
the reason (if any) after it. The pages, the API and the delivery job all say it so."""

from __future__ import annotations

from projects.errors import N_
from web.i18n import translations

REASON = N_("{sentence} Reason: {reason}")


def render(language: str, message: str, params: dict) -> str:
    """The sentence: parameters named in ``_words`` are msgids (a thing, "the system") and are
    translated; the others (names, titles, numbers) are shown as they are."""
    gettext = translations(language).gettext
    values = {key: value for key, value in params.items() if not key.startswith("_")}
    for key in params.get("_words", ()):
        if isinstance(values.get(key), str):
            values[key] = gettext(values[key])
    try:
        sentence = gettext(message).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder: in English
        try:
            sentence = message.format(**values)
        except (KeyError, IndexError, ValueError):
            sentence = message
    reason = params.get("_reason") or ""
    if not reason:
        return sentence
    return gettext(REASON).format(sentence=sentence, reason=gettext(reason))
