"""Identifiers of actors as the CPTS's files give them: RPPS, ADELI, FINESS, ``PS:``/``ES:``/``CPTS:`` parties."""
from __future__ import annotations

import re

from loaders.cleaning import ADELI_RE, RPPS_RE, check_finess
from loaders.errors import RowError

__all__ = ["LOCAL_ID_RE", "PS_ID_REASON", "professional_id", "parse_party"]

PS_ID_REASON = (
    "not a valid professional identifier (RPPS: 11 digits, ADELI: 9 characters, "
    "or Identification nationale PP: 8+RPPS, 0+ADELI)"
)
_NATIONAL_RPPS_RE = re.compile(r"^8\d{11}$")
LOCAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


def professional_id(value: str, column: str = "identifiant") -> str:
    """Return the Identification nationale PP of an RPPS, an ADELI or an already-national id.

    The graph id of a :class:`~graph.model.Professional` is the Identification
    nationale PP: ``8`` + RPPS or ``0`` + ADELI, as in the Annuaire Santé.

    Parameters
    ----------
    value : str
        An RPPS (11 digits), an ADELI (9 characters), or an Identification
        nationale PP (12 digits starting with 8, or 10 characters starting with 0).
    column : str
        Column name used in the error.

    Returns
    -------
    str
        The Identification nationale PP.

    Raises
    ------
    RowError
        The value is none of these forms.

    Examples
    --------
    >>> professional_id("10101234567"), professional_id("810101234567")
    ('810101234567', '810101234567')
    >>> professional_id("591234567"), professional_id("0591234567")
    ('0591234567', '0591234567')
    """
    v = (value or "").strip()
    if RPPS_RE.match(v):
        return "8" + v
    if _NATIONAL_RPPS_RE.match(v):
        return v
    if len(v) == 10 and v.startswith("0") and ADELI_RE.match(v[1:]):
        return v
    if ADELI_RE.match(v):
        return "0" + v
    raise RowError(PS_ID_REASON, column=column, value=value)


def parse_party(value: str, column: str = "parties", *, allow_cpts: bool = True) -> tuple[str, str]:
    """Parse ``PS:<id>``, ``ES:<FINESS>`` or ``CPTS:<territory id>`` to ``(label, graph id)``.

    Parameters
    ----------
    value : str
        The prefixed identifier (prefix case ignored).
    column : str
        Column name used in the error.
    allow_cpts : bool
        Accept the ``CPTS:`` prefix (a territory).

    Returns
    -------
    tuple of str
        The node label (``Professional``, ``Structure`` or ``Territory``) and the id.

    Raises
    ------
    RowError
        Unknown prefix or bad identifier.

    Examples
    --------
    >>> parse_party("PS:10101234567"), parse_party("es:590000014"), parse_party("CPTS:cpts-douaisis")
    (('Professional', '810101234567'), ('Structure', '590000014'), ('Territory', 'cpts-douaisis'))
    """
    item = (value or "").strip()
    prefix, sep, ident = item.partition(":")
    prefix = prefix.strip().upper()
    ident = ident.strip()
    expected = "PS:<RPPS or ADELI>, ES:<FINESS>" + (" or CPTS:<territory id>" if allow_cpts else "")
    if not sep or not ident or prefix not in ("PS", "ES", "CPTS") or (prefix == "CPTS" and not allow_cpts):
        raise RowError(f"bad party {item!r} (expected {expected})", column=column, value=item)
    try:
        if prefix == "PS":
            return "Professional", professional_id(ident, column)
        if prefix == "ES":
            return "Structure", check_finess(ident, column)
    except RowError as err:
        raise RowError(f"bad party {item!r}: {err.reason}", column=column, value=item) from err
    if not LOCAL_ID_RE.match(ident):
        raise RowError(f"bad party {item!r}: not a valid territory id (letters, digits, - _ . :)",
                       column=column, value=item)
    return "Territory", ident
