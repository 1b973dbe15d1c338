-- One row per LSOA in England per IMD edition: scores, national ranks and deciles (IoD File 7, renamed).
-- A run replaces the rows of its IMD editions (pipelines/partitions.py); the edition is the file name's
-- `IoD<year>`.
SELECT
    CAST(regexp_extract(filename, 'IoD(\d{4})', 1) AS INTEGER) AS imd_edition,
    "LSOA code (2011)" AS lsoa_code,
    CAST($lsoa_vintage AS INTEGER) AS lsoa_vintage,
    "Local Authority District code (2019)" AS lad_code,
    "Index of Multiple Deprivation (IMD) Score" AS imd_score,
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)" AS imd_rank,
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)" AS imd_decile,
    "Income Score (rate)" AS income_score,
    "Income Decile (where 1 is most deprived 10% of LSOAs)" AS income_decile,
    "Employment Score (rate)" AS employment_score,
    "Employment Decile (where 1 is most deprived 10% of LSOAs)" AS employment_decile,
    "Education, Skills and Training Score" AS education_score,
    "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)" AS education_decile,
    "Health Deprivation and Disability Score" AS health_score,
    "Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)" AS health_decile,
    "Crime Score" AS crime_score,
    "Crime Decile (where 1 is most deprived 10% of LSOAs)" AS crime_decile,
    "Barriers to Housing and Services Score" AS housing_services_score,
    "Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs)" AS housing_services_decile,
    "Living Environment Score" AS living_environment_score,
    "Living Environment Decile (where 1 is most deprived 10% of LSOAs)" AS living_environment_decile,
    "Total population: mid 2015 (excluding prisoners)" AS population,
    'IoD' || regexp_extract(filename, 'IoD(\d{4})', 1) || ' denominators (mid-2015, excluding prisoners)'
        AS population_basis
FROM read_csv($files, columns = $columns, header = true, auto_detect = false, filename = true)
-- Lines quarantined by the source's rules stay out (staging.quarantine_rows, docs/data-quality.md).
WHERE "LSOA code (2011)" NOT IN (
    SELECT value FROM staging.quarantine_rows WHERE source = $source AND column_name = 'LSOA code (2011)'
        AND file IN (SELECT unnest($file_names))  -- this run's files: other partitions' rows may be stale
)
ORDER BY lsoa_code
