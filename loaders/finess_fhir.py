"""FINESS in its FHIR forms: the ndjson of Organization + Location resources, and its flat CSV.

Both come from the ``flrt/finess-fhir`` conversion of the 2021-01-08 extraction
(see ``../shared/data/README.md`` §1.2). They carry no INSEE commune code: it is
resolved from the postal code and city with a :class:`~loaders.communes.CommuneIndex`.
The ndjson is read in two passes (Locations first), so memory grows with the
positions, not the file. Shared helpers live in :mod:`loaders.finess`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from graph.model import Record
from loaders.communes import CommuneIndex
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.finess import (
    _CODINGS, _FINESS_OID, _FLAT_REQUIRED, FHIR_ENCODING, FINESS_DELIMITER, FLAT_ENCODING, _Context, _coordinates,
    _join, _Tally, _text_lines,
)
from loaders.reading import read_csv_rows

__all__ = ["read_finess_fhir", "read_finess_flat"]


def read_finess_fhir(
    path: str | Path, report: LoadReport, *, communes: CommuneIndex | None = None, synthetic: bool = False,
) -> Iterator[Record]:
    """Read the FINESS FHIR ndjson form: Organization and Location lines, in any order.

    Parameters
    ----------
    path, report, synthetic
        As in :func:`read_finess`; the file is UTF-8 ndjson, ``Organization.id`` is
        ``<nofinessej>-<nofinesset>``, a Location names its Organization in
        ``managingOrganization`` and carries WGS84 ``position``.
    communes : CommuneIndex, optional
        Resolves INSEE codes from postal code and city (CEDEX labels included).

    Returns
    -------
    iterator of Record
        LegalEntity and Structure records, in the order of the Organization lines.

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, or a first line that is not a FHIR resource.

    Examples
    --------
    >>> data, report = Path(__file__).parents[1] / "tests" / "data" / "finess", LoadReport()
    >>> s = [r for r in read_finess_fhir(data / "finess_fhir_20210108_dep59_cut.ndjson", report)
    ...      if r.LABEL == "Structure"]
    >>> s[0].id, s[0].name, s[0].category_code, round(s[0].lat, 4)
    ('590000014', 'CH SOMAIN', '355', 50.3561)
    """
    ctx = _Context(path, report, communes, synthetic)
    positions = _scan_locations(ctx)
    used: set[str] = set()
    no_location = _Tally("Organization(s) without a usable Location (kept without lat/lon)")
    for n, raw in _text_lines(path, FHIR_ENCODING):
        try:
            res = json.loads(raw)
        except ValueError as err:
            ctx.fail(RowError(f"not valid JSON ({err})", value=raw[:40]), n, raw)
            continue
        kind = res.get("resourceType") if isinstance(res, dict) else None
        if kind == "Location":
            continue
        if kind != "Organization":
            ctx.fail(RowError("expected an Organization or a Location", column="resourceType", value=kind), n, raw)
            continue
        org_id = str(res.get("id") or "")
        try:
            values = _organization(res, org_id)
        except (AttributeError, TypeError, IndexError) as err:
            ctx.fail(RowError(f"malformed Organization ({err})", column="id", value=org_id), n, raw)
            continue
        used.add(org_id)
        if org_id not in positions:
            no_location.add(f"line {n} {org_id}")
        lat, lon = positions.get(org_id, (None, None))
        yield from ctx.emit(values, n, raw, lat=lat, lon=lon)
    orphans = _Tally("Location(s) whose Organization is not in the file")
    for org in positions.keys() - used:
        orphans.add(org)
    ctx.finish(no_location, orphans)


def _scan_locations(ctx: _Context) -> dict[str, tuple[float, float]]:
    """First pass: check the first line; collect Location positions by Organization id."""
    positions: dict[str, tuple[float, float]] = {}
    lines: dict[str, int] = {}
    first = True
    for n, raw in _text_lines(ctx.path, FHIR_ENCODING):
        if first and not (n == 1 and raw.lstrip().startswith("{") and '"resourceType"' in raw):
            raise FileFormatError(f"not FHIR ndjson: line 1 {raw[:60]!r} is not a JSON resource with a "
                                  "resourceType", file=ctx.path, line=1)
        first = False
        if '"Location"' not in raw:
            continue
        try:
            res = json.loads(raw)
        except ValueError:
            continue  # rejected by the second pass
        if not isinstance(res, dict) or res.get("resourceType") != "Location":
            continue
        try:
            ref = str((res.get("managingOrganization") or {}).get("reference") or "")
            if not ref.startswith("Organization/"):
                raise RowError("no managingOrganization reference", column="managingOrganization", value=ref)
            org = ref.removeprefix("Organization/")
            if org in lines:
                raise RowError(f"duplicate Location for {ref} (first seen on line {lines[org]})",
                               column="managingOrganization", value=ref)
            pos = res.get("position") or {}
            lat, lon = _coordinates(pos.get("latitude"), pos.get("longitude"), "position.")
        except (RowError, AttributeError) as err:
            ctx.fail(err if isinstance(err, RowError) else RowError(f"malformed Location ({err})"), n, raw)
            continue
        lines[org] = n
        if lat is not None and lon is not None:
            positions[org] = (lat, lon)
    return positions


def _organization(res: dict[str, Any], org_id: str) -> dict[str, Any]:
    """Map a FINESS FHIR Organization to raw column names."""
    ej, sep, et = org_id.partition("-")
    if not sep:
        ej, et = "", org_id
    v: dict[str, Any] = {"nofinesset": et, "nofinessej": ej, "rs": res.get("name")}
    for ident in res.get("identifier") or []:
        if ident.get("system") == _FINESS_OID:
            v["nofinesset"] = ident.get("value")
        elif ident.get("system") == "http://sirene.fr":
            v["siret"] = ident.get("value")
    address = (res.get("address") or [{}])[0]
    v["address"] = _join(*(address.get("line") or []), sep=", ")
    v["postal_code"], v["city"] = address.get("postalCode"), address.get("city")
    v["telephone"] = next((t.get("value") for t in res.get("telecom") or [] if t.get("system") == "phone"), None)
    for coding in (c for t in res.get("type") or [] for c in t.get("coding") or []):
        system = str(coding.get("system") or "")
        if system in _CODINGS:
            v[_CODINGS[system][0]], v[_CODINGS[system][1]] = coding.get("code"), coding.get("display")
        elif "TRE_R75-InseeNAFrev2Niveau5" in system:
            v["codeape"] = coding.get("code")
    for ext in res.get("extension") or []:
        if str(ext.get("url", "")).endswith("organization-period"):
            v["dateouv"] = (ext.get("valuePeriod") or {}).get("start")
    v["datemaj"] = str((res.get("meta") or {}).get("lastUpdated") or "")[:10]
    return v


# --- flat CSV -------------------------------------------------------------------------


def read_finess_flat(
    path: str | Path, report: LoadReport, *, communes: CommuneIndex | None = None, synthetic: bool = False,
) -> Iterator[Record]:
    """Read the flat FINESS CSV (``;``, UTF-8, header; columns mapped by name).

    Parameters
    ----------
    path, report, synthetic
        As in :func:`read_finess`; the header must name at least ``nofinesset``,
        ``nofinessej``, ``rs``, ``code_postal``, ``ville``, ``categetab``,
        ``latitude`` and ``longitude`` (WGS84).
    communes : CommuneIndex, optional
        Resolves INSEE codes from postal code and city (CEDEX labels included).

    Returns
    -------
    iterator of Record
        LegalEntity and Structure records, in file order.

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, or required columns missing from the header.

    Examples
    --------
    >>> data, report = Path(__file__).parents[1] / "tests" / "data" / "finess", LoadReport()
    >>> s = [r for r in read_finess_flat(data / "finess_fhir_20210108_dep59_flat_cut.csv", report)
    ...      if r.LABEL == "Structure"]
    >>> s[1].postal_code, s[1].city, s[1].address
    ('59481', 'HAUBOURDIN CEDEX', '29 R HENRI BARBUSSE, BP 69')
    """
    ctx = _Context(path, report, communes, synthetic)
    for line, row, raw in read_csv_rows(path, FINESS_DELIMITER, FLAT_ENCODING, _FLAT_REQUIRED):
        if "__error__" in row:
            ctx.fail(row["__error__"], line, raw)  # type: ignore[arg-type]
            continue
        try:
            lat, lon = _coordinates(row["latitude"], row["longitude"])
        except RowError as err:
            ctx.fail(err, line, raw)
            continue
        row["address"] = _join(row.get("adresse_ligne1"), row.get("adresse_ligne2"), sep=", ")
        row["postal_code"], row["city"] = row["code_postal"], row["ville"]
        yield from ctx.emit(row, line, raw, lat=lat, lon=lon)
    ctx.finish()
