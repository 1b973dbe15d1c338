"""The Dagster platform wiring: the code location (definitions), resources, partitions, jobs, schedules and the
sensor (automation), the phased in-process runner (run), asset policies and the `ina` command line (cli)."""
