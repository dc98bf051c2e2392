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
from typing import Any, Callable, Iterable, Iterator

from loaders.errors import FileFormatError, RowError

__all__ = ["open_text", "read_csv_lists", "read_csv_rows", "read_delimited_lines"]


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


#: bytes read and decoded at a time (each block is cut after its last newline)
BLOCK_BYTES = 1 << 22


class _BadLine(Exception):
    """A wrong byte in a block: the lines decoded before it, and the error naming its line."""

    def __init__(self, lines: list[str], error: FileFormatError) -> None:
        super().__init__(str(error))
        self.lines, self.error = lines, error


def _decode_lines(data: bytes, first: int, encoding: str, path: str | Path, skip: int) -> list[str]:
    """Decode a block line by line (the slow way, for a block that holds a wrong byte).

    Line 1 is decoded with ``encoding`` (a BOM is stripped), the others without
    ``-sig``; the first ``skip`` lines of the file are not decoded (left empty).
    Raises :class:`_BadLine` at the first line that does not decode.
    """
    plain = encoding.replace("-sig", "")
    out: list[str] = []
    for n, chunk in enumerate(data.split(b"\n"), first):
        if n <= skip:
            out.append("")
            continue
        try:
            out.append(chunk.decode(encoding if n == 1 else plain))
        except UnicodeDecodeError as err:
            raise _BadLine(out, _decode_error(path, encoding, err, n)) from err
    return out


def _text_blocks(path: Path, encoding: str,
                 skip: int = 0) -> Iterator[tuple[int, list[str], FileFormatError | None]]:
    """Yield ``(number of the first line, lines, error)`` by blocks of whole lines.

    A block is decoded in one call (a newline byte never occurs inside a
    character of the ASCII-compatible encodings the sources use); only a block
    that fails is decoded line by line, to give the lines before the wrong byte
    and then the error of that byte's line (a wrong byte in the first ``skip``
    lines, which are not read, is no error). A line keeps everything but its
    ``\\n``.
    """
    plain = encoding.replace("-sig", "")
    line, rest = 1, b""
    with path.open("rb") as fp:
        while True:
            chunk = fp.read(BLOCK_BYTES)
            if chunk:
                data = rest + chunk if rest else chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # no newline yet: read on
                    rest = data
                    continue
                data, rest = data[:cut], data[cut:]
            elif rest:  # a last line without a newline
                data, rest = rest, b""
            else:
                return
            body = data[:-1] if data.endswith(b"\n") else data
            try:
                lines = body.decode(encoding if line == 1 else plain).split("\n")
            except UnicodeDecodeError:
                try:
                    lines = _decode_lines(body, line, encoding, path, skip)
                except _BadLine as bad:
                    yield line, bad.lines, bad.error
                    return
            yield line, lines, None
            line += len(lines)


def read_delimited_lines(
    path: str | Path, delimiter: str, encoding: str, *, skip: int = 0
) -> Iterator[tuple[int, list[str], str]]:
    """Yield ``(line, fields, raw)`` for each non-empty line, split with csv quoting rules.

    The file is read and decoded by blocks of lines; a wrong byte is still
    reported on its own line, after the lines before it. Each physical line is
    one row: a line holding a quote character (or a carriage return other than
    its ending) is parsed alone by :mod:`csv`; any other line is one that csv
    would split at every delimiter, so ``str.split`` does it.
    """
    p = _check_path(path)
    split = str.split
    for first, lines, error in _text_blocks(p, encoding, skip):
        line = first - 1
        for raw in lines:
            line += 1
            if line <= skip:
                continue
            if raw.endswith("\r"):
                raw = raw.rstrip("\r")
            if not raw or raw.isspace():
                continue
            if '"' in raw or "\r" in raw:
                yield line, next(csv.reader([raw], delimiter=delimiter)), raw
            else:
                yield line, split(raw, delimiter), raw
        if error is not None:
            raise error


def _read_header(path: str | Path, delimiter: str, encoding: str, required: Iterable[str],
                 trailing_delimiter: bool) -> tuple[list[str], Iterator[tuple[int, list[str], str]]]:
    """Read and check the header line; return it and the iterator of the lines after it."""
    lines = read_delimited_lines(path, delimiter, encoding)
    try:
        _, header, _ = next(lines)
    except StopIteration:
        raise FileFormatError("file is empty (expected a header line)", file=str(path)) from None
    if trailing_delimiter and header and header[-1] == "":
        header = header[:-1]
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        lines.close()
        raise FileFormatError(
            f"missing column(s) {', '.join(repr(m) for m in missing)} in the header "
            f"(is the delimiter {delimiter!r} right? header read as {len(header)} column(s))",
            file=str(path), line=1,
        )
    return header, lines


def _sized_rows(lines: Iterator[tuple[int, list[str], str]], path: str, width: int, trailing: bool,
                on_error: Callable[[RowError, str], None] | None) -> Iterator[tuple[int, Any, str]]:
    """The rows of ``width`` fields (after dropping a trailing empty one).

    A row of another width goes to ``on_error``, or is yielded with a
    :class:`RowError` in place of its fields when ``on_error`` is None.
    """
    for item in lines:
        fields = item[1]
        n = len(fields)
        if trailing and n and fields[-1] == "":
            fields.pop()
            n -= 1
        if n == width:
            yield item
            continue
        line, _, raw = item
        err = RowError(f"wrong number of fields: {n} instead of {width}", file=path, line=line, column=None,
                       value=None)
        if on_error is None:
            yield line, err, raw
        else:
            on_error(err, raw)


def read_csv_lists(
    path: str | Path,
    delimiter: str,
    encoding: str,
    required: Iterable[str] = (),
    *,
    trailing_delimiter: bool = False,
    on_error: Callable[[RowError, str], None],
) -> tuple[list[str], Iterator[tuple[int, list[str], str]]]:
    """Read the header of a headed file now; return it and an iterator of ``(line, fields, raw)``.

    The faster sibling of :func:`read_csv_rows` for big files: a row is the list
    of its fields, in the order of the header (look the columns up once in the
    header instead of building a dict per row).

    Parameters
    ----------
    required : columns that must be in the header (else FileFormatError naming them).
    trailing_delimiter : every line ends with the delimiter (Annuaire Santé): the
        empty last field is dropped.
    on_error : called with a :class:`RowError` and the raw line for a row with
        another number of fields than the header (that row is not yielded).

    Raises
    ------
    FileFormatError
        Missing or empty file, or missing columns (at the call, before any row).
    """
    header, lines = _read_header(path, delimiter, encoding, required, trailing_delimiter)
    return header, _sized_rows(lines, str(path), len(header), trailing_delimiter, on_error)


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
    header, lines = _read_header(path, delimiter, encoding, required, trailing_delimiter)
    for line, fields, raw in _sized_rows(lines, str(path), len(header), trailing_delimiter, None):
        if isinstance(fields, RowError):
            yield line, {"__error__": fields}, raw  # type: ignore[dict-item]
        else:
            yield line, dict(zip(header, fields)), raw
