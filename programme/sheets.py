"""Reading spreadsheets safely: CSV and XLSX files as rows of cell values, for ``programme import``.

A sheet comes from outside (a ticketing system, a programmer's laptop, an e-mail), so
nothing in it is trusted:

- **Size first.** A file over :data:`MAX_FILE_BYTES` is refused before it is read. An
  ``.xlsx`` is a zip of XML parts: its directory is checked before anything is unpacked
  (at most :data:`MAX_ENTRIES` entries, each XML part at most :data:`MAX_PART_BYTES` and
  all of them :data:`MAX_UNPACKED_BYTES` unpacked), so a zip bomb (a few kilobytes that
  unpack to gigabytes) is refused at once. Python's zip reader never gives more than the
  size an entry declares, so the check bounds what is unpacked.
- **No XML tricks.** A part with a document type declaration (``<!DOCTYPE``, where
  entities are declared) is refused; Excel never writes one.
- **Bounded sheets.** A sheet whose declared range (its ``<dimension>``) or whose rows go
  past :data:`MAX_ROWS` rows or :data:`MAX_COLUMNS` columns is refused with a clear
  message (a sheet of 1 048 576 rows or 16 384 columns is a mistake), checked while the
  rows are read one by one in openpyxl's read-only mode, so memory stays bounded. Only
  non-empty cells are kept.
- **Formulas are never evaluated.** A formula cell is read as the value the spreadsheet
  program saved with it (openpyxl's ``data_only``), as text. A formula cell *without* a
  saved value (a file written by a program rather than saved by a spreadsheet) is
  **refused**, with its formula quoted: its text is not content, and running it is out
  of the question. A cell showing an error (``#REF!``, ``#N/A``…) is refused too.
- **Text.** A CSV file must be UTF-8 (with or without a byte order mark); anything else
  is a clear error saying how to save it as UTF-8. Its delimiter is whatever
  :class:`csv.Sniffer` finds among ``,`` ``;`` tab and ``|``.

Every problem names its cell the way a spreadsheet program does: ``films.xlsx:Films!D14``,
``films.csv:D14`` (CSV rows are counted as records, header included, as a spreadsheet
program shows them).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, ProgrammeError
from .yamlfile import Unreadable, open_checked

MAX_FILE_BYTES = 50_000_000  # a 2 000-film sheet with every review is about 10 MB
MAX_ROWS = 50_000  # rows of a sheet (a 2 000-film festival's schedule has about 6 000)
MAX_COLUMNS = 500  # columns of a sheet
MAX_CELLS = 500_000  # non-empty cells in one file (a 2 000-film sheet has about 50 000)
MAX_ENTRIES = 5_000  # files in an .xlsx zip
MAX_PART_BYTES = 32_000_000  # one XML part of an .xlsx, unpacked
MAX_UNPACKED_BYTES = 128_000_000  # all of an .xlsx, unpacked
EXCEL_LIMITS = (1_048_576, 16_384)  # the most a spreadsheet program allows, for messages

# What a cell holding a spreadsheet error shows (openpyxl reads them as this text).
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!"}
# Day 0 of Excel's serial dates (the 1900 system, with its 29 February 1900): serial
# 41196 is 2012-10-14. A workbook may use the 1904 system; openpyxl reads which.
EXCEL_EPOCH = dt.datetime(1899, 12, 30)

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SAVE_AS = "save it as .xlsx (Excel Workbook) or CSV UTF-8"


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem at a cell of a sheet: ``films.xlsx:Films!D14: runtime: …``. ``file`` is
    the file (and sheet) and ``line`` the row, so problems sort by sheet and row."""

    where: str = ""

    def __str__(self) -> str:
        what = f"{self.field}: {self.message}" if self.field else self.message
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.where or self.file}: {prefix}{what}"


def column_letter(column: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_ref(name: str) -> str:
    """A sheet name as a cell reference writes it: Films, 'Screenings 2012'."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


@dataclass
class Table:
    """One sheet: its non-empty rows as (row number, {column number: value}), numbered
    from 1 as a spreadsheet program numbers them. Values are text, whole or decimal
    numbers, booleans, dates, times or date-times; empty cells are left out."""

    label: str  # the file as shown to the user
    sheet: str | None  # the sheet's name in a workbook; None for CSV
    rows: list[tuple[int, dict[int, object]]] = field(default_factory=list)
    epoch: dt.datetime = EXCEL_EPOCH  # day 0 of serial dates
    # cells refused while reading (formulas without a saved value, error values); they are
    # left out of ``rows`` and reported with the importer's problems, all at once
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        """'films.xlsx:Films' or 'films.csv'."""
        return f"{self.label}:{_sheet_ref(self.sheet)}" if self.sheet is not None else self.label

    def ref(self, row: int, column: int | None = None) -> str:
        """'films.xlsx:Films!D14', 'films.csv:D14' (column A without a column)."""
        cell = f"{column_letter(column or 1)}{row}"
        return f"{self.name}!{cell}" if self.sheet is not None else f"{self.label}:{cell}"

    def problem(self, row: int, column: int | None, field_name: str | None, message: str,
                severity: str = "error") -> CellProblem:
        return CellProblem(self.name, row, field_name, message, severity,
                           where=self.ref(row, column))


def _fail(label: str, message: str) -> ProgrammeError:
    return ProgrammeError([Problem(label, None, None, message)])


def read_tables(path: Path, label: str, sheet: str | None = None) -> list[Table]:
    """The sheets of the CSV or XLSX file ``path``: every visible sheet of a workbook, or
    the one named ``sheet``. Raises ProgrammeError (with the file, sheet and cell) for a
    file that cannot or must not be read."""
    path = Path(path)
    try:
        fd, info = open_checked(path)
    except Unreadable as exc:
        raise _fail(label, str(exc) if str(exc) != "file not found"
                    else "cannot read file: No such file or directory") from None
    try:
        if info.st_size > MAX_FILE_BYTES:
            raise _fail(label, f"file is {info.st_size:,} bytes; sheets are limited to "
                               f"{MAX_FILE_BYTES:,} bytes")
        data = _read_fd(fd, MAX_FILE_BYTES, label)
    finally:
        os.close(fd)
    suffix = path.suffix.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(label, f"is an old-style Excel file (.xls); {SAVE_AS}")
    if data[:4] == b"PK\x03\x04" or suffix in XLSX_SUFFIXES:
        if suffix in (".ods",) or b"application/vnd.oasis.opendocument" in data[:200]:
            raise _fail(label, f"is an OpenDocument spreadsheet (.ods); {SAVE_AS}")
        if data[:4] != b"PK\x03\x04":
            raise _fail(label, f"is not an .xlsx workbook (an .xlsx file is a zip archive); "
                               f"{SAVE_AS}")
        return read_xlsx(data, label, sheet)
    if suffix not in CSV_SUFFIXES:
        raise _fail(label, f"is not a sheet programme reads (expected .csv or .xlsx); {SAVE_AS}")
    if sheet is not None:
        raise _fail(label, "--sheet names a sheet of an .xlsx workbook; a CSV file has one")
    return [read_csv(data, label)]


def _read_fd(fd: int, limit: int, label: str) -> bytes:
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise _fail(label, f"file is more than {limit:,} bytes; sheets are limited to "
                           f"{limit:,} bytes")
    return b"".join(chunks)


# ----------------------------------------------------------------------------- CSV
def _decode(data: bytes, label: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            len(data) > 1 and b"\x00" in data[:200] and data[:200].count(b"\x00") * 3 >= len(data[:200])):
        raise _fail(label, "is UTF-16 text ('Unicode Text'); save it as CSV UTF-8 (in Excel: "
                           "File > Save As > CSV UTF-8 (Comma delimited))")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise ProgrammeError([Problem(
            label, line, None,
            f"the file is not UTF-8 text (byte 0x{byte:02X} cannot be read: saved as "
            "Windows-1252, Latin-1 or Mac Roman?); save it as CSV UTF-8 (in Excel: File > "
            "Save As > CSV UTF-8; in LibreOffice: Character set 'Unicode (UTF-8)')")]) from None


def _delimiter(text: str) -> str:
    """What csv.Sniffer finds among , ; tab |, checked against the first line; the most
    frequent of them on the first line when it finds nothing."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    first = sample.split("\n", 1)[0]
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        found = None
    if found is not None and (found in first or "\n" not in sample.strip()):
        return found
    counts = {d: first.count(d) for d in ",;\t|"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data: bytes, label: str) -> Table:
    text = _decode(data, label)
    table = Table(label, None)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text),
                        quotechar='"', doublequote=True, strict=False)
    cells = 0
    row_number = 0
    try:
        for row_number, row in enumerate(reader, start=1):
            if row_number > MAX_ROWS:
                raise _fail(label, f"has more than {MAX_ROWS:,} rows; programme reads at most "
                                   f"{MAX_ROWS:,} (a festival's films or screenings fit "
                                   "easily): remove the empty or unrelated rows")
            if len(row) > MAX_COLUMNS:
                raise ProgrammeError([table.problem(
                    row_number, MAX_COLUMNS + 1, None,
                    f"row {row_number} has {len(row):,} columns; programme reads at most "
                    f"{MAX_COLUMNS:,}: remove the empty or unrelated columns")])
            values = {i: value for i, value in enumerate(row, start=1) if value.strip()}
            if values:
                cells += len(values)
                if cells > MAX_CELLS:
                    raise _fail(label, f"has more than {MAX_CELLS:,} filled cells")
                table.rows.append((row_number, values))
    except csv.Error as exc:
        where = table.ref(row_number + 1) if row_number else label
        raise ProgrammeError([CellProblem(label, row_number + 1, None,
                                          f"cannot be read as CSV: {exc}", where=where)]) from None
    return table


# ---------------------------------------------------------------------------- XLSX
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _check_zip(data: bytes, label: str) -> tuple[zipfile.ZipFile, set[str]]:
    """The workbook's zip, its directory checked before anything is unpacked, then each XML
    part read (within its declared size) for document type declarations. Returns the
    zip and the parts that hold formulas."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail(label, f"is not a readable .xlsx workbook (the zip archive is damaged: "
                           f"{exc}); {SAVE_AS}") from None
    if len(entries) > MAX_ENTRIES:
        raise _fail(label, f"holds {len(entries):,} files; an .xlsx workbook of films holds a "
                           f"few dozen (at most {MAX_ENTRIES:,} are read)")
    total = sum(e.file_size for e in entries)
    if total > MAX_UNPACKED_BYTES:
        raise _fail(label, f"unpacks to {total:,} bytes ({_ratio(entries)}); programme unpacks "
                           f"at most {MAX_UNPACKED_BYTES:,} bytes of a workbook (a zip bomb, or "
                           "a sheet far larger than a festival's)")
    formulas: set[str] = set()
    for entry in entries:
        name = entry.filename
        if not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        if entry.file_size > MAX_PART_BYTES:
            raise _fail(label, f"its part {name} unpacks to {entry.file_size:,} bytes "
                               f"({_ratio([entry])}); programme reads parts of at most "
                               f"{MAX_PART_BYTES:,} bytes (a zip bomb, or a sheet far larger "
                               "than a festival's)")
        try:
            with archive.open(entry) as part:
                tail = b""
                while True:
                    chunk = part.read(1 << 20)
                    if not chunk:
                        break
                    window = tail + chunk
                    if _DOCTYPE.search(window):
                        raise _fail(label, f"its part {name} declares a document type or "
                                           "entities (<!DOCTYPE); spreadsheet programs never "
                                           f"write one, so it is refused; {SAVE_AS} again")
                    if _FORMULA.search(window):
                        formulas.add(name)
                    tail = chunk[-16:]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError,
                NotImplementedError) as exc:
            raise _fail(label, f"is damaged: its part {name} cannot be unpacked ({exc}); "
                               f"{SAVE_AS} again") from None
    return archive, formulas


def _ratio(entries) -> str:
    packed = sum(e.compress_size for e in entries)
    return f"from {packed:,} bytes packed"


def _open_workbook(data: bytes, label: str, data_only: bool):
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Unknown extension", "no default style"…
            return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only,
                                 keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 - any failure to read means "not a workbook"
        raise _fail(label, f"cannot be read as an .xlsx workbook ({type(exc).__name__}: "
                           f"{str(exc)[:200]}); {SAVE_AS}") from None


def read_xlsx(data: bytes, label: str, sheet: str | None = None) -> list[Table]:
    _archive, formula_parts = _check_zip(data, label)
    workbook = _open_workbook(data, label, data_only=True)
    try:
        sheets = list(workbook.worksheets)
        if sheet is not None:
            chosen = [ws for ws in sheets if ws.title == sheet] or [
                ws for ws in sheets if ws.title.casefold() == sheet.strip().casefold()]
            if not chosen:
                names = ", ".join(repr(ws.title) for ws in sheets)
                raise _fail(label, f"has no sheet named {sheet!r} (its sheets: {names})")
            sheets = chosen[:1]
        else:
            sheets = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
        epoch = getattr(workbook, "epoch", EXCEL_EPOCH)
        tables = []
        formulas_book = None
        cells = [0]
        for ws in sheets:
            part = getattr(ws, "_worksheet_path", None)
            has_formulas = part is None or part.lstrip("/") in formula_parts
            if has_formulas and formulas_book is None:
                formulas_book = _open_workbook(data, label, data_only=False)
            formula_ws = formulas_book[ws.title] if has_formulas else None
            tables.append(_read_sheet(ws, formula_ws, label, epoch, cells))
        return tables
    finally:
        workbook.close()


def _read_sheet(ws, formula_ws, label: str, epoch, cells: list[int]) -> Table:
    table = Table(label, ws.title, epoch=epoch)
    max_row, max_column = ws.max_row, ws.max_column  # the declared <dimension>, if any
    if (max_row or 0) > MAX_ROWS or (max_column or 0) > MAX_COLUMNS:
        rows, columns = max_row or 0, max_column or 0
        dims = (f"{rows:,} row{'s' if rows != 1 else ''} × {columns:,} "
                f"column{'s' if columns != 1 else ''}")
        raise _fail(table.name, f"the sheet's range is {ws.calculate_dimension()} ({dims}); "
                                f"programme reads at most {MAX_ROWS:,} rows and "
                                f"{MAX_COLUMNS:,} columns: copy the films (or screenings) "
                                "into a new sheet, or delete the empty rows and columns "
                                "below and to the right of them")
    # The declared range is not trusted further: rows are counted as they are read.
    ws.reset_dimensions()
    rows = ws.iter_rows(values_only=True)
    formula_rows = None
    if formula_ws is not None:
        formula_ws.reset_dimensions()
        formula_rows = formula_ws.iter_rows(values_only=True)
    for row_number, row in enumerate(rows, start=1):
        formula_row = next(formula_rows, ()) if formula_rows is not None else ()
        if row_number > MAX_ROWS:
            raise _fail(table.name, f"the sheet has more than {MAX_ROWS:,} rows; programme "
                                    f"reads at most {MAX_ROWS:,}: copy the films (or "
                                    "screenings) into a new sheet, or delete the rows below "
                                    "them")
        if len(row) > MAX_COLUMNS and any(v is not None for v in row[MAX_COLUMNS:]):
            last = max(i for i, v in enumerate(row, start=1) if v is not None)
            raise ProgrammeError([table.problem(
                row_number, last, None,
                f"the sheet has a cell in column {column_letter(last)} (column {last:,}); "
                f"programme reads at most {MAX_COLUMNS:,} columns: delete the columns to "
                "the right of the films")])
        values: dict[int, object] = {}
        for column, value in enumerate(row[:MAX_COLUMNS], start=1):
            if value is None and column <= len(formula_row) and formula_row[column - 1] is not None:
                formula = formula_row[column - 1]
                table.problems.append(table.problem(
                    row_number, column, None,
                    f"is a formula without a saved value ({_show_formula(formula)}); "
                    "programme never runs formulas: open the sheet in a spreadsheet program "
                    "and save it (saving stores each formula's value), or type the value"))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
                table.problems.append(table.problem(
                    row_number, column, None,
                    f"the cell shows the spreadsheet error {value.strip()}; correct it or "
                    "type the value"))
                continue
            values[column] = value
        if values:
            cells[0] += len(values)
            if cells[0] > MAX_CELLS:
                raise _fail(label, f"has more than {MAX_CELLS:,} filled cells")
            table.rows.append((row_number, values))
    return table


def _show_formula(formula) -> str:
    text = getattr(formula, "text", None) or str(formula)
    text = text if text.startswith("=") else "=" + text
    return text if len(text) <= 60 else text[:57] + "..."
