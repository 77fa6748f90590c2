"""Anchors: the chain head (sequence number, hash, time) written outside the database, to an
append-only file of JSON lines, so that a ledger cut short or rewritten behind Linli's back no
longer matches what was anchored.

The hash chain shows any change to a transfer and any gap, but not a tail cut off together with
the totals it moved: the shorter chain is still a chain. An anchor remembers how long the chain
was and how it ended; ``verify`` checks the ledger against the latest one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ledger.posting import GENESIS_HASH, as_utc, canonical_time
from ledger.tables import Transfer

FILE_MODE = 0o644  # an anchor is no secret: anyone may compare it with what they were told
MAX_LINE_BYTES = 4096  # an anchor line is about 150 bytes; a longer one is not Linli's


class AnchorFileError(Exception):
    """The anchor file cannot be read as Linli writes it; the message says where, for a person."""


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int  # the last transfer's sequence number (0: an empty ledger)
    hash: str  # its hash, the head of the chain
    anchored_at: datetime

    def line(self) -> str:
        """The anchor as one line of JSON (keys sorted, the time in the chain's canonical form)."""
        fields = {**asdict(self), "anchored_at": canonical_time(self.anchored_at)}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))

    @property
    def digest(self) -> str:
        """The SHA-256 of the line: short enough to write down or publish, and it pins the line."""
        return hashlib.sha256(self.line().encode()).hexdigest()

    @classmethod
    def from_line(cls, text: str) -> Anchor:
        fields = json.loads(text)
        seq, head = fields["seq"], fields["hash"]
        if not isinstance(seq, int) or seq < 0 or not isinstance(head, str) or len(head) != 64:
            raise ValueError("not an anchor")
        return cls(seq=seq, hash=head, anchored_at=as_utc(fields["anchored_at"]))


async def chain_head(now: datetime) -> Anchor:
    """The ledger's chain head now, as an anchor."""
    rows = await Transfer.raw("SELECT seq, hash FROM ledger_transfer ORDER BY seq DESC LIMIT 1")
    if not rows:
        return Anchor(seq=0, hash=GENESIS_HASH, anchored_at=now)
    return Anchor(seq=int(rows[0]["seq"]), hash=rows[0]["hash"], anchored_at=now)


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Add ``anchor`` as the file's last line, durably: opened for appending only (every write
    lands at the end, whoever else appends), then flushed to the disk before returning."""
    created = not path.exists()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(descriptor, (anchor.line() + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:  # the new name must survive a crash too
        directory = os.open(path.resolve().parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def latest_anchor(path: Path) -> Anchor | None:
    """The last anchor in the file (None if there is no file or no anchor yet)."""
    if not path.exists():
        return None
    latest = None
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            text = raw.strip()
            if not text:
                continue
            try:
                if len(text) > MAX_LINE_BYTES:
                    raise ValueError("too long")
                anchor = Anchor.from_line(text.decode())
            except (ValueError, KeyError, TypeError) as error:
                raise AnchorFileError(f"{path}, line {number}: not an anchor ({error})") from None
            if latest is not None and anchor.seq < latest.seq:
                raise AnchorFileError(
                    f"{path}, line {number}: anchors seq {anchor.seq}, "
                    f"before the seq {latest.seq} anchored above it"
                )
            latest = anchor
    return latest


async def anchor(path: Path, *, now: datetime) -> Anchor:
    """Record the chain head now in the anchor file at ``path``; the anchor written."""
    head = await chain_head(now)
    await asyncio.to_thread(append_anchor, path, head)  # fsync: off the event loop
    return head
