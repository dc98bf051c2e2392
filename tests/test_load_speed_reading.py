"""The faster load path keeps every behaviour: block reading, the row-list reader, stable ids, edge merging."""
from __future__ import annotations

import csv
import hashlib
from array import array
from pathlib import Path

import pytest

import loaders.reading as reading
from graph.bulk import merge_edge_pairs
from graph.model import Activity
from loaders.errors import FileFormatError, LoadReport
from loaders.reading import read_csv_lists, read_csv_rows, read_delimited_lines
from loaders.rpps import read_personne_activite

RPPS = Path(__file__).parent / "data" / "rpps"


def _line_by_line(path, delimiter, encoding, skip=0):
    """The reference: each line decoded and parsed by csv on its own (what the block reader must give)."""
    out, line = [], 0
    with open(path, "rb") as fp:
        for data in fp:
            line += 1
            if line <= skip:
                continue
            try:
                raw = data.decode(encoding if line == 1 else encoding.replace("-sig", ""))
            except UnicodeDecodeError:
                out.append(("error", line))
                return out
            raw = raw.rstrip("\r\n")
            if raw.strip():
                out.append((line, next(csv.reader([raw], delimiter=delimiter)), raw))
    return out


def _blocks(path, delimiter, encoding, skip=0):
    out = []
    try:
        for item in read_delimited_lines(path, delimiter, encoding, skip=skip):
            out.append(item)
    except FileFormatError as err:
        out.append(("error", err.line))
    return out


TRICKY = (b'h1|h2|h3|\r\n"a|b"|2|3|\r\n\r\n   \n"open|2|3|\nq"x|2|3|\n1|"a""b"|3|\n'
          + "é|ü|€|\n".encode() + b"4|5|6|")


@pytest.mark.parametrize("block", [1, 5, 64, 1 << 22])
@pytest.mark.parametrize("skip", [0, 1])
def test_block_reading_gives_what_line_by_line_parsing_gives(tmp_path, monkeypatch, block, skip):
    path = tmp_path / "tricky.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TRICKY)
    monkeypatch.setattr(reading, "BLOCK_BYTES", block)
    assert _blocks(path, "|", "utf-8-sig", skip) == _line_by_line(path, "|", "utf-8-sig", skip)
    rows = _blocks(path, "|", "utf-8-sig", skip)
    assert (rows[0][1] if skip else rows[1][1]) == ["a|b", "2", "3", ""]  # a quoted delimiter stays in its field


@pytest.mark.parametrize("block", [3, 1 << 22])
def test_a_wrong_byte_is_reported_on_its_line_after_the_rows_before_it(tmp_path, monkeypatch, block):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"a|b|\n1|2|\n3|4|\n5|\xff|\n7|8|\n")
    monkeypatch.setattr(reading, "BLOCK_BYTES", block)
    rows = _blocks(path, "|", "utf-8")
    assert rows == _line_by_line(path, "|", "utf-8")
    assert [r[0] for r in rows] == [1, 2, 3, "error"] and rows[-1] == ("error", 4)
    with pytest.raises(FileFormatError, match=r"bad\.txt:4: cannot be read as utf-8: byte b'\\xff' is not valid"):
        list(read_delimited_lines(path, "|", "utf-8"))


def test_a_wrong_byte_in_a_skipped_line_is_not_read(tmp_path):
    path = tmp_path / "skip.txt"
    path.write_bytes(b"comment \xff\n1;2\n")
    assert list(read_delimited_lines(path, ";", "utf-8", skip=1)) == [(2, ["1", "2"], "1;2")]


def test_row_lists_and_row_dicts_agree_and_wrong_widths_are_reported_in_order(tmp_path):
    path = tmp_path / "rows.txt"
    path.write_bytes(b"a|b|c|\n1|2|3|\n1|2|\n4|5|6|\n1|2|3|4|\n")
    dicts = list(read_csv_rows(path, "|", "utf-8", ("a",), trailing_delimiter=True))
    errors = []
    header, rows = read_csv_lists(path, "|", "utf-8", ("a",), trailing_delimiter=True,
                                  on_error=lambda err, raw: errors.append((err.line, err.reason, raw)))
    lists = list(rows)
    assert header == ["a", "b", "c"]
    good = [d for d in dicts if "__error__" not in d[1]]
    assert [(line, dict(zip(header, f)), raw) for line, f, raw in lists] == good
    assert errors == [(d[0], d[1]["__error__"].reason, d[2]) for d in dicts if "__error__" in d[1]] == [
        (3, "wrong number of fields: 2 instead of 3", "1|2|"),
        (5, "wrong number of fields: 4 instead of 3", "1|2|3|4|")]
    with pytest.raises(FileFormatError, match="missing column"):
        read_csv_lists(path, "|", "utf-8", ("zz",), on_error=print)


@pytest.mark.parametrize("block", [7, 1 << 22])
@pytest.mark.parametrize("trailing", [False, True])
def test_wrong_widths_are_reported_in_their_turn(tmp_path, monkeypatch, block, trailing):
    # a wrong width reaches on_error between the rows before and after it, as the reader's caller takes them
    end = "|" if trailing else ""
    lines = ["a|b|c"] + [f"{i}|x|y" for i in range(2, 9)]
    lines[4], lines[6] = "4|x", "6|x|y|z"
    path = tmp_path / "plain.txt"
    path.write_text("\n".join(line + end for line in lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(reading, "BLOCK_BYTES", block)
    events = []
    header, rows = read_csv_lists(path, "|", "utf-8", ("a",), trailing_delimiter=trailing,
                                  on_error=lambda err, raw: events.append(("error", err.line, err.reason)))
    for line, fields, raw in rows:
        events.append(("row", line, fields))
    assert header == ["a", "b", "c"]
    assert events == [("row", 2, ["2", "x", "y"]), ("row", 3, ["3", "x", "y"]), ("row", 4, ["4", "x", "y"]),
                      ("error", 5, "wrong number of fields: 2 instead of 3"), ("row", 6, ["6", "x", "y"]),
                      ("error", 7, "wrong number of fields: 4 instead of 3"), ("row", 8, ["8", "x", "y"])]


@pytest.mark.parametrize("name, count, digest", [
    ("PS_LibreAcces_Personne_activite_sample_2021.txt", 13, "27b870f747223dfb"),
    ("PS_LibreAcces_Personne_activite_2023_format.txt", 4, "96f4da85433d56d1"),
])
def test_activity_ids_are_the_stable_ids_of_earlier_loads(name, count, digest):
    # digests of the sorted ids given by the loader before it was made faster: ids are stable graph ids
    ids = sorted(r.id for r in read_personne_activite(RPPS / name, LoadReport()) if isinstance(r, Activity))
    assert len(ids) == count
    assert hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16] == digest


def test_a_quoted_delimiter_in_an_annuaire_row_stays_in_its_field(tmp_path):
    lines = (RPPS / "PS_LibreAcces_Personne_activite_sample_2021.txt").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split("|")
    row = next(line for line in lines[1:] if line.split("|")[header.index("Raison sociale site")])
    fields = row.split("|")
    fields[header.index("Raison sociale site")] = '"Cabinet | du centre"'
    path = tmp_path / "quoted.txt"
    path.write_text("\n".join([lines[0], "|".join(fields)]) + "\n", encoding="utf-8")
    report = LoadReport()
    acts = [r for r in read_personne_activite(path, report) if isinstance(r, Activity)]
    assert report.rejected == []
    assert [a.site_name for a in acts] == ["Cabinet | du centre"]


@pytest.mark.parametrize("src, dst, props, expected", [
    ([1, 2, 3], [5, 5, 5], {}, ([1, 2, 3], [5, 5, 5], {})),  # sources all different
    ([1, 1, 1], [5, 6, 7], {}, ([1, 1, 1], [5, 6, 7], {})),  # targets all different
    ([1, 1, 2, 2], [5, 6, 5, 6], {}, ([1, 1, 2, 2], [5, 6, 5, 6], {})),  # both repeat, pairs do not
    ([1, 2, 1, 1], [5, 5, 5, 6], {2: {"o": 2}}, ([1, 2, 1], [5, 5, 6], {0: {"o": 2}})),  # a repeated pair
])
def test_repeated_pairs_are_merged_whichever_end_repeats(src, dst, props, expected):
    s, d, p = merge_edge_pairs(array("Q", src), array("Q", dst), props)
    assert (list(s), list(d), p) == expected
