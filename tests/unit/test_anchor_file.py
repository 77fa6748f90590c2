"""The anchor file: one JSON line per anchor, appended, read back; a damaged one is reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.anchor import Anchor, AnchorFileError, append_anchor, latest_anchor

HEAD = "ab" * 32


def test_anchors_are_appended_as_lines_and_the_last_one_is_the_latest(tmp_path):
    path = tmp_path / "anchors.jsonl"
    assert latest_anchor(path) is None
    first = Anchor(seq=3, hash=HEAD, anchored_at=datetime(2026, 12, 9, 1, tzinfo=UTC))
    second = Anchor(seq=9, hash="cd" * 32, anchored_at=datetime(2026, 12, 10, 1, tzinfo=UTC))
    append_anchor(path, first)
    append_anchor(path, second)
    assert path.read_text().splitlines() == [first.line(), second.line()]
    assert first.line() == f'{{"anchored_at":"2026-12-09T01:00:00.000000+00:00","hash":"{HEAD}","seq":3}}'
    assert latest_anchor(path) == second and len(second.digest) == 64
    assert path.stat().st_mode & 0o022 == 0  # nobody else may write to it


@pytest.mark.parametrize(
    "line, problem",
    [
        ("not json", "line 2: not an anchor"),
        ('{"seq": -1, "hash": "' + HEAD + '", "anchored_at": "2026-12-09T00:00:00+00:00"}', "line 2"),
        (
            '{"seq": 1, "hash": "' + HEAD + '", "anchored_at": "2026-12-09T00:00:00+00:00"}',
            "before the seq 3",
        ),
    ],
)
def test_a_damaged_or_backward_anchor_file_is_reported_with_its_line(tmp_path, line, problem):
    path = tmp_path / "anchors.jsonl"
    append_anchor(path, Anchor(seq=3, hash=HEAD, anchored_at=datetime(2026, 12, 9, tzinfo=UTC)))
    with path.open("a") as file:
        file.write(line + "\n")
    with pytest.raises(AnchorFileError, match=problem):
        latest_anchor(path)
