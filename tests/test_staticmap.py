import math
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import is_color_like
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.markers import MarkerStyle
from matplotlib.text import Annotation, Text

from geomap.boundaries import admin1_polygon
from geomap.errors import InputError
from geomap.layers import (
    BORDER_COLUMNS,
    EVENT_COLUMNS,
    EVENT_KINDS,
    PLACE_COLUMNS,
    Layers,
    empty_frame,
    frame_from_records,
)
from geomap.staticmap import ATTRIBUTION, FIGSIZE, KIND_STYLE, MatplotlibMissingError, render_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _empty_layers(title: str = "") -> Layers:
    return Layers(
        events=empty_frame(EVENT_COLUMNS),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
        title=title,
    )


def _busy_layers(places: int, events_per_place: int) -> Layers:
    """Events of every kind spread over a grid of places in Kyrgyzstan."""
    from shapely.geometry import Point

    records = []
    for n in range(places * events_per_place):
        place = n % places
        kind = EVENT_KINDS[n % len(EVENT_KINDS)]
        record: dict[str, object] = dict.fromkeys(EVENT_COLUMNS, "")
        record.update(
            event_id=f"busy-{n}",
            kind=kind,
            kinds=kind,
            fatalities=place % 7,
            killed=None,
            injured=None,
            displaced=None,
            location_name=f"Place {place}",
            located=True,
            geometry=Point(70.0 + (place % 8) * 1.2, 39.8 + (place // 8) * 0.6),
        )
        records.append(record)
    return Layers(
        events=frame_from_records(records, EVENT_COLUMNS),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
        title="Busy",
    )


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _map_axes(fig: Figure):  # type: ignore[no-untyped-def]
    return next(ax for ax in fig.axes if ax.get_label() == "map")


def test_staticmap_writes_png_of_a4_size(example_layers: Layers, tmp_path: Path) -> None:
    path = tmp_path / "map.png"
    fig = render_png(example_layers, path, dpi=100)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    height, width, _ = imread(path).shape
    assert (width, height) == (round(FIGSIZE[0] * 100), round(FIGSIZE[1] * 100))
    assert isinstance(fig.canvas, FigureCanvasAgg)


def test_staticmap_legend_lists_what_is_drawn(example_layers: Layers, tmp_path: Path) -> None:
    labels = _legend_labels(render_png(example_layers, tmp_path / "map.png"))
    assert {"riots", "curfew", "curfew/emergency area", "displacement flow", "border"} <= set(labels)
    assert "meeting" not in labels  # the meeting is not located, so not drawn
    assert len(labels) == len(set(labels))


def test_staticmap_has_inset_scale_bar_title_attribution_and_notes(example_layers: Layers, tmp_path: Path) -> None:
    fig = render_png(example_layers, tmp_path / "map.png")
    assert any(ax.get_label() == "locator inset" for ax in fig.axes)
    texts = _texts(fig)
    assert "Fixture story" in texts
    assert ATTRIBUTION in texts
    assert any("1 event not located (meeting)" in t for t in texts)
    scale = [t for t in texts if t.endswith(" km")]
    assert len(scale) == 1
    length = float(scale[0].removesuffix(" km").replace(",", ""))
    mantissa = length / 10 ** math.floor(math.log10(length))
    assert mantissa in {1.0, 2.0, 5.0}


def test_staticmap_labels_places_once_with_tolls_and_the_flow(example_layers: Layers, tmp_path: Path) -> None:
    texts = _texts(render_png(example_layers, tmp_path / "map.png"))
    osh = [t for t in texts if t.startswith("Osh")]
    assert osh == ["Osh\nat least 77 killed\nmore than 1,000 injured"]
    assert [t for t in texts if t.startswith("Jalal-Abad")] == ["Jalal-Abad"]
    assert "thousands displaced\n→ Kyrgyzstan–Uzbekistan border" in texts
    assert {"KYRGYZSTAN", "UZBEKISTAN"} <= set(texts)


def test_staticmap_map_labels_do_not_overlap(example_layers: Layers, tmp_path: Path) -> None:
    fig = render_png(example_layers, tmp_path / "map.png")
    ax = _map_axes(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts if isinstance(t, Annotation) and t.get_text() != "N"]
    assert len(boxes) >= 5
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 < box.x1 <= frame.x1
        assert frame.y0 <= box.y0 < box.y1 <= frame.y1
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])


def test_staticmap_view_covers_data_with_corrected_aspect(example_layers: Layers, tmp_path: Path) -> None:
    ax = _map_axes(render_png(example_layers, tmp_path / "map.png"))
    (lon_min, lon_max), (lat_min, lat_max) = ax.get_xlim(), ax.get_ylim()
    data_lon_min, data_lat_min, data_lon_max, data_lat_max = example_layers.borders.total_bounds
    curfew = admin1_polygon("KG.03").bounds
    assert lon_min < min(data_lon_min, curfew[0]) < max(data_lon_max, curfew[2]) < lon_max
    assert lat_min < min(data_lat_min, curfew[1]) < max(data_lat_max, curfew[3]) < lat_max
    assert lon_max - lon_min < 12  # a country-scale view, not a continent
    mid_lat = (lat_min + lat_max) / 2
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(mid_lat)))


def test_staticmap_rerun_is_byte_identical(example_layers: Layers, tmp_path: Path) -> None:
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    render_png(example_layers, first, dpi=80)
    render_png(example_layers, second, dpi=80)
    assert first.read_bytes() == second.read_bytes()
    assert b"Software" not in first.read_bytes()


def test_staticmap_empty_layers_render_a_world_view(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    fig = render_png(_empty_layers(), path, dpi=60)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert "No events to map." in _texts(fig)
    assert _legend_labels(fig) == []
    lon_min, lon_max = _map_axes(fig).get_xlim()
    assert lon_max - lon_min > 300


def test_staticmap_unlocated_events_show_their_country(example_layers: Layers, tmp_path: Path) -> None:
    events = example_layers.events
    unlocated = events[~events["located"].astype(bool)].assign(country_code="KG")
    layers = Layers(events=unlocated, places=example_layers.places, borders=empty_frame(BORDER_COLUMNS))
    fig = render_png(layers, tmp_path / "unlocated.png", dpi=60)
    (lon_min, lon_max), (lat_min, lat_max) = _map_axes(fig).get_xlim(), _map_axes(fig).get_ylim()
    # Kyrgyzstan spans about 69.3-80.3 E, 39.2-43.3 N.
    assert lon_min < 69.3 < 80.2 < lon_max
    assert lat_min < 39.2 < 43.2 < lat_max
    assert lon_max - lon_min < 20
    assert any("1 event not located" in t for t in _texts(fig))


def test_staticmap_prints_untrusted_text_literally(example_layers: Layers, tmp_path: Path) -> None:
    events = example_layers.events.copy()
    events.loc[events["kind"] == "riots", "location_name"] = "奥什 $x$ <script>"
    layers = Layers(events=events, places=example_layers.places, borders=example_layers.borders)
    title = 'Riots: $5 million "damage" <b>bold</b>'
    texts = _texts(render_png(layers, tmp_path / "map.png", title=title, dpi=60))
    assert title in texts
    assert any(t.startswith("奥什 $x$ <script>\n") for t in texts)


@pytest.mark.parametrize(
    ("name", "dpi", "match"),
    [("map.svg", 200, r"ending in '\.png'"), ("missing/map.png", 200, "create it first"), ("map.png", 0, "positive")],
)
def test_staticmap_rejects_bad_path_or_dpi(
    example_layers: Layers, tmp_path: Path, name: str, dpi: int, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        render_png(example_layers, tmp_path / name, dpi=dpi)


def test_staticmap_kind_style_covers_every_kind() -> None:
    assert set(KIND_STYLE) == set(EVENT_KINDS)
    for marker, colour, label in KIND_STYLE.values():
        MarkerStyle(marker)
        assert is_color_like(colour)
        assert label
    assert len({label for _, _, label in KIND_STYLE.values()}) == len(KIND_STYLE)


def test_staticmap_busy_map_budgets_labels_and_fits_the_legend(tmp_path: Path) -> None:
    fig = render_png(_busy_layers(places=40, events_per_place=6), tmp_path / "busy.png", dpi=60)
    texts = _texts(fig)
    labelled = [t for t in texts if t.startswith("Place ")]
    assert 0 < len(labelled) <= 30
    assert any(f"Labels: {len(labelled)} of 40 places" in t for t in texts)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (legend,) = fig.legends
    for artist in [legend, *fig.texts]:
        box = artist.get_window_extent(renderer)
        assert fig.bbox.contains(*box.p0)
        assert fig.bbox.contains(*box.p1)
    assert set(_legend_labels(fig)) == {style[2] for style in KIND_STYLE.values()}


def test_staticmap_says_how_to_install_matplotlib(
    example_layers: Layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MatplotlibMissingError, match="pip install"):
        render_png(example_layers, tmp_path / "map.png")
