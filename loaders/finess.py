"""FINESS établissements: the raw etalab extracts, the FHIR ndjson and the flat CSV forms.

Each reader yields :class:`~graph.model.LegalEntity` (once per ``nofinessej`` and
file, just before its first site) and :class:`~graph.model.Structure` records.
Bad rows go to ``report.rejected`` with file, line, column, value and reason and
the load goes on; a missing file or one in another format raises
:class:`~loaders.errors.FileFormatError` before any record is yielded.

Raw extracts (``etalab-cs1100507`` geolocated, ``etalab-cs1100502``) and the FHIR
ndjson are read in two passes, so memory grows with the coordinates, not the file:
the first pass checks the format and collects positions (the ``geolocalisation``
section, converted from Lambert-93 or UTM by :mod:`loaders.geo`; the Location
lines), the second streams the sites.

INSEE codes of raw lines are ``departement + commune`` in metropolitan France.
Overseas, FINESS codes the département ``9A``..``9F``, ``9J`` and the 3-digit
``commune`` already starts with the département's last INSEE digit (``9B`` +
``207`` = Ducos ``97207``), so the code is ``97`` + ``commune`` (``98`` for
Wallis-et-Futuna, ``9J``); Saint-Barthélemy and Saint-Martin, still filed under
Guadeloupe with their pre-2007 codes ``123`` and ``127``, become ``97701`` and
``97801``. The FHIR and flat forms carry no commune code: it is resolved from the
postal code and city with a :class:`~loaders.communes.CommuneIndex`.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from graph.model import LegalEntity, Record, Structure
from loaders.cleaning import check_finess, clean_phone, normalize_name, parse_date, parse_float
from loaders.communes import CommuneIndex
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.geo import SUPPORTED_EPSG, epsg_from_text, to_wgs84
from loaders.reading import open_text, read_delimited_lines

__all__ = [
    "FINESS_ENCODING", "FINESS_DELIMITER", "FLAT_ENCODING", "FHIR_ENCODING",
    "STRUCTUREET_COLUMNS", "GEOLOCALISATION_COLUMNS", "FLAT_COLUMNS", "OVERSEAS_DEPARTMENTS",
    "insee_code", "detect_finess_format", "read_finess", "read_finess_raw", "read_finess_fhir",
    "read_finess_flat",  # from loaders.finess_fhir
]

FINESS_ENCODING = "iso-8859-1"  # raw extracts; Windows-1252 C1 characters (œ, ’) are mapped back
FINESS_DELIMITER = ";"
FLAT_ENCODING = "utf-8-sig"
FHIR_ENCODING = "utf-8"

STRUCTUREET_COLUMNS = (
    "structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie",
    "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab", "categagretab",
    "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph", "libsph", "dateouv",
    "dateautor", "datemaj", "numuai",
)
GEOLOCALISATION_COLUMNS = ("geolocalisation", "nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")
FLAT_COLUMNS = (
    "nofinesset", "nofinessej", "rs", "adresse_ligne1", "adresse_ligne2", "code_postal", "ville",
    "telephone", "categetab", "libcategetab", "categagretab", "libcategagretab", "siret", "codeape",
    "codesph", "libsph", "dateouv", "datemaj", "latitude", "longitude",
)
_FLAT_REQUIRED = ("nofinesset", "nofinessej", "rs", "code_postal", "ville", "categetab", "latitude", "longitude")

#: FINESS overseas département -> (INSEE prefix, first digit of its ``commune`` codes, territory)
OVERSEAS_DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "9A": ("97", "1", "Guadeloupe"), "9B": ("97", "2", "Martinique"), "9C": ("97", "3", "Guyane"),
    "9D": ("97", "4", "La Réunion"), "9E": ("97", "5", "Saint-Pierre-et-Miquelon"),
    "9F": ("97", "6", "Mayotte"), "9J": ("98", "6", "Wallis-et-Futuna"),
}
_RENUMBERED = {"97123": "97701", "97127": "97801"}  # Saint-Barthélemy, Saint-Martin: COM since 2007
_METRO_DEP_RE = re.compile(r"^(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5])$")
_COMMENT_RE = re.compile(r"^finess;etalab;\d+;\d{4}-\d{2}-\d{2};*$")
_COMMENT = "'finess;etalab;<n>;<AAAA-MM-JJ>'"
_BOM = "\u00ef\u00bb\u00bf"  # a UTF-8 byte-order mark read as ISO-8859-1
_MOJIBAKE_RE = re.compile("\u00c3[\u0080-\u00bf]")  # UTF-8 À..ÿ (é = Ã©) read as ISO-8859-1
_C1_RE = re.compile("[\u0080-\u009f]")
_C1_TABLE = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_FINESS_OID = "urn:oid:1.2.250.1.71.4.2.2"
_CODINGS = {
    "http://finess.sante.gouv.fr/valuesets/CAT_ETAB": ("categetab", "libcategetab"),
    "http://finess.sante.gouv.fr/valuesets/CAT_AGR_ETAB": ("categagretab", "libcategagretab"),
    "http://finess.sante.gouv.fr/valuesets/SPH": ("codesph", "libsph"),
}


def insee_code(departement: str, commune: str) -> str | None:
    """Return the INSEE code of a raw FINESS ``departement`` and 3-digit ``commune`` (None if empty).

    Parameters
    ----------
    departement : str
        ``01``..``95``, ``2A``, ``2B``, or overseas ``9A``..``9F``, ``9J``.
    commune : str
        The 3-digit commune part of the code.

    Raises
    ------
    RowError
        The commune is not 3 digits, the département is unknown, or an overseas
        commune is not one of its département's.

    Examples
    --------
    >>> insee_code("01", "451"), insee_code("2A", "004"), insee_code("9B", "207")
    ('01451', '2A004', '97207')
    >>> insee_code("9J", "613"), insee_code("9A", "123")
    ('98613', '97701')
    """
    dep, com = (departement or "").strip().upper(), (commune or "").strip()
    if not com:
        return None
    if not re.fullmatch(r"\d{3}", com):
        raise RowError("commune code is not 3 digits", column="commune", value=commune)
    if _METRO_DEP_RE.match(dep):
        return dep + com
    if dep not in OVERSEAS_DEPARTMENTS:
        raise RowError("unknown département code", column="departement", value=departement)
    prefix, digit, name = OVERSEAS_DEPARTMENTS[dep]
    if com[0] != digit:
        raise RowError(f"not a commune of {dep} ({name}: {digit}xx)", column="commune", value=commune)
    return _RENUMBERED.get(prefix + com, prefix + com)


def detect_finess_format(path: str | Path) -> str:
    """Tell the FINESS form of a file from its first line: ``"raw"``, ``"fhir"`` or ``"flat"``.

    Raises
    ------
    FileFormatError
        The file is missing or its first line matches none of the three forms.

    Examples
    --------
    >>> data = Path(__file__).parents[1] / "tests" / "data" / "finess"
    >>> detect_finess_format(data / "etalab-cs1100502-stock-20260512_excerpt15.csv")
    'raw'
    """
    with open_text(path, FINESS_ENCODING) as fp:
        first = fp.readline(65536).rstrip("\r\n").removeprefix(_BOM)
    if first.startswith(("finess;etalab", "structureet;")):
        return "raw"
    if first.lstrip().startswith("{"):
        return "fhir"
    if "nofinesset" in first.split(FINESS_DELIMITER):
        return "flat"
    raise FileFormatError(
        f"not a FINESS file: its first line {first[:60]!r} is neither the etalab comment line {_COMMENT}, "
        "a FHIR JSON resource, nor a ';' header naming 'nofinesset'", file=str(path), line=1)


def read_finess(
    path: str | Path, report: LoadReport, *, format: str | None = None,
    communes: CommuneIndex | None = None, synthetic: bool = False,
) -> Iterator[Record]:
    """Read any FINESS form, detected from the first line unless ``format`` is given.

    Parameters
    ----------
    path : str or Path
        The file.
    report : LoadReport
        Receives counts (``Structure``, ``LegalEntity``), rejected rows and warnings.
    format : {"raw", "fhir", "flat"}, optional
        Skip detection.
    communes : CommuneIndex, optional
        Checks (raw) or resolves (FHIR, flat) the INSEE commune codes.
    synthetic : bool
        Mark the structures as synthetic (generated benchmark data).

    Returns
    -------
    iterator of Record
        LegalEntity and Structure records.

    Raises
    ------
    FileFormatError
        The file is missing or not in a FINESS form.
    ValueError
        ``format`` is not one of the three names.

    Examples
    --------
    >>> data, report = Path(__file__).parents[1] / "tests" / "data" / "finess", LoadReport()
    >>> records = list(read_finess(data / "finess_fhir_20210108_dep59_flat_cut.csv", report))
    >>> report.loaded, len(report.rejected)
    ({'LegalEntity': 10, 'Structure': 11}, 1)
    """
    readers = {"raw": read_finess_raw, "fhir": read_finess_fhir, "flat": read_finess_flat}
    fmt = format or detect_finess_format(path)
    if fmt not in readers:
        raise ValueError(f"unknown FINESS format {fmt!r} (expected raw, fhir or flat)")
    yield from readers[fmt](path, report, communes=communes, synthetic=synthetic)


# --- raw etalab extracts -------------------------------------------------------


def read_finess_raw(
    path: str | Path, report: LoadReport, *, communes: CommuneIndex | None = None, synthetic: bool = False,
) -> Iterator[Record]:
    """Read a raw etalab FINESS extract: cs1100507 (geolocated) or cs1100502.

    Parameters
    ----------
    path, report, synthetic
        As in :func:`read_finess`; the file is ISO-8859-1, ``;``-separated, and
        starts with the comment line ``finess;etalab;<n>;<AAAA-MM-JJ>``.
    communes : CommuneIndex, optional
        Derived INSEE codes it lacks are resolved from ``ligneacheminement`` (or
        dropped, with a warning); a commune déléguée becomes its commune nouvelle.

    Returns
    -------
    iterator of Record
        LegalEntity and Structure records in file order, with WGS84 lat/lon when a
        ``geolocalisation`` line in a supported projection gives them.

    Raises
    ------
    FileFormatError
        Missing file, no comment line, lines other than ``structureet`` and
        ``geolocalisation`` from the start, or UTF-8 text.

    Examples
    --------
    >>> data, report = Path(__file__).parents[1] / "tests" / "data" / "finess", LoadReport()
    >>> s = [r for r in read_finess_raw(data / "etalab-cs1100507-stock-test.csv", report) if r.LABEL == "Structure"]
    >>> s[0].id, s[0].commune, s[0].address, round(s[0].lat, 4), round(s[0].lon, 4)
    ('010000024', '01451', '900 RTE DE PARIS', 46.2223, 5.2092)
    """
    ctx = _Context(path, report, communes, synthetic, derives_codes=True)
    positions, no_coords = _scan_raw(ctx)
    has_geo = bool(positions) or no_coords.count > 0 or ctx.geo_rejected
    no_geo = _Tally("structure(s) without coordinates (no geolocalisation line, or a rejected one)")
    width = len(STRUCTUREET_COLUMNS)
    for line, fields, raw in read_delimited_lines(path, FINESS_DELIMITER, FINESS_ENCODING, skip=1):
        if not raw.startswith("structureet;"):
            continue
        if _C1_RE.search(raw):
            fields = [f.translate(_C1_TABLE) for f in fields]
        if len(fields) == width + 1 and fields[-1] == "":
            fields.pop()
        if len(fields) != width:
            ctx.fail(RowError(f"wrong number of fields: {len(fields)} instead of {width} for a structureet line"),
                     line, raw)
            continue
        row = dict(zip(STRUCTUREET_COLUMNS, fields))
        et = row["nofinesset"].strip()
        try:
            code = insee_code(row["departement"], row["commune"])
        except RowError as err:
            ctx.bad_commune.add(f"line {line} {et}: {err.reason} ({err.value!r})")
            code = None
        row["postal_code"], row["city"] = _split_acheminement(row["ligneacheminement"])
        street = _join(row["numvoie"], row["compvoie"], row["typvoie"], row["voie"])
        row["address"] = _join(row["compldistrib"], street, row["lieuditbp"], sep=", ")
        if has_geo and et not in positions and et not in ctx.seen_et:
            no_geo.add(f"line {line} {et}")
        position = positions.pop(et, None)
        lat, lon = position or (None, None)
        yield from ctx.emit(row, line, raw, code=code, lat=lat, lon=lon)
    orphans = _Tally("geolocalisation line(s) for a nofinesset with no structureet line")
    for et in positions:
        orphans.add(et)
    ctx.finish(no_coords, no_geo, orphans)


def _scan_raw(ctx: _Context) -> tuple[dict[str, tuple[float, float] | None], _Tally]:
    """First pass: check the format; convert the geolocalisation section to ``{id: (lat, lon) or None}``."""
    positions: dict[str, tuple[float, float] | None] = {}
    geo_lines: dict[str, int] = {}
    no_coords = _Tally("geolocalisation line(s) without usable coordinates (sites kept without lat/lon)")
    data, first = 0, True
    for n, raw in _text_lines(ctx.path, FINESS_ENCODING):
        if first:
            _check_comment(raw, n, ctx.path)
            first = False
            continue
        bad = _MOJIBAKE_RE.search(raw)
        if bad:
            raise FileFormatError(
                f"looks UTF-8-encoded ({bad.group()!r} is UTF-8 {bad.group().encode('latin-1').decode('utf-8')!r} "
                "read as ISO-8859-1): FINESS raw extracts are ISO-8859-1; convert it with "
                "iconv -f UTF-8 -t ISO-8859-1", file=ctx.path, line=n)
        section = raw.split(FINESS_DELIMITER, 1)[0]
        if section == "structureet":
            data += 1
            continue
        if section != "geolocalisation":
            if not data and not geo_lines:
                raise FileFormatError(
                    f"line {n} starts with {section[:30]!r}: after the comment line a FINESS raw extract has "
                    "only 'structureet;' and 'geolocalisation;' lines", file=ctx.path, line=n)
            ctx.fail(RowError("unknown section (expected structureet or geolocalisation)", column="section",
                              value=section[:30]), n, raw)
            continue
        try:
            et, position = _geolocalisation(raw, no_coords, n)
            if et in geo_lines:
                raise RowError(f"duplicate geolocalisation for nofinesset {et} (first seen on line {geo_lines[et]})",
                               column="nofinesset", value=et)
        except RowError as err:
            ctx.fail(err, n, raw)
            ctx.geo_rejected = True
            continue
        geo_lines[et] = n
        positions[et] = position
    if first:
        raise FileFormatError(f"is empty (expected the comment line {_COMMENT})", file=ctx.path)
    if not data:
        raise FileFormatError("has no 'structureet' line after the comment line", file=ctx.path)
    return positions, no_coords


def _check_comment(raw: str, n: int, path: str) -> None:
    """Check that line 1 is the comment line ``finess;etalab;<n>;<AAAA-MM-JJ>``."""
    if n == 1 and _COMMENT_RE.match(raw):
        return
    if raw.startswith(_BOM):
        raise FileFormatError("starts with a UTF-8 byte-order mark: FINESS raw extracts are ISO-8859-1; convert "
                              "it with iconv -f UTF-8 -t ISO-8859-1", file=path, line=1)
    found = f"is {raw[:60]!r}" if n == 1 else "is empty"
    raise FileFormatError(
        f"the first line should be the FINESS comment line {_COMMENT} but {found}: not a raw etalab "
        "extract (the FHIR and flat forms have their own readers)", file=path, line=1)


def _geolocalisation(raw: str, no_coords: _Tally, n: int) -> tuple[str, tuple[float, float] | None]:
    """Parse one ``geolocalisation`` line into ``(nofinesset, (lat, lon) or None)``."""
    fields = next(csv.reader([raw], delimiter=FINESS_DELIMITER))
    width = len(GEOLOCALISATION_COLUMNS)
    if len(fields) == width + 1 and fields[-1] == "":
        fields.pop()
    if len(fields) != width:
        raise RowError(f"wrong number of fields: {len(fields)} instead of {width} for a geolocalisation line")
    row = dict(zip(GEOLOCALISATION_COLUMNS, fields))
    et = check_finess(row["nofinesset"].strip(), "nofinesset")
    x, y = parse_float(row["coordxet"], "coordxet"), parse_float(row["coordyet"], "coordyet")
    epsg = epsg_from_text(row["sourcecoordet"])
    if x is None or y is None or epsg not in SUPPORTED_EPSG:
        why = "empty coordinates" if x is None or y is None else (
            f"EPSG:{epsg} not supported" if epsg else f"no projection in {row['sourcecoordet'][:50]!r}")
        no_coords.add(f"line {n} {et}: {why}")
        return et, None
    try:
        return et, to_wgs84(x, y, epsg)  # type: ignore[arg-type]
    except ValueError as err:
        raise RowError(str(err), column="coordxet", value=f"{row['coordxet']};{row['coordyet']}") from err


# --- shared: values, dedupe, communes, aggregated warnings ----------------------------


class _Tally:
    """Count one kind of warning, keeping a few examples, for one line of report.warnings."""

    def __init__(self, message: str) -> None:
        """Start an empty tally for ``message``."""
        self.message, self.count, self.examples = message, 0, []  # type: ignore[var-annotated]

    def add(self, example: str) -> None:
        """Count one occurrence."""
        self.count += 1
        if len(self.examples) < 3:
            self.examples.append(example)

    def flush(self, report: LoadReport, file: str) -> None:
        """Append the aggregated warning line, if anything was counted."""
        if self.count:
            report.warnings.append(f"{file}: {self.count} {self.message}, e.g. {'; '.join(self.examples)}")


class _Context:
    """Per-file state of a reader: seen ids, commune resolution, warnings."""

    def __init__(self, path: str | Path, report: LoadReport, communes: CommuneIndex | None,
                 synthetic: bool, derives_codes: bool = False) -> None:
        """Start the state of one file; ``derives_codes`` is True for raw extracts (commune codes given)."""
        self.path, self.file, self.report, self.derives_codes = str(path), Path(path).name, report, derives_codes
        self.communes, self.synthetic, self.geo_rejected = communes, synthetic, False
        self.seen_et: dict[str, int] = {}
        self.seen_ej: set[str] = set()
        self.dep_names: dict[str, dict[str, str]] = {}
        self.bad_commune = _Tally("structure(s) kept without an INSEE commune: commune code not usable")
        self.no_commune = _Tally("structure(s) kept without an INSEE commune: not in the commune index "
                                 "(by code, nor by postal code and city)")
        self.no_index = _Tally("structure(s) kept without an INSEE commune: no commune index was given")

    def fail(self, err: RowError, line: int, raw: str) -> None:
        """Reject a row, filling in file and line."""
        err.file, err.line = self.path, line
        self.report.reject(err, raw)

    def resolve(self, et: str, line: int, code: str | None, postal: str | None, city: str | None) -> str | None:
        """Return the INSEE code: the derived one if the index has it, else one from postal code and city."""
        idx = self.communes
        if idx is None:
            if code is None and not self.derives_codes:
                self.no_index.add(f"line {line} {et}")
            return code
        if code is None or code not in idx:
            code = _resolve_postal(idx, postal or "", city or "", self.dep_names)
            if code is None:
                self.no_commune.add(f"line {line} {et} {_join(postal, city)!r}")
                return None
        c = idx.get(code)
        return c.parent if c and c.kind == "COMD" and c.parent in idx else code

    def emit(self, v: dict[str, Any], line: int, raw: str, *, code: str | None = None,
             lat: float | None = None, lon: float | None = None) -> Iterator[Record]:
        """Check one site; yield its LegalEntity (first time) and Structure, or reject the row."""
        try:
            et = check_finess(_text(v.get("nofinesset")), "nofinesset")
            ej = check_finess(_text(v.get("nofinessej")), "nofinessej")
            name = _text(v.get("rs")) or _text(v.get("rslongue"))
            if not name:
                raise RowError("no name (rs is empty)", column="rs", value="")
            category = _opt(v.get("categetab"))
            if category is not None and not re.fullmatch(r"\d{3}", category):
                raise RowError("not a FINESS category (3 digits)", column="categetab", value=category)
            opened = parse_date(_text(v.get("dateouv")), "dateouv")
            updated = parse_date(_text(v.get("datemaj")), "datemaj")
            if et in self.seen_et:
                raise RowError(f"duplicate nofinesset {et} (first seen on line {self.seen_et[et]})",
                               column="nofinesset", value=et)
        except RowError as err:
            self.fail(err, line, raw)
            return
        self.seen_et[et] = line
        if ej not in self.seen_ej:
            self.seen_ej.add(ej)
            self.report.count("LegalEntity")
            yield LegalEntity(id=ej)
        postal, city = _opt(v.get("postal_code")), _opt(v.get("city"))
        self.report.count("Structure")
        yield Structure(
            id=et, name=name, category_code=category, category_label=_opt(v.get("libcategetab")),
            aggregate_code=_opt(v.get("categagretab")), aggregate_label=_opt(v.get("libcategagretab")),
            legal_entity=ej, long_name=_opt(v.get("rslongue")), address=_opt(v.get("address")),
            postal_code=postal, city=city, commune=self.resolve(et, line, code, postal, city),
            phone=clean_phone(_text(v.get("telephone"))), siret=_opt(v.get("siret")),
            ape=_opt(v.get("codeape")), sph_code=_opt(v.get("codesph")), opened=opened, updated=updated,
            lat=lat, lon=lon, source=self.file, source_line=line, synthetic=self.synthetic,
        )

    def finish(self, *extra: _Tally) -> None:
        """Write the aggregated warnings."""
        for tally in (self.bad_commune, self.no_commune, self.no_index, *extra):
            tally.flush(self.report, self.file)


def _resolve_postal(idx: CommuneIndex, postal: str, city: str, cache: dict[str, dict[str, str]]) -> str | None:
    """``idx.resolve_postal``, then a unique match of the city label on commune names.

    The label is matched against the communes of the postal code (of the
    département for a CEDEX code): a name equal to it, then one starting with it as
    whole words (``ST ANDRE`` = Saint-André-lez-Lille, ``MONTREUIL`` =
    Montreuil-sur-Mer), then, for a label cut at its 26 characters, one starting with it.
    """
    code = idx.resolve_postal(postal, city)
    label = re.sub(r"\s+CEDEX(\s+\d+)?$", "", (city or "").strip(), flags=re.I)
    name = normalize_name(label)
    if code is not None or not name or not postal[:2].isdigit():
        return code
    names = {c: normalize_name(idx.by_code[c].name) for c in idx.by_postal(postal) if c in idx.by_code}
    if not names:  # a CEDEX code: the communes of the département, names cached per département
        dep = postal[:3] if postal.startswith("97") else postal[:2]
        if dep not in cache:
            deps = ("2A", "2B") if dep == "20" else (dep,)
            cache[dep] = {k: normalize_name(c.name) for k, c in idx.by_code.items() if k.startswith(deps)}
        names = cache[dep]
    tests: tuple[Callable[[str], bool], ...] = (
        lambda n: n == name, lambda n: n.startswith(name + " "), lambda n: len(label) >= 26 and n.startswith(name))
    for fits in tests:
        found = {c for c, n in names.items() if fits(n)}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _text(value: Any) -> str:
    """Strip a value, collapse inner spaces, undo CSV quoting left in by naive splitting."""
    v = value.strip() if isinstance(value, str) else "" if value is None else str(value).strip()
    if "  " in v or "\t" in v or "\n" in v:
        v = " ".join(v.split())
    if v[:1] == '"' and len(v) >= 2 and v[-1] == '"' and '"' not in v[1:-1].replace('""', ""):
        v = v[1:-1].replace('""', '"')
    return v


def _opt(value: Any) -> str | None:
    """Cleaned text, or None when empty."""
    return _text(value) or None


def _join(*parts: Any, sep: str = " ") -> str:
    """Join the non-empty cleaned parts."""
    return sep.join(p for p in map(_text, parts) if p)


def _split_acheminement(value: str) -> tuple[str | None, str | None]:
    """Split ``59000 LILLE`` into postal code and city."""
    v = _text(value)
    m = re.match(r"^(\d{5})\s+(.*)$", v)
    return (m.group(1), m.group(2)) if m else (None, v or None)


def _coordinates(lat_value: Any, lon_value: Any, prefix: str = "") -> tuple[float | None, float | None]:
    """Parse a WGS84 latitude/longitude pair (both or neither), checking ranges."""
    lat_col, lon_col = prefix + "latitude", prefix + "longitude"
    lat = parse_float("" if lat_value is None else str(lat_value), lat_col)
    lon = parse_float("" if lon_value is None else str(lon_value), lon_col)
    if lat is None and lon is None:
        return None, None
    if lat is None or not -90 <= lat <= 90:
        raise RowError("latitude missing or out of range", column=lat_col, value=lat_value)
    if lon is None or not -180 <= lon <= 180:
        raise RowError("longitude missing or out of range", column=lon_col, value=lon_value)
    if lat == 0 and lon == 0:
        raise RowError("coordinates (0, 0) are a placeholder, not a place", column=lat_col, value="0;0")
    return lat, lon


def _text_lines(path: str | Path, encoding: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line, text)`` for each non-empty line; a decoding error is a FileFormatError."""
    n = 0
    try:
        with open_text(path, encoding) as fp:
            for n, raw in enumerate(fp, start=1):
                raw = raw.rstrip("\r\n")
                if raw.strip():
                    yield n, raw
    except UnicodeDecodeError as err:
        raise FileFormatError(f"cannot be read as {encoding}: byte {err.object[err.start:err.start + 1]!r} is "
                              "not valid (the FHIR ndjson and flat forms are UTF-8, raw extracts ISO-8859-1)",
                              file=str(path), line=n + 1) from err


from loaders.finess_fhir import read_finess_fhir, read_finess_flat  # noqa: E402  (they use the helpers above)
