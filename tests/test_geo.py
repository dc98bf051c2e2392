"""Inverse projections of loaders.geo, checked against pyproj (PROJ) on real places."""
from __future__ import annotations

import math

import pytest

from loaders.geo import (
    SUPPORTED_EPSG,
    epsg_from_text,
    lambert93_to_wgs84,
    to_wgs84,
    utm_to_wgs84,
)

pyproj = pytest.importorskip("pyproj", reason="pyproj is the reference the projections are checked against")

TOLERANCE_DEG = 1e-8  # about 1 mm

# (label, lat, lon) of real places, one or more per supported CRS
PLACES = {
    2154: [
        ("Lille, CHU", 50.6100, 3.0376),
        ("Somain, CH", 50.356121, 3.284513),
        ("Brest", 48.3904, -4.4861),
        ("Strasbourg", 48.5734, 7.7521),
        ("Nice", 43.7102, 7.2620),
        ("Ajaccio", 41.9192, 8.7386),
        ("Perpignan", 42.6887, 2.8948),
        ("Bourg-en-Bresse, CH de Fleyriat", 46.2223, 5.2092),
    ],
    5490: [("Pointe-à-Pitre", 16.2411, -61.5331), ("Fort-de-France", 14.6161, -61.0588),
           ("Saint-Martin, Marigot", 18.0676, -63.0847)],
    4559: [("Basse-Terre", 15.9985, -61.7255)],
    2972: [("Cayenne", 4.9372, -52.3260), ("Saint-Laurent-du-Maroni", 5.4982, -54.0325)],
    2975: [("Saint-Denis de La Réunion", -20.8823, 55.4504), ("Saint-Pierre de La Réunion", -21.3393, 55.4781)],
    4471: [("Mamoudzou", -12.7806, 45.2279), ("Chirongui", -12.9317, 45.1489)],
    4467: [("Saint-Pierre", 46.7811, -56.1764)],
    8903: [("Mata-Utu", -13.2825, -176.1745)],
    32620: [("Pointe-à-Pitre (WGS 84)", 16.2411, -61.5331)],
    32622: [("Cayenne (WGS 84)", 4.9372, -52.3260)],
    32740: [("Saint-Denis (WGS 84)", -20.8823, 55.4504)],
    32738: [("Mamoudzou (WGS 84)", -12.7806, 45.2279)],
}
CASES = [pytest.param(epsg, lat, lon, id=f"EPSG:{epsg}-{label}") for epsg, places in PLACES.items()
         for label, lat, lon in places]


def _forward(epsg: int, lat: float, lon: float) -> tuple[float, float]:
    """Project WGS84 to ``epsg`` with pyproj."""
    return pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)


def _lon_diff(a: float, b: float) -> float:
    """Longitude difference, wrapped to [-180, 180)."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


@pytest.mark.parametrize("epsg, lat, lon", CASES)
def test_to_wgs84_matches_pyproj(epsg: int, lat: float, lon: float) -> None:
    """Projected by pyproj then inverted here, a place comes back within a millimetre."""
    x, y = _forward(epsg, lat, lon)
    got_lat, got_lon = to_wgs84(x, y, epsg)
    ref_lon, ref_lat = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True).transform(x, y)
    assert abs(got_lat - ref_lat) < TOLERANCE_DEG
    assert _lon_diff(got_lon, ref_lon) < TOLERANCE_DEG
    assert abs(got_lat - lat) < TOLERANCE_DEG and _lon_diff(got_lon, lon) < TOLERANCE_DEG


def test_every_supported_projected_crs_is_tested() -> None:
    """No EPSG code is declared supported without a check against pyproj."""
    projected = {code for code, p in SUPPORTED_EPSG.items() if p.kind != "geographic"}
    assert projected == set(PLACES)


def test_supported_crs_names_and_zones_agree_with_pyproj() -> None:
    """The zone and hemisphere declared for each UTM code are pyproj's."""
    for code, proj in SUPPORTED_EPSG.items():
        if proj.kind != "utm":
            continue
        name = pyproj.CRS.from_epsg(code).name
        assert f"UTM zone {proj.zone}{'S' if proj.south else 'N'}" in name, (code, name)


def test_lambert93_dense_grid_against_pyproj() -> None:
    """A grid over metropolitan France agrees with pyproj to a millimetre."""
    to_geo = pyproj.Transformer.from_crs(2154, 4326, always_xy=True)
    for x in range(100_000, 1_250_001, 50_000):
        for y in range(6_050_000, 7_150_001, 50_000):
            lat, lon = lambert93_to_wgs84(x, y)
            ref_lon, ref_lat = to_geo.transform(x, y)
            assert abs(lat - ref_lat) < TOLERANCE_DEG and abs(lon - ref_lon) < TOLERANCE_DEG, (x, y)


def test_lambert93_constants_match_ign_publication() -> None:
    """Constants derived from the defining parameters are IGN's published ones (NTG_71, Lambert-93)."""
    from loaders import geo

    assert geo._L93_N == pytest.approx(0.7256077650532670, abs=1e-14)
    assert geo._L93_C == pytest.approx(11754255.426096, abs=1e-5)
    assert (geo._L93_XS, geo._L93_YS) == (700000.0, pytest.approx(12655612.049876, abs=1e-5))


def test_lambert93_origin() -> None:
    """The projection origin is 46°30'N 3°E."""
    lat, lon = lambert93_to_wgs84(700_000, 6_600_000)
    assert math.isclose(lat, 46.5, abs_tol=1e-10) and math.isclose(lon, 3.0, abs_tol=1e-10)


def test_utm_central_meridian_and_southern_false_northing() -> None:
    """Easting 500 km is the central meridian; 10,000 km northing in the south is the equator."""
    assert utm_to_wgs84(500_000, 0, 38, south=False) == pytest.approx((0.0, 45.0), abs=1e-12)
    assert utm_to_wgs84(500_000, 10_000_000, 40, south=True) == pytest.approx((0.0, 57.0), abs=1e-12)


@pytest.mark.parametrize(
    "x, y, epsg, message",
    [
        pytest.param(1.0, 2.0, 27572, "EPSG:27572 is not a supported projection", id="unsupported-crs"),
        pytest.param(6571540.8, 870262.2, 2154, "fall outside the area of EPSG:2154", id="swapped-x-y"),
        pytest.param(0.0, 0.0, 2154, "fall outside the area of EPSG:2154", id="zero-placeholder"),
        pytest.param(870262.2, 6571540.8, 5490, "fall outside the area of EPSG:5490", id="lambert-as-utm"),
        pytest.param(float("nan"), 6571540.8, 2154, "are not finite numbers", id="nan"),
        pytest.param(3.0, 95.0, 4326, "fall outside the area of EPSG:4326", id="latitude-over-90"),
    ],
)
def test_to_wgs84_refuses_rather_than_guesses(x: float, y: float, epsg: int, message: str) -> None:
    """Unsupported projections and implausible points raise ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        to_wgs84(x, y, epsg)


def test_utm_zone_out_of_range() -> None:
    """A UTM zone outside 1..60 is refused."""
    with pytest.raises(ValueError, match="UTM zone 61 is not between 1 and 60"):
        utm_to_wgs84(500_000, 0, 61)


def test_wallis_area_crosses_the_antimeridian() -> None:
    """Mata-Utu (176°W) is inside RGWF96 / UTM 1S, whose area crosses 180°."""
    x, y = _forward(8903, -13.2825, -176.1745)
    lat, lon = to_wgs84(x, y, 8903)
    assert lat == pytest.approx(-13.2825, abs=1e-8) and lon == pytest.approx(-176.1745, abs=1e-8)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)", 2154),
        ("2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)", 5490),
        ("1,ATLASANTE,96,BAN,EPSG:2975 RGR92 / UTM Zone 40S (Réunion)", 2975),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93", 2154),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20", 5490),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N22", 2972),
        ("UTM zone 38S", 4471),
        ("epsg: 4471", 4471),
        ("EPSG:27572 NTF (Paris) / Lambert zone II", 27572),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE", None),
        ("", None),
    ],
)
def test_epsg_from_text(text: str, expected: int | None) -> None:
    """CRS labels of both FINESS eras map to EPSG codes; labels without one give None."""
    assert epsg_from_text(text) == expected
