"""Inverse map projections to WGS84 latitude/longitude, in pure Python.

FINESS geolocates its sites in the legal projection of each territory:
Lambert-93 (EPSG:2154) in metropolitan France and UTM zones on GRS80-based,
ITRF-aligned datums overseas (RGAF09, RGFG95, RGR92, RGM04, RGSPM06, RGWF96).
Those datums agree with WGS84 to well under a metre, so no datum shift is
applied: only the projection is inverted.

- Lambert-93: the IGN algorithms ALG0002 (latitude from isometric latitude)
  and ALG0004 (inverse Lambert conformal conic), constants derived from the
  projection's defining parameters (standard parallels 44° and 49°, origin
  46°30'N 3°E, false easting 700 000 m, false northing 6 600 000 m).
- UTM: the Krüger series to order n⁶ (Karney, *Transverse Mercator with an
  accuracy of a few nanometers*, J. Geodesy 2011), good to a millimetre or
  better within a zone.

Projections other than those in :data:`SUPPORTED_EPSG` are refused with a
``ValueError`` rather than guessed: a missing coordinate is better than a
wrong one.
"""
from __future__ import annotations

import math
import re
from typing import NamedTuple

__all__ = [
    "GRS80_A",
    "GRS80_F",
    "Projection",
    "SUPPORTED_EPSG",
    "lambert93_to_wgs84",
    "utm_to_wgs84",
    "to_wgs84",
    "epsg_from_text",
    "latitude_from_isometric",
]

GRS80_A = 6378137.0
GRS80_F = 1 / 298.257222101
_E = math.sqrt(GRS80_F * (2 - GRS80_F))  # first eccentricity
_EPS = 1e-12  # radians, convergence of the latitude iteration (~6 µm)


class Projection(NamedTuple):
    """A supported projected CRS: its name, its kind, UTM zone and hemisphere, area of use."""

    name: str
    kind: str  # "lambert93" | "utm" | "geographic"
    zone: int | None
    south: bool
    bbox: tuple[float, float, float, float]  # west, south, east, north (degrees), padded


SUPPORTED_EPSG: dict[int, Projection] = {
    2154: Projection("RGF93 / Lambert-93", "lambert93", None, False, (-10.5, 40.5, 11.0, 52.0)),
    5490: Projection("RGAF09 / UTM zone 20N (Antilles)", "utm", 20, False, (-64.5, 13.5, -59.5, 19.0)),
    4559: Projection("RRAF 1991 / UTM zone 20N (Antilles)", "utm", 20, False, (-64.5, 13.5, -59.5, 19.0)),
    32620: Projection("WGS 84 / UTM zone 20N", "utm", 20, False, (-66.5, -0.5, -59.5, 84.0)),
    2972: Projection("RGFG95 / UTM zone 22N (Guyane)", "utm", 22, False, (-54.8, 1.5, -48.9, 9.5)),
    32622: Projection("WGS 84 / UTM zone 22N", "utm", 22, False, (-54.5, -0.5, -47.5, 84.0)),
    2975: Projection("RGR92 / UTM zone 40S (Réunion)", "utm", 40, True, (53.5, -25.5, 59.0, -17.5)),
    32740: Projection("WGS 84 / UTM zone 40S", "utm", 40, True, (53.5, -80.0, 60.5, 0.5)),
    4471: Projection("RGM04 / UTM zone 38S (Mayotte)", "utm", 38, True, (43.0, -15.0, 47.5, -10.5)),
    32738: Projection("WGS 84 / UTM zone 38S", "utm", 38, True, (41.5, -80.0, 48.5, 0.5)),
    4467: Projection("RGSPM06 / UTM zone 21N (Saint-Pierre-et-Miquelon)", "utm", 21, False,
                     (-57.6, 43.0, -55.4, 47.8)),
    8903: Projection("RGWF96 / UTM zone 1S (Wallis-et-Futuna)", "utm", 1, True, (179.0, -16.5, -173.5, -9.3)),
    4326: Projection("WGS 84 (longitude, latitude)", "geographic", None, False, (-180.0, -90.0, 180.0, 90.0)),
}
"""EPSG code -> :class:`Projection`, the CRS this module inverts (GRS80/WGS84 datums only)."""

_UTM_EPSG = {(20, "N"): 5490, (22, "N"): 2972, (40, "S"): 2975, (38, "S"): 4471, (21, "N"): 4467, (1, "S"): 8903}
_UTM_RE = re.compile(r"UTM[\s_]*(?:ZONE[\s_]*)?(?:([NS])[\s_]*(\d{1,2})|(\d{1,2})[\s_]*([NS]))\b", re.I)


def epsg_from_text(text: str) -> int | None:
    """Return the EPSG code a CRS label names (``EPSG:5490 ...``, ``LAMBERT_93``, ``UTM_N20``), or None.

    Parameters
    ----------
    text : str
        A free-text CRS label, such as FINESS's ``sourcecoordet``. A UTM zone
        without an EPSG code maps to the French legal CRS of that zone.

    Returns
    -------
    int or None
        The EPSG code, supported or not (check :data:`SUPPORTED_EPSG`).

    Examples
    --------
    >>> epsg_from_text("1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)")
    2154
    >>> epsg_from_text("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93"), epsg_from_text("UTM_S40")
    (2154, 2975)
    """
    s = text or ""
    m = re.search(r"EPSG\s*:\s*(\d{4,5})", s, re.I)
    if m:
        return int(m.group(1))
    if re.search(r"LAMBERT[\s_-]*93", s, re.I):
        return 2154
    m = _UTM_RE.search(s)
    if m:
        zone, hemi = int(m.group(2) or m.group(3)), (m.group(1) or m.group(4)).upper()
        return _UTM_EPSG.get((zone, hemi))
    return None


# --- Lambert-93 (constants derived with IGN ALG0054, not copied) ---------------


def _isometric_latitude(phi: float) -> float:
    """Isometric latitude of a geodetic latitude on GRS80 (IGN ALG0001)."""
    s = _E * math.sin(phi)
    return math.log(math.tan(math.pi / 4 + phi / 2) * ((1 - s) / (1 + s)) ** (_E / 2))


def _lcc_constants() -> tuple[float, float, float, float]:
    """Return n, C, Xs, Ys of Lambert-93 from its defining parameters (IGN ALG0054)."""
    phi1, phi2, phi0 = (math.radians(v) for v in (44.0, 49.0, 46.5))
    x0, y0 = 700000.0, 6600000.0

    def big_n(phi: float) -> float:
        """Radius of curvature in the prime vertical at latitude ``phi``."""
        return GRS80_A / math.sqrt(1 - (_E * math.sin(phi)) ** 2)

    l1, l2 = _isometric_latitude(phi1), _isometric_latitude(phi2)
    n = math.log((big_n(phi2) * math.cos(phi2)) / (big_n(phi1) * math.cos(phi1))) / (l1 - l2)
    c = big_n(phi1) * math.cos(phi1) / n * math.exp(n * l1)
    xs = x0
    ys = y0 + c * math.exp(-n * _isometric_latitude(phi0))
    return n, c, xs, ys


_L93_N, _L93_C, _L93_XS, _L93_YS = _lcc_constants()
_L93_LON0 = math.radians(3.0)


def latitude_from_isometric(iso: float) -> float:
    """Return the geodetic latitude (radians) of an isometric latitude on GRS80 (IGN ALG0002).

    Parameters
    ----------
    iso : float
        Isometric latitude.

    Returns
    -------
    float
        Geodetic latitude in radians.

    Examples
    --------
    >>> round(math.degrees(latitude_from_isometric(_isometric_latitude(math.radians(46.5)))), 10)
    46.5
    """
    exp_l = math.exp(iso)
    phi = 2 * math.atan(exp_l) - math.pi / 2
    for _ in range(50):
        s = _E * math.sin(phi)
        nxt = 2 * math.atan(((1 + s) / (1 - s)) ** (_E / 2) * exp_l) - math.pi / 2
        if abs(nxt - phi) < _EPS:
            return nxt
        phi = nxt
    return phi


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Convert Lambert-93 (EPSG:2154) metres to WGS84 ``(lat, lon)`` degrees.

    Parameters
    ----------
    x, y : float
        Easting and northing in metres.

    Returns
    -------
    tuple of float
        Latitude and longitude in decimal degrees (RGF93 ≈ WGS84).

    Examples
    --------
    The projection origin maps to 46°30'N 3°E:

    >>> lat, lon = lambert93_to_wgs84(700000, 6600000)
    >>> round(lat, 9), round(lon, 9)
    (46.5, 3.0)
    """
    dx, dy = x - _L93_XS, y - _L93_YS
    r = math.hypot(dx, dy)
    gamma = math.atan2(dx, -dy)
    lon = _L93_LON0 + gamma / _L93_N
    iso = -math.log(abs(r / _L93_C)) / _L93_N
    return math.degrees(latitude_from_isometric(iso)), math.degrees(lon)


# --- UTM (Krüger n^6 series) ------------------------------------------------

_N3 = GRS80_F / (2 - GRS80_F)
_A_RECT = GRS80_A / (1 + _N3) * (1 + _N3**2 / 4 + _N3**4 / 64 + _N3**6 / 256)
_BETA = (
    _N3 / 2 - 2 * _N3**2 / 3 + 37 * _N3**3 / 96 - _N3**4 / 360 - 81 * _N3**5 / 512 + 96199 * _N3**6 / 604800,
    _N3**2 / 48 + _N3**3 / 15 - 437 * _N3**4 / 1440 + 46 * _N3**5 / 105 - 1118711 * _N3**6 / 3870720,
    17 * _N3**3 / 480 - 37 * _N3**4 / 840 - 209 * _N3**5 / 4480 + 5569 * _N3**6 / 90720,
    4397 * _N3**4 / 161280 - 11 * _N3**5 / 504 - 830251 * _N3**6 / 7257600,
    4583 * _N3**5 / 161280 - 108847 * _N3**6 / 3991680,
    20648693 * _N3**6 / 638668800,
)
_UTM_K0 = 0.9996


def utm_to_wgs84(easting: float, northing: float, zone: int, south: bool = False) -> tuple[float, float]:
    """Convert UTM metres (GRS80/WGS84 datum) to WGS84 ``(lat, lon)`` degrees.

    Parameters
    ----------
    easting, northing : float
        UTM coordinates in metres (false easting 500 000 m; false northing
        10 000 000 m in the southern hemisphere).
    zone : int
        UTM zone, 1 to 60.
    south : bool
        True for a southern-hemisphere zone (``38S``, ``40S``).

    Returns
    -------
    tuple of float
        Latitude and longitude in decimal degrees, longitude in [-180, 180).

    Raises
    ------
    ValueError
        The zone is not in 1..60.

    Examples
    --------
    The central meridian of zone 20 on the equator:

    >>> lat, lon = utm_to_wgs84(500000, 0, 20)
    >>> round(lat, 9) + 0.0, round(lon, 9)
    (0.0, -63.0)
    """
    if not 1 <= int(zone) <= 60:
        raise ValueError(f"UTM zone {zone!r} is not between 1 and 60")
    x = easting - 500000.0
    y = northing - (10000000.0 if south else 0.0)
    xi = y / (_UTM_K0 * _A_RECT)
    eta = x / (_UTM_K0 * _A_RECT)
    xi_p, eta_p = xi, eta
    for j, b in enumerate(_BETA, start=1):
        xi_p -= b * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta_p -= b * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    chi = math.asin(max(-1.0, min(1.0, math.sin(xi_p) / math.cosh(eta_p))))  # conformal latitude
    lon = math.atan2(math.sinh(eta_p), math.cos(xi_p))
    phi = latitude_from_isometric(math.atanh(math.sin(chi))) if abs(chi) < math.pi / 2 else chi
    lon_deg = math.degrees(lon) + (int(zone) * 6 - 183)
    lon_deg = (lon_deg + 180.0) % 360.0 - 180.0
    return math.degrees(phi), lon_deg


def to_wgs84(x: float, y: float, epsg: int) -> tuple[float, float]:
    """Convert ``(x, y)`` in the CRS ``EPSG:<epsg>`` to WGS84 ``(lat, lon)``, checking the area of use.

    Parameters
    ----------
    x, y : float
        Easting and northing in metres (longitude and latitude for EPSG:4326).
    epsg : int
        A code of :data:`SUPPORTED_EPSG`.

    Returns
    -------
    tuple of float
        Latitude and longitude in decimal degrees.

    Raises
    ------
    ValueError
        The CRS is not supported, a value is not finite, or the point falls
        outside the CRS's area of use (a sign of swapped or wrong coordinates).

    Examples
    --------
    >>> [round(v, 5) for v in to_wgs84(870262.2, 6571540.8, 2154)]
    [46.22229, 5.20918]
    >>> to_wgs84(1.0, 2.0, 27572)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: EPSG:27572 is not a supported projection (supported: 2154, 2972, 2975, 4326, ...)
    """
    proj = SUPPORTED_EPSG.get(int(epsg))
    if proj is None:
        codes = ", ".join(str(c) for c in sorted(SUPPORTED_EPSG))
        raise ValueError(f"EPSG:{epsg} is not a supported projection (supported: {codes})")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"coordinates ({x}, {y}) are not finite numbers")
    if proj.kind == "lambert93":
        lat, lon = lambert93_to_wgs84(x, y)
    elif proj.kind == "utm":
        lat, lon = utm_to_wgs84(x, y, proj.zone or 0, proj.south)
    else:
        lat, lon = y, x
    west, south, east, north = proj.bbox
    inside_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)
    if not (south <= lat <= north and inside_lon):
        raise ValueError(
            f"coordinates ({x}, {y}) fall outside the area of EPSG:{epsg} ({proj.name}): "
            f"they give lat {lat:.5f}, lon {lon:.5f}"
        )
    return lat, lon
