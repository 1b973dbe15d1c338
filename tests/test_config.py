"""The profile YAML is the control panel: it loads, and contradictions are refused with a clear message."""

from pathlib import Path

import pytest

from pipelines.config import DEFAULT_PROFILE, ProfileError, load_profile


def test_demo_profile_has_eight_sub_icbs_in_five_footprints():
    profile = load_profile(DEFAULT_PROFILE)
    assert len(profile.footprints) == 5
    assert len(profile.footprint_rows()) == 8
    assert profile.financial_years == list(range(2018, 2025))
    assert profile.first_month == "2018-04-01" and profile.last_month == "2025-03-01"


def test_sub_icb_in_two_footprints_is_refused(tmp_path: Path):
    text = DEFAULT_PROFILE.read_text().replace("sub_icb_locations: [Z2G]", "sub_icb_locations: [Z2G, Z0Q]")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ProfileError, match="Z0Q is in two footprints"):
        load_profile(bad)


def test_missing_field_is_named(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_PROFILE.read_text().replace("lsoa_vintage: 2011\n", ""))
    with pytest.raises(ProfileError, match="lsoa_vintage"):
        load_profile(bad)
