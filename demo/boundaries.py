"""Synthetic LSOA boundaries for the demo ICB, so the HTML report can draw maps of a world that does not exist.

The demo's LSOA codes are synthetic, so no published boundary fits them. Each of the system's LSOAs already has
a seeded position (`World.icb_x`, `icb_y`, km, clustered around its local authority's town centre); its
boundary is that point's Voronoi cell, clipped to a fictional outline (a concave hull of the points with a
rounded margin). One polygon per system LSOA, no gaps or overlaps, deterministic: the same world gives byte-identical
GeoJSON.

The km grid is placed on the British National Grid near Lancashire (EPSG:27700) and written in WGS 84
longitude/latitude (RFC 7946), with the property names of ONS's boundary files (`LSOA11CD`, `LSOA11NM`), so a
real boundary file can be dropped in its place (`pipelines.report.maps.read_boundaries`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, mapping

from demo.world import World

BOUNDARIES = "geography/lsoa11_boundaries.geojson"
#: British National Grid metres of the demo's (0, 0) km: a point in central Lancashire.
ORIGIN_BNG = (352_000.0, 428_000.0)
OUTLINE_RATIO = 0.35  # concavity of the outline (shapely.concave_hull: 0 = tightest, 1 = convex hull)
OUTLINE_MARGIN_KM = 3.0  # how far the outline lies beyond the outermost LSOA positions
DECIMALS = 5  # ~1 m in latitude: enough for a map, small files


def lsoa_polygons(world: World) -> list[shapely.Geometry]:
    """The Voronoi cell of each system LSOA (in `world.icb_lsoas` order), clipped to the outline, in BNG metres."""
    x = ORIGIN_BNG[0] + 1000.0 * np.asarray(world.icb_x, dtype=float)
    y = ORIGIN_BNG[1] + 1000.0 * np.asarray(world.icb_y, dtype=float)
    points = shapely.points(x, y)
    radius = OUTLINE_MARGIN_KM * 1000.0
    # One connected, gently concave shape around every town: a concave hull with a rounded margin.
    outline = shapely.concave_hull(MultiPoint(list(zip(x, y))), ratio=OUTLINE_RATIO).buffer(radius, quad_segs=8)
    cells = shapely.voronoi_polygons(MultiPoint(list(zip(x, y))), extend_to=outline.envelope.buffer(radius))
    cell_list = list(cells.geoms)
    # voronoi_polygons does not keep the input order: match each point to the cell that contains it.
    tree = shapely.STRtree(cell_list)
    point_idx, cell_idx = tree.query(points, predicate="intersects")
    owner = np.full(len(points), -1)
    for p, c in zip(point_idx, cell_idx):
        if owner[p] == -1:
            owner[p] = c
    if (owner < 0).any():  # two LSOAs at the same position share one cell: give each a disc of its own
        raise ValueError(f"{int((owner < 0).sum())} demo LSOA positions have no Voronoi cell")
    return [shapely.intersection(cell_list[c], outline) for c in owner]


def boundaries_geojson(world: World) -> dict:
    """The FeatureCollection (WGS 84 longitude/latitude) of the system's LSOAs."""
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)
    codes = world.lsoa_code[world.icb_lsoas]
    names = world.lsoa_name[world.icb_lsoas]
    features = []
    for code, name, polygon in zip(codes, names, lsoa_polygons(world), strict=True):
        lonlat = shapely.transform(polygon, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
        rounded = shapely.set_precision(lonlat, 10.0 ** -DECIMALS)
        features.append({"type": "Feature", "properties": {"LSOA11CD": str(code), "LSOA11NM": str(name)},
                         "geometry": mapping(rounded)})
    return {"type": "FeatureCollection", "name": "lsoa11_boundaries", "features": features}


def write_boundaries(world: World, out_dir: Path) -> Path:
    """Write `geography/lsoa11_boundaries.geojson` under `out_dir` (one polygon per system LSOA)."""
    path = Path(out_dir) / BOUNDARIES
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(boundaries_geojson(world), separators=(",", ":"), ensure_ascii=False)
    # shapely's mapping gives tuples of floats; json writes them with repr, which is deterministic
    path.write_text(text + "\n", encoding="utf-8")
    return path
