"""Communes and EPCI: INSEE codes, names, postal codes, points, population, EPCI membership.

Sources (``../shared/data/communes``, Licence Ouverte):

- ``communes_france_2024.csv`` (``,``, UTF-8, header): one row per commune with
  ``lat``/``lng`` (WGS84), ``code_postal`` and ``population_2021``;
- ``epci_membres_decoupage_administratif_v6.csv`` (``,``, UTF-8, header): EPCI × member commune.

Columns are mapped by header name. :class:`CommuneIndex` resolves what users and
other registries give (an INSEE code, a name, a postal code, a postal code with a
city label such as ``59500 DOUAI CEDEX``) to INSEE codes.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator

from graph.model import Commune, Epci
from loaders.cleaning import INSEE_RE, normalize_name, parse_float, parse_int
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.reading import read_csv_rows

__all__ = [
    "COMMUNES_DELIMITER",
    "COMMUNES_ENCODING",
    "read_communes",
    "read_epci",
    "CommuneIndex",
    "haversine_km",
]

COMMUNES_DELIMITER = ","
COMMUNES_ENCODING = "utf-8-sig"
COMMUNE_COLUMNS = ("insee_com", "insee_dep", "commune_article", "code_postal", "commune_type", "lat", "lng")
EPCI_COLUMNS = ("epci_code", "epci_nom", "commune_code")


def read_communes(
    path: str | Path,
    report: LoadReport,
    *,
    keep: set[str] | None = None,
    epci_of: dict[str, str] | None = None,
) -> Iterator[Commune]:
    """Yield :class:`Commune` records from ``communes_france_2024.csv``, one per INSEE code.

    The file has one row per commune *and postal code* (36,208 rows, 34,976 codes),
    and a commune déléguée (COMD) can share its code with its commune: rows are
    merged per code, postal codes united, the COM row preferred.

    Parameters
    ----------
    path : the CSV file.
    report : rejected rows are added to it.
    keep : INSEE codes to keep (None keeps every commune).
    epci_of : commune code -> EPCI code, to link each commune to its EPCI.

    Raises
    ------
    FileFormatError
        The file is missing, not UTF-8, or lacks a required column.
    """
    merged: dict[str, Commune] = {}
    for line, row, raw in read_csv_rows(path, COMMUNES_DELIMITER, COMMUNES_ENCODING, COMMUNE_COLUMNS):
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        code = row["insee_com"].strip()
        if keep is not None and code not in keep:
            continue
        try:
            if not INSEE_RE.match(code):
                raise RowError("not a valid INSEE commune code", column="insee_com", value=code)
            lat = parse_float(row["lat"], "lat")
            lon = parse_float(row["lng"], "lng")
            if lat is not None and not (-90 <= lat <= 90):
                raise RowError("latitude out of range", column="lat", value=row["lat"])
            if lon is not None and not (-180 <= lon <= 180):
                raise RowError("longitude out of range", column="lng", value=row["lng"])
            population = parse_int(row.get("population_2021", ""), "population_2021")
        except RowError as err:
            err.file, err.line = str(path), line
            report.reject(err, raw)
            continue
        postal = row["code_postal"].strip()
        commune = Commune(
            id=code,
            name=row["commune_article"].strip() or row.get("commune", "").strip(),
            department=row["insee_dep"].strip(),
            region=(row.get("insee_reg") or "").strip() or None,
            postal_codes=[p for p in postal.split() if p],
            population=population,
            lat=lat,
            lon=lon,
            kind=row["commune_type"].strip() or "COM",
            parent=(row.get("insee_parente") or "").strip() or None,
            epci=(epci_of or {}).get(code),
        )
        known = merged.get(code)
        if known is None:
            merged[code] = commune
            continue
        if known.kind != "COM" and commune.kind == "COM":
            merged[code], known, commune = commune, commune, known
        for p in commune.postal_codes:
            if p not in known.postal_codes:
                known.postal_codes.append(p)
        if known.lat is None and commune.lat is not None:
            known.lat, known.lon = commune.lat, commune.lon
    report.count("Commune", len(merged))
    yield from merged.values()


def read_epci(
    path: str | Path, report: LoadReport, *, keep: set[str] | None = None
) -> tuple[list[Epci], dict[str, str]]:
    """Read the EPCI membership file; return the EPCI records and commune -> EPCI.

    ``keep`` limits the result to the EPCI that have a member among these communes.
    """
    epcis: dict[str, Epci] = {}
    epci_of: dict[str, str] = {}
    for line, row, raw in read_csv_rows(path, COMMUNES_DELIMITER, COMMUNES_ENCODING, EPCI_COLUMNS):
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        code, commune = row["epci_code"].strip(), row["commune_code"].strip()
        if not code.isdigit() or len(code) != 9:
            report.reject(RowError("not a valid EPCI SIREN (9 digits)", file=str(path), line=line,
                                   column="epci_code", value=code), raw)
            continue
        if keep is not None and commune not in keep:
            continue
        epci_of[commune] = code
        if code not in epcis:
            try:
                population = parse_int(row.get("epci_population_municipale", ""), "epci_population_municipale")
            except RowError:
                population = None
            epcis[code] = Epci(id=code, name=row["epci_nom"].strip(), kind=(row.get("epci_type") or None),
                               population=population)
    report.count("Epci", len(epcis))
    return list(epcis.values()), epci_of


def epci_members(path: str | Path, epci_codes: Iterable[str]) -> set[str]:
    """Return the INSEE codes of the communes of the given EPCI (by SIREN)."""
    wanted = set(epci_codes)
    found: set[str] = set()
    seen: set[str] = set()
    for _line, row, _raw in read_csv_rows(path, COMMUNES_DELIMITER, COMMUNES_ENCODING, EPCI_COLUMNS):
        code = (row.get("epci_code") or "").strip()
        if code in wanted:
            seen.add(code)
            found.add(row["commune_code"].strip())
    missing = wanted - seen
    if missing:
        raise FileFormatError(f"unknown EPCI code(s) {', '.join(sorted(missing))} (not in this EPCI file)",
                              file=str(path))
    return found


GRID_DEG = 0.25  # cell size of the commune index's spatial grid, in degrees


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points.

    >>> round(haversine_km(50.37853, 3.10037, 50.36723, 3.12129), 1)  # Douai - Sin-le-Noble
    1.9
    """
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


class CommuneIndex:
    """Resolve INSEE codes, names and postal codes to communes.

    Examples
    --------
    >>> idx = CommuneIndex([Commune(id="59178", name="Douai", department="59", postal_codes=["59500"])])
    >>> idx.resolve_postal("59500 DOUAI CEDEX")
    '59178'
    >>> [c.id for c in idx.search("douai")]
    ['59178']
    """

    def __init__(self, communes: Iterable[Commune]) -> None:
        self.by_code: dict[str, Commune] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_postal: dict[str, list[str]] = defaultdict(list)
        self._cells: dict[tuple[int, int], list[Commune]] = defaultdict(list)  # points by GRID_DEG cell
        for c in communes:
            self.add(c)

    def add(self, c: Commune) -> None:
        """Index one commune."""
        if c.id in self.by_code:
            return
        self.by_code[c.id] = c
        if c.lat is not None and c.lon is not None:
            self._cells[(math.floor(c.lat / GRID_DEG), math.floor(c.lon / GRID_DEG))].append(c)
        self._by_name[normalize_name(c.name)].append(c.id)
        for p in c.postal_codes:
            self._by_postal[p].append(c.id)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Commune | None:
        """The commune of an INSEE code, or None."""
        return self.by_code.get(code)

    def by_postal(self, postal: str) -> list[str]:
        """INSEE codes sharing a postal code."""
        return list(self._by_postal.get(postal.strip(), ()))

    def by_name(self, name: str) -> list[str]:
        """INSEE codes of communes with this name (accents, case, hyphens ignored)."""
        return list(self._by_name.get(normalize_name(name), ()))

    def resolve_postal(self, postal: str, city: str = "") -> str | None:
        """Resolve a postal code and a city label (``59500 DOUAI CEDEX``) to one INSEE code.

        Returns None when nothing or several communes match.
        """
        postal, city = (postal or "").strip(), (city or "").strip()
        if not city and " " in postal:
            postal, city = postal.split(" ", 1)
        candidates = self.by_postal(postal)
        if len(candidates) == 1:
            return candidates[0]
        name = normalize_name(city)
        name = re.sub(r" cedex( \d+)?$", "", name)
        named = [c for c in candidates if normalize_name(self.by_code[c].name) == name]
        if len(named) == 1:
            return named[0]
        if not candidates:
            # CEDEX postal codes are not in the postal-code base: fall back to the name in the département
            dep = postal[:2]
            named = [c for c in self._by_name.get(name, ()) if c.startswith(dep)]
            if len(named) == 1:
                return named[0]
        return None

    def search(self, text: str, limit: int = 10) -> list[Commune]:
        """Communes whose code, postal code or name matches ``text`` (prefix match on names)."""
        text = (text or "").strip()
        if not text:
            return []
        if len(text) == 5 and (text[:2].isdigit() or text[:2] in ("2A", "2B", "2a", "2b")):
            # an INSEE code and a postal code can be the same five digits (59500: Douai's postal
            # code, and the INSEE code of another commune): offer both
            found = [self.by_code[text.upper()]] if text.upper() in self.by_code else []
            found += [self.by_code[c] for c in self.by_postal(text) if self.by_code[c] not in found]
            return found
        exact = self.by_name(text)
        if exact:
            return [self.by_code[c] for c in exact]
        key = normalize_name(text)
        found = [self.by_code[c] for n, codes in self._by_name.items() if n.startswith(key) for c in codes]
        found.sort(key=lambda c: (-(c.population or 0), c.name))
        return found[:limit]

    def within(self, code: str, radius_km: float) -> dict[str, float]:
        """Communes within ``radius_km`` of commune ``code``: INSEE code -> distance in km."""
        origin = self.by_code.get(code)
        if origin is None or origin.lat is None or origin.lon is None:
            return {code: 0.0} if origin else {}
        # the grid cells of the bounding box first (a national index has 35,000 points), then the exact distance
        dlat = radius_km / 110.0
        far_lat = min(abs(origin.lat) + dlat, 89.0)  # the widest longitude span is at the poleward edge
        dlon = min(radius_km / (110.0 * max(math.cos(math.radians(far_lat)), 0.01)), 180.0)
        out: dict[str, float] = {}
        lat0, lon0 = origin.lat, origin.lon
        rows = range(math.floor((lat0 - dlat) / GRID_DEG), math.floor((lat0 + dlat) / GRID_DEG) + 1)
        cols = range(math.floor((lon0 - dlon) / GRID_DEG), math.floor((lon0 + dlon) / GRID_DEG) + 1)
        cells = self._cells
        if len(rows) * len(cols) > len(cells):  # a radius wider than the index: walk the cells held
            keys = [k for k in cells if k[0] in rows]
        else:
            keys = [(i, j) for i in rows for j in cols if (i, j) in cells]
        for key in keys:
            for c in cells[key]:
                if abs(c.lat - lat0) > dlat or abs(c.lon - lon0) > dlon:  # type: ignore[operator]
                    continue
                d = haversine_km(lat0, lon0, c.lat, c.lon)  # type: ignore[arg-type]
                if d <= radius_km:
                    out[c.id] = round(d, 2)
        out[code] = 0.0
        return out

    def distance(self, a: str, b: str) -> float | None:
        """Distance in km between two communes' points, or None when one has no point."""
        ca, cb = self.by_code.get(a), self.by_code.get(b)
        if not ca or not cb or ca.lat is None or cb.lat is None or ca.lon is None or cb.lon is None:
            return None
        return round(haversine_km(ca.lat, ca.lon, cb.lat, cb.lon), 2)
