"""How deep a JSON body nests, counted on its bytes before any decoder sees it."""

from __future__ import annotations

import pytest

from web.limits import (
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    JsonTooDeep,
    JsonTooLarge,
    check_json_body,
    nests_deeper_than,
)


def test_nesting_is_counted_through_arrays_and_objects():
    assert not nests_deeper_than(b'{"a": [1, {"b": [2]}]}', 4)
    assert nests_deeper_than(b'{"a": [1, {"b": [2]}]}', 3)
    assert nests_deeper_than(b"[" * 1000, MAX_JSON_DEPTH)


def test_brackets_inside_strings_and_escaped_quotes_are_text():
    text = b'{"note": "[[[[[[[[[[ \\" [[[[[[[[[[", "more": "{{{{{{{{{{{{{{{{"}'
    assert not nests_deeper_than(text, 1)
    assert nests_deeper_than(b'{"note": "\\\\", "x": ' + b"[" * 5, 5)  # the string ended at \\"


def test_siblings_do_not_add_up_to_depth():
    assert not nests_deeper_than(b"[" + b"[], " * 500 + b"[]]", 2)


def test_a_body_too_large_or_too_deep_is_refused_and_a_normal_one_passes():
    check_json_body(b'{"phone": "13800000004", "password": "x"}')
    with pytest.raises(JsonTooDeep):
        check_json_body(b"[" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(JsonTooLarge):
        check_json_body(b'"' + b"x" * MAX_JSON_BYTES + b'"')
