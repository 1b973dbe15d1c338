"""Every number the demo world is built from, in one place: sizes, rate shapes, trends and planted effects.

Shapes are hand-drawn approximations of English magnitudes (rounded knots, not copied data). The planted
effects (docs/raw-formats.md, "What the demo world plants") are the `*_TARGET` constants; the generator
calibrates its free factors so that the raw files reproduce them in expectation.
"""

from __future__ import annotations

import numpy as np

# --- England and the demo ICB: sizes --------------------------------------------------------------------------
ENGLAND_LSOAS = 32_844  # LSOA 2011, as in IoD2019
ENGLAND_ICBS = 42
ENGLAND_SUB_ICBS = 106  # including the demo ICB's 8
ICB_POPULATION_MID2018 = 1_775_000  # residents of the demo ICB at mid-2018
ICB_POPULATION_GROWTH = 0.0045  # a year, on average across its LSOAs
PRACTICES = 200
PCNS = 42
REGISTERED_TO_RESIDENT = (1.025, 1.035)  # list inflation of the ICB, first and last month
ENGLAND_REGISTERED_TO_RESIDENT = (1.065, 1.09)
REGISTERED_OUTSIDE_ICB = 0.01  # ICB residents registered with a practice outside it
OUT_OF_AREA_REGISTRANTS = 0.006  # practice patients living outside the ICB

# --- deprivation -----------------------------------------------------------------------------------------------
CORE20_LSOA_SHARE_TARGET = 0.31  # ICB LSOAs in national IMD deciles 1-2

# --- periods ---------------------------------------------------------------------------------------------------
BASE_FY = 2018
COMPARE_FY = 2023  # FY2023/24: the year the plan's figures refer to
MID2015_FROM_MID2018 = 0.985  # back-projection of ICB LSOA totals to mid-2015 (IoD denominators)

# --- age axis --------------------------------------------------------------------------------------------------
AGES = np.arange(91)  # 0 ... 89, 90 = 90 and over
SEXES = ("male", "female")
KNOT_AGES = np.array([0, 1, 4, 9, 14, 17, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90], dtype=float)

# England population at mid-2018: mean persons per single year of age in each 5-year band (thousands), and 90+.
ENGLAND_2018_BAND_MEANS = {
    "male": [340, 340, 355, 330, 350, 370, 365, 345, 345, 375, 380, 345, 300, 290, 260, 190, 140, 85],
    "female": [325, 325, 338, 315, 340, 365, 370, 350, 355, 385, 390, 352, 310, 300, 280, 215, 170, 115],
}
ENGLAND_2018_90PLUS = {"male": 170_000, "female": 330_000}
ENGLAND_BIRTHS = {2019: 625_000, 2020: 613_000, 2021: 595_000, 2022: 605_000, 2023: 590_000, 2024: 580_000}
ENGLAND_NET_MIGRATION = {2019: 250_000, 2020: 150_000, 2021: 220_000, 2022: 380_000, 2023: 400_000, 2024: 330_000}
MALE_BIRTH_SHARE = 0.512

# --- activity: England age-sex shapes (per 1,000 a year, FY2018/19; rescaled to the crude targets) ---------------
ENGLAND_CRUDE_RATE_2018 = {  # per person a year at scale 1
    "ae_attendances_all": 0.420,
    "ae_attendances_type1": 0.280,
    "emergency_admissions": 0.105,
    "emergency_bed_days": 0.480,
}
AE_KNOTS = {  # U-shaped
    "male": [820, 560, 380, 260, 270, 360, 420, 400, 350, 320, 300, 290, 280, 280, 280, 290, 320, 400, 530, 720, 950],
    "female": [700, 500, 330, 230, 260, 390, 470, 430, 380, 330, 300, 280, 270, 270, 270, 280, 320, 410, 560, 760,
               1000],
}
ADMISSION_KNOTS = {  # J-shaped
    "male": [330, 120, 60, 35, 35, 40, 45, 45, 48, 52, 58, 65, 75, 90, 110, 135, 170, 230, 320, 440, 580],
    "female": [270, 100, 50, 30, 38, 60, 80, 85, 80, 70, 62, 66, 72, 82, 98, 118, 150, 205, 290, 410, 540],
}
TYPE1_SHARE_KNOTS = [0.60, 0.58, 0.55, 0.55, 0.58, 0.64, 0.65, 0.65, 0.65, 0.65, 0.66, 0.67, 0.68, 0.70, 0.72, 0.74,
                     0.77, 0.80, 0.83, 0.85, 0.86]  # fmt: skip
LOS_KNOTS = [1.6, 1.2, 1.0, 1.0, 1.2, 1.5, 1.8, 2.0, 2.3, 2.6, 3.0, 3.4, 3.9, 4.4, 5.0, 5.7, 6.6, 7.6, 8.6, 9.4, 10.0]
LOS_FEMALE_OLD = 1.04  # women 75+ stay a little longer
ZERO_DAY_KNOTS = [0.50, 0.52, 0.52, 0.52, 0.50, 0.48, 0.46, 0.45, 0.44, 0.43, 0.41, 0.39, 0.37, 0.35, 0.33, 0.31,
                  0.29, 0.27, 0.25, 0.24, 0.23]  # fmt: skip
LOS_DISPERSION = 0.7  # gamma shape of the positive part of the stay (smaller = more skewed)
MAX_LOS = 365

# --- activity: trends -------------------------------------------------------------------------------------------
# Growth of counts from FY2018/19 to FY2023/24 (the plan's figures); the generator solves for the rate trends.
ENGLAND_GROWTH_TARGET = {
    "ae_attendances_all": 1.058,
    "ae_attendances_type1": 1.030,
    "emergency_admissions": 1.007,
    "emergency_bed_days": 0.980,
}
ICB_GROWTH_TARGET = {"ae_attendances_all": 1.19, "emergency_admissions": 1.18, "emergency_bed_days": 1.11}
# Indirectly standardised ratio (observed / expected on England's age-sex rates, x100) in FY2023/24.
ICB_ISR_TARGET = {"ae_attendances_all": 101.0, "emergency_admissions": 120.0}
ICB_LOS_RELATIVE_2023 = 1.0  # ICB length of stay / England's, same age and sex, FY2023/24
# Crude rate ratio, most (national decile 1) to least (decile 10) deprived LSOAs of the ICB, FY2023/24.
DEPRIVATION_RATE_RATIO_TARGET = {"ae_attendances_all": 1.6, "emergency_admissions": 2.0}
LSOA_HETEROGENEITY_SD = 0.08  # lognormal spread of LSOA rates beyond deprivation
NON_RESIDENT_SHARE = 0.05  # A&E activity at the ICB's providers by people living elsewhere
NON_EMERGENCY_SHARE = 0.35  # non-emergency spells per emergency spell in the SUS extract

# Pandemic: annual factor on the rates of FY2020/21 and FY2021/22, and the shape of FY2020/21 by month (Apr..Mar).
COVID_ANNUAL = {"ae": {2020: 0.73, 2021: 0.96}, "adm": {2020: 0.86, 2021: 0.97}}
COVID_MONTHLY_2020 = {
    "ae": [0.50, 0.66, 0.76, 0.83, 0.86, 0.86, 0.80, 0.70, 0.72, 0.60, 0.64, 0.80],
    "adm": [0.66, 0.80, 0.87, 0.90, 0.92, 0.93, 0.91, 0.86, 0.87, 0.80, 0.84, 0.92],
}
# Daily activity relative to the year's average, by month April..March (winter peak for admissions).
SEASON_DAILY = {
    "ae": [1.00, 1.05, 1.06, 1.06, 1.00, 1.01, 1.00, 0.97, 0.98, 0.93, 0.94, 0.99],
    "adm": [0.97, 0.97, 0.96, 0.97, 0.95, 0.97, 1.00, 1.03, 1.07, 1.08, 1.05, 1.02],
}
WEEKDAY_WEIGHTS = {  # Monday .. Sunday
    "ae": [1.10, 1.01, 0.99, 0.98, 0.98, 0.96, 0.98],
    "adm": [1.08, 1.05, 1.03, 1.03, 1.02, 0.88, 0.91],
    "elective": [1.15, 1.15, 1.15, 1.15, 1.10, 0.20, 0.15],
}

# --- record details ----------------------------------------------------------------------------------------------
STATED_GENDER_RARE = {"9": 0.0004, "X": 0.0006}  # ECDS: indeterminate, not known
APC_SEX_RARE = {"9": 0.0003, "0": 0.0005}  # SUS: not specified, not known
TYPE2_SHARE = 0.010  # of all attendances (single-specialty departments)
TYPE3_OF_OTHER = 0.78  # of attendances at types 3-4, the share at type 3 (UTCs); the rest type 4
# Where residents of each footprint attend: their home trust, another of the ICB's trusts, or one outside.
OTHER_ICB_PROVIDER_SHARE = 0.06
OUT_OF_AREA_PROVIDERS = ("Z12", "Z27", "Z45")  # neighbouring trusts in the rest of England
# Share of each footprint's residents treated outside the ICB (a West Lancashire-like footprint looks south).
FOOTPRINT_OUT_OF_AREA = [0.02, 0.03, 0.02, 0.12, 0.04]
TYPE2_PROVIDER_INDICES = (2, 4)  # of the ICB's providers, those with a single-specialty (type 2) department
# The footprint's type 1 share relative to England's (rural Morecambe Bay-like footprints use more UTCs/MIUs).
FOOTPRINT_TYPE1_FACTOR = [1.05, 1.05, 1.00, 0.96, 0.92]
EMERGENCY_METHODS = {
    "21": 0.700, "22": 0.080, "23": 0.015, "24": 0.030, "25": 0.005,
    "2A": 0.030, "2B": 0.040, "2C": 0.002, "2D": 0.070, "28": 0.028,
}  # fmt: skip
NON_EMERGENCY_COMPONENTS = {"elective": 0.62, "maternity": 0.20, "other": 0.18}
ELECTIVE_KNOTS = [5, 8, 10, 10, 12, 15, 20, 25, 30, 35, 45, 55, 70, 90, 110, 130, 150, 150, 130, 100, 70]
ELECTIVE_METHODS = {"11": 0.55, "12": 0.35, "13": 0.10}
MATERNITY_METHODS = {"31": 0.60, "32": 0.40}

# --- monthly A&E situation reports (England providers) ------------------------------------------------------------
ENGLAND_PROVIDERS = 99  # Z01 ... Z99
TYPE1_PROVIDERS = 84  # Z01 ... Z84 run type 1 departments (and type 3 UTCs)
TYPE2_PROVIDERS = 3  # Z85 ... Z87: single-specialty (eye, dental) hospitals; Z88 ... Z99 run type 3/4 only
VIA_AE_SHARE = 0.70  # emergency admissions via A&E, of all emergency admissions
VIA_AE_TYPE1 = 0.97
TYPE1_OVER_4H = {2018: 0.20, 2019: 0.25, 2020: 0.19, 2021: 0.35, 2022: 0.42, 2023: 0.40, 2024: 0.39}
OTHER_OVER_4H = 0.03
TYPE2_OVER_4H = 0.01
DTA_4_12H = {2018: 0.15, 2019: 0.20, 2020: 0.15, 2021: 0.30, 2022: 0.35, 2023: 0.33, 2024: 0.32}
DTA_12H_PLUS = {2018: 0.002, 2019: 0.005, 2020: 0.003, 2021: 0.06, 2022: 0.11, 2023: 0.11, 2024: 0.10}

# --- GP workforce (per 100,000 registered patients, England; first month -> last month) ---------------------------
ENGLAND_PER_100K = {
    "GPs excl. trainees and locums": (46.5, 42.5),
    "GP trainees": (5.5, 8.5),
    "Locums": (2.2, 1.3),
    "Nurses": (26.0, 25.0),
    "Direct patient care": (20.0, 34.0),
    "Admin/non-clinical": (108.0, 114.0),
}
HEADCOUNT_PER_FTE = {
    "GPs excl. trainees and locums": 1.30,
    "GP trainees": 1.12,
    "Locums": 2.2,
    "Nurses": 1.45,
    "Direct patient care": 1.5,
    "Admin/non-clinical": 1.45,
}
# ICB qualified-GP FTE per registered patient relative to England: first month, and FY2023/24 (its mean).
GP_RELATIVE_FIRST = 0.955
GP_RELATIVE_TARGET_FY2023 = 0.875
ICB_OTHER_STAFF_RELATIVE = {"GP trainees": 0.95, "Locums": 1.1, "Nurses": 1.02, "Direct patient care": 1.05,
                            "Admin/non-clinical": 0.98}  # fmt: skip


def interp_knots(knots, log: bool = True) -> np.ndarray:
    """Values at ages 0..90 by (log-)linear interpolation between the knots at KNOT_AGES."""
    y = np.asarray(knots, dtype=float)
    if log:
        return np.exp(np.interp(AGES, KNOT_AGES, np.log(y)))
    return np.interp(AGES, KNOT_AGES, y)


def planted() -> dict:
    """The planted targets, as recorded in the manifest."""
    return {
        "core20_lsoa_share": CORE20_LSOA_SHARE_TARGET,
        "deprivation_rate_ratio_decile1_vs_decile10_crude": DEPRIVATION_RATE_RATIO_TARGET,
        "isr_fy2023": ICB_ISR_TARGET,
        "icb_growth_fy2018_to_fy2023": ICB_GROWTH_TARGET,
        "england_growth_fy2018_to_fy2023": ENGLAND_GROWTH_TARGET,
        "gp_fte_qualified_per_registered_relative_to_england_fy2023": GP_RELATIVE_TARGET_FY2023,
        "england_crude_rate_fy2018_per_person_at_scale_1": ENGLAND_CRUDE_RATE_2018,
        "non_resident_share_at_icb_providers": NON_RESIDENT_SHARE,
        "non_emergency_spells_per_emergency_spell": NON_EMERGENCY_SHARE,
        "covid_annual_factor": {k: {str(y): v for y, v in d.items()} for k, d in COVID_ANNUAL.items()},
    }
