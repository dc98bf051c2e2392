"""Streaming readers shared by the loaders: declared delimiter and encoding, no sniffing.

Each yields ``(line_number, row, raw_line)`` so a bad row can be reported with its
line and kept verbatim in the rejects report. File-level problems (missing file,
wrong encoding, missing columns) raise :class:`loaders.errors.FileFormatError`
with one clear sentence.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Iterator

from loaders.errors import FileFormatError, RowError

__all__ = ["open_text", "read_csv_rows", "read_delimited_lines"]


def _check_path(path: str | Path) -> Path:
    """Return the path of an existing file, or raise FileFormatError."""
    p = Path(path)
    if not p.exists():
        raise FileFormatError("file not found", file=str(p))
    if p.is_dir():
        raise FileFormatError("is a folder, expected a file", file=str(p))
    return p


def open_text(path: str | Path, encoding: str) -> io.TextIOWrapper:
    """Open a text file strictly in ``encoding``; a missing file raises FileFormatError."""
    return _check_path(path).open("r", encoding=encoding, errors="strict", newline="")


def _decode_error(path: str | Path, encoding: str, err: UnicodeDecodeError, line: int) -> FileFormatError:
    hint = " (FINESS extracts are ISO-8859-1; Annuaire Santé and INSEE files are UTF-8)"
    return FileFormatError(
        f"cannot be read as {encoding}: byte {err.object[err.start:err.start + 1]!r} is not valid{hint}",
        file=str(path), line=line,
    )


def read_delimited_lines(
    path: str | Path, delimiter: str, encoding: str, *, skip: int = 0
) -> Iterator[tuple[int, list[str], str]]:
    """Yield ``(line, fields, raw)`` for each non-empty line, split with csv quoting rules.

    Lines are decoded one by one, so a wrong byte is reported on its own line.
    """
    p = _check_path(path)
    line = 0
    with p.open("rb") as fp:
        for data in fp:
            line += 1
            if line <= skip:
                continue
            try:
                raw = data.decode(encoding if line == 1 else encoding.replace("-sig", ""))
            except UnicodeDecodeError as err:
                raise _decode_error(path, encoding, err, line) from err
            raw = raw.rstrip("\r\n")
            if not raw.strip():
                continue
            fields = next(csv.reader([raw], delimiter=delimiter))
            yield line, fields, raw


def read_csv_rows(
    path: str | Path,
    delimiter: str,
    encoding: str,
    required: Iterable[str] = (),
    *,
    trailing_delimiter: bool = False,
) -> Iterator[tuple[int, dict[str, str], str]]:
    """Yield ``(line, row, raw)`` for a headed file, mapping columns by header name.

    Parameters
    ----------
    required : columns that must be in the header (else FileFormatError naming them).
    trailing_delimiter : every line ends with the delimiter (Annuaire Santé): the
        empty last field is dropped.

    A row with another number of fields than the header is yielded with key
    ``"__error__"`` holding a :class:`RowError`, so the caller rejects it.
    """
    lines = read_delimited_lines(path, delimiter, encoding)
    try:
        first = next(lines)
    except StopIteration:
        raise FileFormatError("file is empty (expected a header line)", file=str(path)) from None
    _, header, _ = first
    if trailing_delimiter and header and header[-1] == "":
        header = header[:-1]
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise FileFormatError(
            f"missing column(s) {', '.join(repr(m) for m in missing)} in the header "
            f"(is the delimiter {delimiter!r} right? header read as {len(header)} column(s))",
            file=str(path), line=1,
        )
    width = len(header)
    for line, fields, raw in lines:
        if trailing_delimiter and fields and fields[-1] == "":
            fields = fields[:-1]
        if len(fields) != width:
            row = {"__error__": RowError(  # type: ignore[dict-item]
                f"wrong number of fields: {len(fields)} instead of {width}",
                file=str(path), line=line, column=None, value=None,
            )}
            yield line, row, raw
            continue
        yield line, dict(zip(header, fields)), raw
