"""Second opinion: DHSC PHStatsMethods 0.1.16 on a few cases (it raises on zero counts, needs 19 bands)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats import ESP2013, crude_rate, dsr, isr, proportion

phs = pytest.importorskip("PHStatsMethods")  # dev dependency; optional second opinion


def _cases(seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for area in range(6):
        pops = rng.integers(200, 5000, 19)
        rates = np.linspace(0.001, 0.2, 19) * rng.uniform(0.5, 2)
        counts = rng.poisson(pops * rates) + 1  # PHStatsMethods raises on zero counts
        for band, n, x in zip(ESP2013, pops, counts):
            rows.append((f"A{area}", band, int(x), int(n)))
    return pl.DataFrame(rows, schema=["area", "band", "count", "pop"], orient="row")


def test_rate_and_proportion_agree():
    df = _cases().group_by("area", maintain_order=True).agg(pl.col("count").sum(), pl.col("pop").sum())
    df = pl.concat([df, pl.DataFrame({"area": ["S"], "count": [4], "pop": [900]})], how="vertical_relaxed")
    ours = crude_rate(df, count="count", denominator="pop")
    theirs = phs.ph_rate(df.to_pandas(), "count", "pop", group_cols="area", confidence=[0.95, 0.998])
    theirs = pl.from_pandas(theirs).sort("area")
    ours = ours.sort("area")
    np.testing.assert_allclose(ours["value"], theirs["Value"], rtol=1e-12)
    np.testing.assert_allclose(ours["lower_ci_99_8"], theirs["lower_99_8_ci"], rtol=1e-10)
    np.testing.assert_allclose(ours["upper_ci_95"], theirs["upper_95_ci"], rtol=1e-10)
    ours_p = proportion(df, numerator="count", denominator="pop", multiplier=1).sort("area")
    theirs_p = pl.from_pandas(phs.ph_proportion(df.to_pandas(), "count", "pop", group_cols="area",
                                                 confidence=[0.95, 0.998])).sort("area")
    np.testing.assert_allclose(ours_p["lower_ci_95"], theirs_p["lower_95_ci"], rtol=1e-10)
    np.testing.assert_allclose(ours_p["upper_ci_99_8"], theirs_p["upper_99_8_ci"], rtol=1e-10)


def test_dsr_and_isratio_agree(capsys):
    df = _cases(1)
    ours = dsr(df, group_by="area", age_band="band", count="count", population="pop").sort("area")
    pdf = df.to_pandas()
    theirs = pl.from_pandas(phs.ph_dsr(pdf.copy(), "count", "pop", "band", group_cols="area",
                                       confidence=[0.95, 0.998])).sort("area")
    capsys.readouterr()  # ph_dsr prints its age-band join table
    np.testing.assert_allclose(ours["value"], theirs["Value"], rtol=1e-10)
    np.testing.assert_allclose(ours["lower_ci_95"], theirs["lower_95_ci"], rtol=1e-10)
    np.testing.assert_allclose(ours["upper_ci_99_8"], theirs["upper_99_8_ci"], rtol=1e-10)

    ref = pl.DataFrame({"age_band": list(ESP2013), "ref_count": np.arange(19) * 37 + 11,
                        "ref_population": np.full(19, 40_000)})
    ours_i = isr(df, group_by="area", age_band="band", count="count", population="pop", reference=ref,
                 refvalue=1).sort("area")
    pdf = pdf.merge(ref.to_pandas(), left_on="band", right_on="age_band")
    theirs_i = pl.from_pandas(phs.ph_ISRatio(pdf, "count", "pop", "ref_count", "ref_population",
                                             group_cols="area", confidence=[0.95, 0.998])).sort("area")
    np.testing.assert_allclose(ours_i["value"], theirs_i["Value"], rtol=1e-10)
    np.testing.assert_allclose(ours_i["lower_ci_95"], theirs_i["lower_95_ci"], rtol=1e-10)
    np.testing.assert_allclose(ours_i["upper_ci_99_8"], theirs_i["upper_99_8_ci"], rtol=1e-10)
