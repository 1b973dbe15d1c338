-- One row per raw line set aside by a quarantine rule (schemas.registry, docs/data-quality.md): its source,
-- file and line (header = line 1, as in the validator's errors), the column and value that broke the rule,
-- and why. Each staging asset replaces its own source's rows; staging tables leave those values out.
-- No record-level field is kept: a line number and the offending code only.
CREATE TABLE IF NOT EXISTS staging.quarantine_rows (
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    value VARCHAR,
    reason VARCHAR NOT NULL
);
