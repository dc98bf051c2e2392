"""The binary encoding of ``GRAPH.BULK`` tokens: values, and node rows by batches of a label.

A value is a type byte and its payload: ``0`` null (the property is not set), ``1``
bool, ``2`` double, ``3`` string (``\\0``-terminated UTF-8), ``4`` int64, ``5`` array
(``int64`` length, then the values). Node rows are encoded column by column
(:class:`_RowEncoder`): a repetitive column's values are encoded once each. Used by
:mod:`graph.bulk`, which speaks the rest of the protocol.

Examples
--------
>>> encode_value(["59000", 7, True, None])
b'\\x05\\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x0359000\\x00\\x04\\x07\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x01\\x00'
"""
from __future__ import annotations

import dataclasses
import operator
import struct
from functools import lru_cache
from itertools import repeat, starmap
from typing import Any, Callable, Iterable, NamedTuple

from graph.exceptions import GraphError
from graph.model import Record

__all__ = ["encode_value", "record_columns"]

_NULL = b"\x00"
_TRUE, _FALSE = b"\x01\x01", b"\x01\x00"
_PACK_LONG = struct.Struct("=Bq").pack
_PACK_DOUBLE = struct.Struct("=Bd").pack
_PACK_HEADER_COUNT = struct.Struct("=I").pack
_PACK_ARRAY = struct.Struct("=Bq").pack
_INT64 = (-(1 << 63), (1 << 63) - 1)


def encode_value(value: Any) -> bytes:
    """Encode one property value in the ``GRAPH.BULK`` binary format.

    Parameters
    ----------
    value : None, bool, int, float, str, or a list/tuple of those. ``None`` and
        an empty list become null (the property is not set), as the model's
        ``node_props()`` leaves them out.

    Returns
    -------
    bytes
        The type byte and the payload.

    Raises
    ------
    GraphError
        A value of another type, an integer outside int64, or a string holding a
        NUL character (the protocol ends strings at NUL).

    Examples
    --------
    >>> encode_value("Douai")
    b'\\x03Douai\\x00'
    >>> encode_value(None) == encode_value([]) == b'\\x00'
    True
    """
    t = type(value)
    if t is str:
        if "\x00" in value:
            raise GraphError(f"the string {value!r} holds a NUL character, which GRAPH.BULK cannot carry")
        return b"\x03" + value.encode() + b"\x00"
    if value is None:
        return _NULL
    if t is bool:
        return _TRUE if value else _FALSE
    if t is int:
        if not _INT64[0] <= value <= _INT64[1]:
            raise GraphError(f"the integer {value} does not fit in 64 bits")
        return _PACK_LONG(4, value)
    if t is float:
        return _PACK_DOUBLE(2, value)
    if t is list or t is tuple:
        if not value:
            return _NULL
        return _PACK_ARRAY(5, len(value)) + b"".join([encode_value(v) for v in value])
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, (str, int, float, list, tuple)):  # subclasses (str enums...): as their base type
        base = next(b for b in (str, int, float, list) if isinstance(value, b))
        return encode_value(base(value))
    raise GraphError(f"cannot store a value of type {t.__name__} in the graph: {value!r}")


_NONE_MARK = {None: "\x01"}.get  # _NONE_MARK(v, v): "\x01" for None, v itself otherwise


class _Layout(NamedTuple):
    """How to read a record class's node properties without building a dict."""

    columns: tuple[str, ...]
    strings: Callable[[Any], tuple] | None  # getter of the str-annotated fields (first columns)
    others: Callable[[Any], tuple] | None  # getter of the remaining fields
    packers: dict[tuple[type, ...], Callable[[tuple], bytes] | None]  # by the types of the remaining values
    values: Callable[[Any], tuple]  # getter of every column, in order
    n_strings: int  # how many of the first columns are the str-annotated ones


_STRUCT_CODES = {int: ("Bq", 4), float: ("Bd", 2), bool: ("B?", 1), type(None): ("B", 0)}


def _packer(types: tuple[type, ...]) -> Callable[[tuple], bytes] | None:
    """One ``struct.pack`` call for a row of ints, floats, booleans and Nones of these types (else None).

    >>> _packer((int, type(None), bool))((7, None, True)) == encode_value(7) + encode_value(None) + encode_value(True)
    True
    """
    if not all(t in _STRUCT_CODES for t in types):
        return None
    packer = struct.Struct("=" + "".join(_STRUCT_CODES[t][0] for t in types)).pack
    args = ", ".join(f"{_STRUCT_CODES[t][1]}" + ("" if t is type(None) else f", v[{i}]") for i, t in enumerate(types))
    namespace: dict[str, Any] = {"pack": packer}
    exec(f"def pack_row(v):\n    return pack({args})\n", namespace)  # noqa: S102 - code built from the type table
    return namespace["pack_row"]


def _encode_others(layout: _Layout, values: tuple) -> bytes:
    """Encode the non-string fields of a row: one struct call when their types allow it."""
    types = tuple(map(type, values))
    try:
        packer = layout.packers[types]
    except KeyError:
        packer = layout.packers[types] = _packer(types)
    if packer is not None:
        try:
            return packer(values)
        except struct.error:  # an int beyond 64 bits: encode_value names it
            pass
    return b"".join([encode_value(v) for v in values])


def _joined_tokens(column: tuple) -> list[bytes]:
    """The token of each value of a string column (``\\x03 value \\x00``, ``\\x00`` for None), in a few C-level passes.

    The values are joined into one text, tokens separated by ``\\x02``; a None goes
    in as ``\\x01`` and ``\\x03\\x01\\x00`` is then replaced by the null byte; the text
    is encoded once and split. Another type, or a value holding ``\\x00``, ``\\x01``
    or ``\\x02``, goes value by value through :func:`encode_value` (a NUL inside a
    value would end the string early, a ``\\x01`` could fake a None and a ``\\x02``
    a separator; a ``\\x03`` is harmless: the server reads a string up to its NUL).

    >>> _joined_tokens(("Douai", None, "Été")) == [encode_value(v) for v in ("Douai", None, "Été")]
    True
    """
    try:
        text = "\x03" + "\x00\x02\x03".join(map(_NONE_MARK, column, column)) + "\x00"
    except TypeError:  # a non-string value (or an unhashable one)
        return [encode_value(v) for v in column]
    n, nones = len(column), column.count(None)
    if text.count("\x00") != n or text.count("\x02") != n - 1 or text.count("\x01") != nones:
        return [encode_value(v) for v in column]
    if nones:
        text = text.replace("\x03\x01\x00", "\x00")
    return text.encode().split(b"\x02")


def _tails(layout: _Layout, columns: list[tuple]) -> list[bytes]:
    """The encoded non-string fields of each row: one struct call per row, built in C when every column has one type."""
    types = [set(map(type, c)) for c in columns]
    if all(len(t) == 1 and next(iter(t)) in _STRUCT_CODES for t in types):
        kinds = [next(iter(t)) for t in types]
        pack = struct.Struct("=" + "".join(_STRUCT_CODES[t][0] for t in kinds)).pack
        args: list[Iterable[Any]] = []
        for kind, column in zip(kinds, columns):
            args.append(repeat(_STRUCT_CODES[kind][1]))
            if kind is not type(None):
                args.append(column)
        try:
            return list(starmap(pack, zip(*args)))
        except struct.error:  # an int beyond 64 bits: the careful path names it
            pass
    return [_encode_others(layout, v) for v in zip(*columns)]


#: a string column is cached when its first batch holds at most one distinct value in this many
_CACHE_SHARE = 4
#: distinct values cached per column; past this, the column is encoded by :func:`_joined_tokens` again
_CACHE_MAX = 1 << 14


class _RowEncoder:
    """Encodes batches of node rows of one layout, column by column; a repetitive column's values once each.

    Labels, codes, cities or the source file's name repeat on most rows: such a
    column (decided on its first batch) keeps the token of each distinct value,
    so that a batch costs a dict lookup per value; the other string columns go
    through :func:`_joined_tokens`, the others through :func:`_tails`. The row
    bytes are then interleaved in one join.

    >>> from graph.model import Professional
    >>> layout = record_columns(Professional)
    >>> rows = [layout.values(Professional(id=f"800{i}", id_type="RPPS", identifier=f"00{i}", last_name=name,
    ...                                    source_line=i)) for i, name in enumerate(["Dupont", "Été", "Dupont"])]
    >>> _RowEncoder(layout).encode(rows) == b"".join(encode_value(v) for row in rows for v in row)
    True
    """

    def __init__(self, layout: _Layout) -> None:
        """Set up the instance (no column decided yet)."""
        self.layout = layout
        self.caches: list[dict[Any, bytes] | bool | None] = [None] * layout.n_strings  # None: undecided

    def encode(self, rows: list[tuple]) -> bytes:
        """The bytes of the rows (values in ``layout.columns`` order), one after the other."""
        k = self.layout.n_strings
        columns = list(zip(*rows))
        width = k + (k < len(columns))  # the string tokens, then one token of the other values
        tokens: list[bytes | None] = [None] * (width * len(rows))
        for j in range(k):
            tokens[j::width] = self._strings(j, columns[j])  # row-major order, by slice assignments in C
        if k < len(columns):
            tokens[k::width] = _tails(self.layout, columns[k:])
        return b"".join(tokens)  # type: ignore[arg-type]

    def _strings(self, j: int, column: tuple) -> list[bytes]:
        """The tokens of string column ``j``: from its cache, or joined."""
        cache = self.caches[j]
        try:
            if cache is None:
                cache = self.caches[j] = {} if len(set(column)) * _CACHE_SHARE <= len(column) else False
            if cache is False:
                return _joined_tokens(column)
            try:
                return list(map(cache.__getitem__, column))  # type: ignore[union-attr]
            except KeyError:  # new values: each is encoded once
                for value in set(column).difference(cache):  # type: ignore[arg-type]
                    cache[value] = encode_value(value)  # type: ignore[index]
        except TypeError:  # an unhashable value: encode_value names it
            return [encode_value(v) for v in column]
        if len(cache) > _CACHE_MAX:  # type: ignore[arg-type]
            self.caches[j] = False
        return list(map(cache.__getitem__, column))  # type: ignore[union-attr]


def _as_tuple(names: list[str]) -> Callable[[Any], tuple] | None:
    """An attrgetter that always returns a tuple (None for no names)."""
    if not names:
        return None
    getter = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (getter(obj),)
    return getter


@lru_cache(maxsize=None)
def record_columns(cls: type) -> _Layout | None:
    """The node columns of a record class (str-annotated fields first), or None for a custom ``node_props``.

    Examples
    --------
    >>> from graph.model import Epci
    >>> record_columns(Epci).columns
    ('id', 'name', 'kind', 'population')
    """
    if not cls.LABEL or cls.node_props is not Record.node_props:
        return None
    names = [f.name for f in dataclasses.fields(cls) if f.name not in cls.EDGE_FIELDS]
    strings = [f.name for f in dataclasses.fields(cls)
               if f.name in names and str(f.type).replace(" ", "") in ("str", "str|None")]
    others = [n for n in names if n not in strings]
    return _Layout(tuple(strings + others), _as_tuple(strings), _as_tuple(others), {},
                   _as_tuple(strings + others), len(strings))  # type: ignore[arg-type]
