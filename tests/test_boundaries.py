import pytest
from shapely.geometry import Point

from geomap.boundaries import (
    admin1_polygon,
    border_length_km,
    border_line,
    country_at,
    load_countries,
    nearest_point,
    region_at,
)
from geomap.errors import GazetteerError, InputError
from geomap.geo import haversine_km

OSH = (40.52828, 72.7985)
JALAL_ABAD = (40.94498, 72.99313)


@pytest.mark.parametrize(("code", "capital"), [("KG.08", OSH), ("KG.03", JALAL_ABAD)])
def test_boundaries_oblast_polygons_contain_their_capitals(code: str, capital: tuple[float, float]) -> None:
    lat, lon = capital
    assert admin1_polygon(code).contains(Point(lon, lat))


def test_boundaries_admin1_by_place_id() -> None:
    assert admin1_polygon("gn:1346798").contains(Point(OSH[1], OSH[0]))


def test_boundaries_kg_uz_border_length_and_distance_from_osh() -> None:
    line = border_line("KG", "UZ")
    assert line is not None
    assert border_length_km(line) == pytest.approx(885, abs=15)
    lat, lon = nearest_point(line, *OSH)
    assert haversine_km(OSH[0], OSH[1], lat, lon) < 10.0


def test_boundaries_border_at_10m_is_longer() -> None:
    line = border_line("kg", "uz", scale="10m")
    assert line is not None
    assert border_length_km(line) == pytest.approx(1051, abs=20)


def test_boundaries_countries_that_do_not_touch() -> None:
    assert border_line("KG", "US") is None


def test_boundaries_unknown_country_and_scale() -> None:
    with pytest.raises(GazetteerError, match="No Natural Earth polygon"):
        border_line("KG", "XX")
    with pytest.raises(InputError, match="choose one of"):
        load_countries("1m")  # type: ignore[arg-type]


def test_boundaries_region_and_country_at_points() -> None:
    assert region_at(*OSH)["admin1_code"] == "KG.08"
    assert region_at(*JALAL_ABAD)["admin1_code"] == "KG.03"
    assert region_at(0.0, -30.0) is None  # Atlantic
    assert country_at(*OSH) == "KG"
    # Natural Earth puts the border town Kara-Suu in Uzbekistan: why the country comes from GeoNames.
    assert country_at(40.7046, 72.8667) == "UZ"


def test_boundaries_unknown_region() -> None:
    with pytest.raises(GazetteerError, match=r"KG\.08"):
        admin1_polygon("ZZ.99")


@pytest.mark.parametrize("scale", ["50m", "10m"])
def test_boundaries_countries_valid_and_cut_at_the_antimeridian(scale: str) -> None:
    """Russia, Fiji and Antarctica are cut at ±180, so no ring draws a band across a flat map."""
    import numpy as np
    import shapely

    countries = load_countries(scale)
    assert bool(countries.geometry.is_valid.all())
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    jumps = []
    for name, geometry in zip(countries["name"], countries.geometry, strict=True):
        for part in shapely.get_parts(geometry):
            xy = np.asarray(part.exterior.coords)
            pole = (np.abs(xy[:-1, 1]) > 89.9) & (np.abs(xy[1:, 1]) > 89.9)
            if np.any((np.abs(np.diff(xy[:, 0])) > 180) & ~pole):
                jumps.append(name)
    assert jumps == []
    by_name = countries.set_index("name").geometry
    # Chukotka lies on both sides of the antimeridian; Antarctica reaches the pole all round.
    assert by_name["Russia"].intersects(shapely.Point(179.5, 66.5))
    assert by_name["Russia"].intersects(shapely.Point(-179.5, 66.5))
    assert by_name["Antarctica"].intersects(shapely.Point(0.0, -89.0))
    assert by_name["Antarctica"].intersects(shapely.Point(120.0, -89.0))
    assert not by_name["Antarctica"].intersects(shapely.Point(0.0, -50.0))
