"""Maps of the report: LSOAs by deprivation, neighbourhoods by their comparison with England.

Boundaries: one LSOA polygon file of the profile's vintage under `data/raw/geography/`
(`lsoa11_boundaries.geojson`, or `lsoa21_...`; `.gz` accepted): ONS's boundary files, the bwd-ph Pennine
Lancashire extract in `../shared/data/real/pennine_lancashire/`, or the demo generator's synthetic ones
(`demo/boundaries.py`). The LSOA code property is found by name (`LSOA11CD`, `lsoa21cd`, ...).
Footprint and neighbourhood polygons are dissolves of their LSOAs in `marts.dim_geography`; a neighbourhood
is drawn as its best-fit LSOAs, while its values count LSOAs by GP-registration shares (the captions say so).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from pipelines.outputs.workbook import COMPARISON_STYLE, COMPARISON_WORDS  # noqa: E402

PLOT_CRS = 27700  # British National Grid: metres, England undistorted enough for a map
#: National IMD decile colours, 1 (most deprived) dark to 10 (least deprived) light (a sequential blue ramp
#: readable in grey and by colour-blind readers).
DECILE_COLOURS = ["#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef", "#deebf7",
                  "#eff5fb", "#f7fbff"]
HIDDEN_COLOUR = "#bdbdbd"
NO_DATA_COLOUR = "#ffffff"


def boundary_path(raw_dir: Path, lsoa_vintage: int) -> Path | None:
    """The LSOA boundary file of the vintage: `raw_dir/geography/lsoaYY_boundaries.geojson` (plain or gzipped),
    else a public file of config/sources.yaml marked `boundaries: lsoa` of that vintage under `raw_dir` (e.g.
    the Pennine Lancashire LSOAs), or None."""
    stem = Path(raw_dir) / "geography" / f"lsoa{str(lsoa_vintage)[-2:]}_boundaries.geojson"
    for candidate in (stem, stem.with_name(stem.name + ".gz")):
        if candidate.is_file():
            return candidate
    from pipelines.sources.public import manifest
    from pipelines.sources.fetch import resolve_path

    for entry in manifest().values():
        if entry.get("boundaries") == "lsoa" and entry.get("lsoa_vintage") == lsoa_vintage:
            found = resolve_path(entry, Path(raw_dir))
            if found is not None:
                return found
    return None


def read_boundaries(path: Path, lsoa_vintage: int | None = None) -> gpd.GeoDataFrame:
    """LSOA polygons as a GeoDataFrame with columns `lsoa_code`, `geometry`, in British National Grid.

    Raises ValueError naming the file when it has no LSOA code property or no polygons.
    """
    path = Path(path)
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)
    frame = gpd.read_file(source)
    years = [str(lsoa_vintage)[-2:]] if lsoa_vintage else ["11", "21"]
    wanted = {f"lsoa{y}cd" for y in years}
    columns = [c for c in frame.columns if c.lower() in wanted]
    if not columns:
        raise ValueError(f"{path}: no LSOA code property (expected one of {sorted(wanted)}, case-insensitive)")
    frame = frame.rename(columns={columns[0]: "lsoa_code"})[["lsoa_code", "geometry"]]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise ValueError(f"{path}: no LSOA polygons")
    if frame.crs is None:  # GeoJSON without a crs member is WGS 84 (RFC 7946)
        frame = frame.set_crs(4326)
    return frame.to_crs(PLOT_CRS)


def area_polygons(lsoas: gpd.GeoDataFrame, geography: pl.DataFrame, code: str, name: str) -> gpd.GeoDataFrame:
    """Dissolve LSOA polygons into areas: `code`/`name` are columns of `geography` (marts.dim_geography),
    e.g. neighbourhood_code / neighbourhood_name. Returns `area_code`, `area_name`, `geometry`."""
    lookup = geography.select("lsoa_code", pl.col(code).alias("area_code"),
                              pl.coalesce(name, code).alias("area_name")).drop_nulls("area_code")
    joined = lsoas.merge(lookup.to_pandas(), on="lsoa_code", how="inner")
    if joined.empty:
        return gpd.GeoDataFrame({"area_code": [], "area_name": []}, geometry=[], crs=lsoas.crs)
    dissolved = joined.dissolve(by=["area_code", "area_name"], as_index=False)
    dissolved["geometry"] = dissolved.geometry.buffer(0)  # tidy slivers left by shared edges
    return dissolved[["area_code", "area_name", "geometry"]]


def _frame(ax) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")


def _labels(ax, areas: gpd.GeoDataFrame, size: float = 7) -> None:
    for point, label in zip(areas.geometry.representative_point(), areas["area_name"]):
        ax.annotate(_short(label), (point.x, point.y), ha="center", va="center", fontsize=size,
                    color="#212b32", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})


def _short(name: str, width: int = 22) -> str:
    name = str(name).replace(" Primary Care Network", "").replace(" PCN", "")
    return name if len(name) <= width else name[: width - 1] + "…"


def deprivation_map(lsoas: gpd.GeoDataFrame, deciles: pl.DataFrame, outlines: gpd.GeoDataFrame,
                    title: str, label_outlines: bool = True) -> Figure:
    """LSOAs coloured by national IMD decile (`deciles`: lsoa_code, imd_decile), with area outlines on top."""
    data = lsoas.merge(deciles.select("lsoa_code", "imd_decile").to_pandas(), on="lsoa_code", how="left")
    fig, ax = plt.subplots(figsize=(8.6, 7.2))
    fig.subplots_adjust(left=0.01, right=0.76, top=0.92, bottom=0.01)
    cmap = ListedColormap(DECILE_COLOURS)
    known = data[data["imd_decile"].notna()]
    known.plot(ax=ax, column="imd_decile", cmap=cmap, vmin=0.5, vmax=10.5, linewidth=0.1, edgecolor="white")
    unknown = data[data["imd_decile"].isna()]
    if not unknown.empty:
        unknown.plot(ax=ax, color=NO_DATA_COLOUR, linewidth=0.1, edgecolor="#999999")
    if not outlines.empty:
        outlines.boundary.plot(ax=ax, color="#d5281b", linewidth=1.2)
        if label_outlines:
            _labels(ax, outlines)
    handles = [Patch(facecolor=DECILE_COLOURS[d - 1], edgecolor="#999999",
                     label=f"{d}{' (most deprived)' if d == 1 else ' (least deprived)' if d == 10 else ''}")
               for d in range(1, 11)]
    ax.legend(handles=handles, title="National IMD decile", loc="center left", bbox_to_anchor=(1.0, 0.5),
              fontsize=8, title_fontsize=9, frameon=False)
    ax.set_title(textwrap.fill(title, 70), fontsize=10, loc="left")
    _frame(ax)
    return fig


def comparison_map(areas: gpd.GeoDataFrame, values: pl.DataFrame, outlines: gpd.GeoDataFrame,
                   titles: dict[str, str]) -> Figure:
    """One panel per indicator: areas coloured by their comparison with England at 95% (Fingertips colours).

    `values`: indicator_id, area_code, comparison_95, hidden (bool: the value is suppressed). `titles`:
    indicator_id -> panel title, in panel order.
    """
    n = max(len(titles), 1)
    fig, axes = plt.subplots(1, n, figsize=(6.2 * n, 6.8), squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.91, bottom=0.08, wspace=0.04)
    used: dict[str, str] = {}
    for ax, (indicator_id, title) in zip(axes[0], titles.items()):
        rows = values.filter(pl.col("indicator_id") == indicator_id).select(
            "area_code", "comparison_95", "hidden").to_pandas()
        data = areas.merge(rows, on="area_code", how="left")
        colours = []
        for comparison, hidden in zip(data["comparison_95"], data["hidden"]):
            if hidden is True:
                key = "suppressed"
            elif isinstance(comparison, str):
                key = comparison
            else:
                key = "no_data"
            used[key] = _fill(key)
            colours.append(_fill(key))
        data.plot(ax=ax, color=colours, linewidth=0.4, edgecolor="white")
        if not outlines.empty:
            outlines.boundary.plot(ax=ax, color="#212b32", linewidth=1.0)
        ax.set_title(textwrap.fill(title, 55), fontsize=10, loc="left")
        _frame(ax)
    order = ["better", "similar", "worse", "higher", "lower", "not_compared", "suppressed", "no_data"]
    handles = [Patch(facecolor=used[k], edgecolor="#999999", label=_words(k)) for k in order if k in used]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=8, frameon=False)
    return fig


def _fill(key: str) -> str:
    if key == "suppressed":
        return HIDDEN_COLOUR
    if key == "no_data":
        return NO_DATA_COLOUR
    return "#" + COMPARISON_STYLE.get(key, ("FFFFFF", "000000"))[0]


def _words(key: str) -> str:
    return {"suppressed": "Suppressed (small numbers)", "no_data": "No value"}.get(key, COMPARISON_WORDS.get(key, key))
