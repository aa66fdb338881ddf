"""Running the warehouse: one dbt argument builder, target preparation (DuckDB httpfs, PostgreSQL load,
Redshift Spectrum), the dbt runner the CLI and Dagster share, and the P&L reader."""
