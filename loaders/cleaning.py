"""Tiny, explicit cleaning helpers shared by the loaders (after sqlite-utils' recipes).

Each raises :class:`loaders.errors.RowError` on a bad value unless told otherwise;
the caller fills in file and line.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any, Iterable

from loaders.errors import RowError

__all__ = [
    "parse_date",
    "parse_bool",
    "parse_float",
    "parse_int",
    "normalize_name",
    "check_rpps",
    "check_adeli",
    "check_finess",
    "check_insee",
    "clean_phone",
    "unique",
    "RPPS_RE",
    "ADELI_RE",
    "FINESS_RE",
    "INSEE_RE",
]

RPPS_RE = re.compile(r"^\d{11}$")
ADELI_RE = re.compile(r"^\d{9}$|^\d[0-9AB]\d{7}$")
FINESS_RE = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3}|97\d{3})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR_DATE_RE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")

_TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
_FALSE = {"non", "n", "no", "false", "faux", "0", ""}


def parse_date(value: str, column: str = "date") -> str | None:
    """Parse ``AAAA-MM-JJ`` or ``JJ/MM/AAAA`` to an ISO date string; empty gives None.

    >>> parse_date("2024-03-01"), parse_date("01/03/2024"), parse_date("")
    ('2024-03-01', '2024-03-01', None)
    """
    value = (value or "").strip()
    if not value:
        return None
    m = _DATE_RE.match(value)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = _FR_DATE_RE.match(value)
        if not m:
            raise RowError("not a date (expected AAAA-MM-JJ or JJ/MM/AAAA)", column=column, value=value)
        d, mo, y = (int(x) for x in m.groups())
    try:
        return date(y, mo, d).isoformat()
    except ValueError as err:
        raise RowError(f"impossible date ({err})", column=column, value=value) from err


def parse_bool(value: str, column: str = "flag") -> bool | None:
    """Parse oui/non, true/false, 1/0 (case ignored); empty gives None.

    >>> parse_bool("Oui"), parse_bool("non"), parse_bool("")
    (True, False, None)
    """
    v = (value or "").strip().lower()
    if v == "":
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise RowError("not a yes/no value (expected oui or non)", column=column, value=value)


def parse_float(value: str, column: str = "number") -> float | None:
    """Parse a decimal number, accepting a decimal comma; empty gives None.

    >>> parse_float("3,5"), parse_float("")
    (3.5, None)
    """
    v = (value or "").strip().replace(",", ".")
    if not v:
        return None
    try:
        return float(v)
    except ValueError as err:
        raise RowError("not a number", column=column, value=value) from err


def parse_int(value: str, column: str = "number") -> int | None:
    """Parse an integer; empty gives None.

    >>> parse_int("860"), parse_int("")
    (860, None)
    """
    v = (value or "").strip()
    if not v:
        return None
    try:
        return int(v)
    except ValueError as err:
        raise RowError("not an integer", column=column, value=value) from err


def normalize_name(value: str) -> str:
    """Fold a place name for matching: no accents, no case, hyphens and apostrophes as spaces.

    >>> normalize_name("Saint-Amand-les-Eaux"), normalize_name("L'Abergement"), normalize_name("Annœullin")
    ('saint amand les eaux', 'l abergement', 'annoeullin')
    """
    v = (value or "").replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    v = unicodedata.normalize("NFKD", v)
    v = "".join(c for c in v if not unicodedata.combining(c)).lower()
    v = re.sub(r"[\s\-'’_.]+", " ", v)
    v = re.sub(r"\bst\b", "saint", v)
    v = re.sub(r"\bste\b", "sainte", v)
    return v.strip()


def _check(pattern: re.Pattern[str], value: str, column: str, what: str) -> str:
    v = (value or "").strip()
    if not pattern.match(v):
        raise RowError(f"not a valid {what}", column=column, value=value)
    return v


def check_rpps(value: str, column: str = "rpps") -> str:
    """Return an RPPS number (11 digits) or raise.

    >>> check_rpps("10106476764")
    '10106476764'
    """
    return _check(RPPS_RE, value, column, "RPPS number (11 digits)")


def check_adeli(value: str, column: str = "adeli") -> str:
    """Return an ADELI number (9 characters) or raise.

    >>> check_adeli("010001949")
    '010001949'
    """
    return _check(ADELI_RE, value, column, "ADELI number (9 characters)")


def check_finess(value: str, column: str = "finess") -> str:
    """Return a FINESS number (9 characters, 2A/2B allowed) or raise.

    >>> check_finess("590000014")
    '590000014'
    """
    return _check(FINESS_RE, value, column, "FINESS number (9 characters)")


def check_insee(value: str, column: str = "commune") -> str:
    """Return an INSEE commune code (5 characters, 2A/2B allowed) or raise.

    >>> check_insee("2A004")
    '2A004'
    """
    return _check(INSEE_RE, value, column, "INSEE commune code")


def clean_phone(value: str) -> str | None:
    """Keep the digits of a French phone number (and a leading +); empty gives None.

    >>> clean_phone("03 27 93 09 09")
    '0327930909'
    """
    v = re.sub(r"[^\d+]", "", value or "")
    return v or None


def unique(items: Iterable[Any]) -> list[Any]:
    """Keep the first occurrence of each item, in order.

    >>> unique(["60", "10", "60"])
    ['60', '10']
    """
    seen: set[Any] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
