"""Helpers the Dagster definitions under defs/ share: settings, the dbt project, the inbox, lake checks."""
