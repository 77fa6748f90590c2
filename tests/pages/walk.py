"""Reading pages as a browser would for the page walk: the links and the forms of a page, and a
form filled in with values a careful person would type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

SAMPLE_PHONE = "13900000007"  # a demo volunteer: someone to dispatch to, give to or record for


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)  # a select's values, a radio group's values
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of submit buttons

    def values(self) -> dict[str, str]:
        """Every field filled in: what it holds, else the first choice, else a sensible value."""
        filled: dict[str, str] = {}
        for item in self.fields:
            if item.name in filled or not item.name:
                continue
            filled[item.name] = _value(item)
        return {name: value for name, value in filled.items() if value is not None}


def _value(item: Field) -> str | None:
    if item.kind == "hidden":
        return item.value
    if item.kind in ("select", "radio"):
        choices = [option for option in item.options if option]
        return item.value or (choices[0] if choices else "")
    if item.kind == "checkbox":
        return item.value or "on"
    if item.value:
        return item.value
    if item.kind == "tel" or "phone" in item.name:
        return SAMPLE_PHONE
    if item.kind == "number":
        low = int(item.attrs.get("min") or 1)
        high = int(item.attrs.get("max") or low + 30)
        return str(max(low, min(high, 30)))
    if item.kind == "date":
        return (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    if item.kind == "datetime-local":
        return (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    if item.kind == "email":
        return "walker@example.com"
    if item.kind == "file":
        return None
    if item.kind == "password":
        return "linli-demo"
    return "页面巡检填写的内容"


class Page(HTMLParser):
    """The links and the forms of one page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attributes}
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind == "submit":
                if attrs.get("name"):
                    self._form.buttons.append((attrs["name"], attrs.get("value", "")))
                return
            name = attrs.get("name", "")
            if kind == "radio":
                group = next((f for f in self._form.fields if f.name == name and f.kind == "radio"), None)
                if group is None:
                    group = Field(name, "radio")
                    self._form.fields.append(group)
                group.options.append(attrs.get("value", ""))
                if "checked" in attrs:
                    group.value = attrs.get("value", "")
                return
            if kind == "checkbox" and "checked" not in attrs:
                self._form.fields.append(Field(name, "checkbox", "", attrs=attrs))
                return
            self._form.fields.append(Field(name, kind, attrs.get("value", ""), attrs=attrs))
        elif tag == "select":
            self._select = Field(attrs.get("name", ""), "select", attrs=attrs)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select.value = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(attrs.get("name", ""), "textarea", attrs=attrs)
            self._form.fields.append(self._textarea)
        elif tag == "button" and attrs.get("type", "submit") == "submit" and attrs.get("name"):
            self._form.buttons.append((attrs["name"], attrs.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# An item's page, by the kind of item: the walk visits a few of each kind it finds.
ITEM = re.compile(r"^/([a-z-]+(?:/[a-z-]+)?)/([0-9]+)$")


def kind_of(path: str) -> str:
    """``/needs/12`` -> ``needs/N``; a page that is not an item's is its own kind."""
    path = urlsplit(path).path
    found = ITEM.match(path)
    return f"{found.group(1)}/N" if found else path
