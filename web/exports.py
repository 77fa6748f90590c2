"""Ledgers (台账) as files: .xlsx written by XlsxWriter in constant memory, and CSV in UTF-8 with a
byte-order mark (so that Excel opens it as UTF-8). Both take the domain's columns and an async
stream of rows, name columns and words in the reader's language, and never hold more than one
batch of rows: a district's year streams through.

The spreadsheet has its header row frozen, column widths, and dates as dates (China's time).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from projects.errors import N_
from projects.figures import ZONE
from projects.needs_ledger import Column
from web.i18n import translate
from web.words import CHANNEL_NAMES, SCOPE_NAMES, STATES

BATCH_ROWS = 1000  # rows handed to the writer at a time
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
CSV_MOMENT = "%Y-%m-%d %H:%M"
BOM = "\ufeff"
YES, NO = N_("yes"), N_("no")
# The words of a column, by its key: codes as the reader reads them.
WORDS = {
    "status": STATES["need"],
    "claim_status": STATES["claim"],
    "channel": CHANNEL_NAMES,
    "scope": SCOPE_NAMES,
}


class Namer:
    """A column's value as the reader reads it (words and categories named, in their language)."""

    def __init__(self, language: str, category_names: dict[str, str]):
        self.language = language
        self.category_names = category_names

    def say(self, message: str) -> str:
        return translate(self.language, message)

    def title(self, column: Column) -> str:
        return self.say(column.title)

    def word(self, column: Column, value: Any) -> Any:
        if value is None or value == "":
            return None
        if column.kind == "word":
            return translate(self.language, WORDS.get(column.key, {}).get(value, value))
        if column.kind == "category":
            return self.category_names.get(value, value)
        if column.kind == "yes_no":
            return translate(self.language, YES if value else NO)
        return value


def local(moment: datetime) -> datetime:
    """A spreadsheet's dates have no zone: the time in China, as the community lives it."""
    return moment.astimezone(ZONE).replace(tzinfo=None)


async def batches(rows: AsyncIterator[dict], size: int = BATCH_ROWS) -> AsyncIterator[list[dict]]:
    batch: list[dict] = []
    async for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- .xlsx ------------------------------------------------------------------------------------------


class _Sheet:
    """One worksheet written row by row (XlsxWriter's constant-memory mode)."""

    def __init__(self, path: Path, sheet_name: str, columns: tuple[Column, ...], namer: Namer):
        self.workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "in_memory": False})
        self.sheet = self.workbook.add_worksheet(sheet_name[:31])
        self.columns = columns
        self.namer = namer
        self.moment = self.workbook.add_format({"num_format": MOMENT_FORMAT})
        self.decimal = self.workbook.add_format({"num_format": "0.0#"})
        self.rate = self.workbook.add_format({"num_format": "0.00%"})
        header = self.workbook.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1})
        for index, column in enumerate(columns):
            self.sheet.set_column(index, index, column.width)
        self.sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            self.sheet.write_string(0, index, namer.title(column), header)
        self.next_row = 1

    def write(self, rows: Iterable[dict]) -> None:
        for row in rows:
            for index, column in enumerate(self.columns):
                value = row.get(column.key)
                if value is None or value == "":
                    continue
                if column.kind == "moment":
                    self.sheet.write_datetime(self.next_row, index, local(value), self.moment)
                elif column.kind == "integer":
                    self.sheet.write_number(self.next_row, index, value)
                elif column.kind == "decimal":
                    self.sheet.write_number(self.next_row, index, value, self.decimal)
                elif column.kind == "rate":
                    self.sheet.write_number(self.next_row, index, value, self.rate)
                else:
                    self.sheet.write_string(self.next_row, index, str(self.namer.word(column, value)))
            self.next_row += 1

    def close(self) -> None:
        self.workbook.close()


async def write_xlsx(
    columns: tuple[Column, ...], rows: AsyncIterator[dict], namer: Namer, sheet_name: str
) -> Path:
    """The rows as an .xlsx file in the temporary folder (the caller removes it once sent)."""
    handle, name = tempfile.mkstemp(prefix="linli-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        sheet = await asyncio.to_thread(_Sheet, path, sheet_name, columns, namer)
        async for batch in batches(rows):
            await asyncio.to_thread(sheet.write, batch)  # off the event loop: others go on
        await asyncio.to_thread(sheet.close)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return path


# -- CSV --------------------------------------------------------------------------------------------


def _csv_value(namer: Namer, column: Column, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if column.kind == "moment":
        return local(value).strftime(CSV_MOMENT)
    return namer.word(column, value)


async def csv_chunks(
    columns: tuple[Column, ...], rows: AsyncIterator[dict], namer: Namer
) -> AsyncIterator[bytes]:
    """The rows as CSV (UTF-8 with a byte-order mark), a batch of rows per chunk."""

    def text(write: Callable[[csv.writer], None]) -> bytes:
        buffer = io.StringIO()
        write(csv.writer(buffer))
        return buffer.getvalue().encode("utf-8")

    yield (BOM.encode("utf-8")) + text(lambda out: out.writerow([namer.title(c) for c in columns]))
    async for batch in batches(rows):
        yield text(
            lambda out, batch=batch: out.writerows(
                [_csv_value(namer, column, row.get(column.key)) for column in columns] for row in batch
            )
        )
