"""Limits on a JSON body, checked on its bytes before any decoder sees it: its size and its depth.

A decoder recurses once per level of nesting, so about a kilobyte of ``[`` would exhaust Python's
stack; no Linli body is more than a few levels deep, nor more than a few tens of kilobytes long.
"""

from __future__ import annotations

import re

from projects import errors
from projects.errors import N_

MAX_JSON_BYTES = 256 * 1024  # ten long texts of 10,000 Chinese characters, escaped, still fit
MAX_JSON_DEPTH = 16  # the deepest model (a bid: its milestones, each an object) needs 3

# A JSON string (escapes included) or a bracket: brackets inside strings are text, not nesting.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


class JsonTooLarge(errors.Invalid):
    code = "json_too_large"
    message = N_("The request body is too large: at most {kilobytes} KB of JSON.")


class JsonTooDeep(errors.Invalid):
    code = "json_too_deep"
    message = N_("The request body is nested too deeply: at most {depth} levels of JSON.")


def nests_deeper_than(body: bytes, limit: int) -> bool:
    """Whether ``body`` nests arrays and objects more than ``limit`` levels deep (brackets inside
    strings do not count; a malformed body is left to the decoder to refuse)."""
    if body.count(b"[") + body.count(b"{") <= limit:  # the common case: too few brackets to matter
        return False
    depth = 0
    for token in _TOKENS.finditer(body):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False


def check_json_body(body: bytes) -> None:
    """``JsonTooLarge`` or ``JsonTooDeep`` (both a 400) for a body no Linli request needs."""
    if len(body) > MAX_JSON_BYTES:
        raise JsonTooLarge(kilobytes=MAX_JSON_BYTES // 1024)
    if nests_deeper_than(body, MAX_JSON_DEPTH):
        raise JsonTooDeep(depth=MAX_JSON_DEPTH)
