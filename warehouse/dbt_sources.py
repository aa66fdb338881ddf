"""dbt files generated from the ingestion registry, so a landed entity is declared once.

`commerce-analytics dbt-sources` writes, for every source of `ingestion/registry.py`:
- `dbt_project/models/staging/<source>/_<source>__sources.yml`: the dbt source (schema `landed`), one table per
  entity with its description, record key and version, the Dagster asset key it depends on and the
  `external_location` DuckDB reads the landed Parquet through;
- `dbt_project/macros/_landed_columns.sql`: the column list of every landed table, for the Redshift Spectrum
  external tables (macros/spectrum.sql).
`--check` (run by `make lint`) writes nothing and fails when a file differs from what the registry gives, the
way terraform-docs keeps module READMEs in sync.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingestion import registry
from warehouse.dbt_args import PROJECT_DIR
from warehouse.targets import MANIFEST_COLUMNS, MANIFESTS_TABLE, spectrum_type, table_name

GENERATED_NOTE = "# GENERATED from ingestion/registry.py by `commerce-analytics dbt-sources`: do not edit.\n"
LOCATION_NOTE = (
    "Landed by `commerce-analytics ingest` into the lake as typed Parquet with lineage columns;\n"
    "DuckDB reads the Parquet in place, PostgreSQL reads the tables the load step fills,\n"
    "Redshift reads Spectrum external tables over the same prefixes."
)


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def sources_yaml(source: str) -> str:
    """The text of `_<source>__sources.yml` for one registry source."""
    description = registry.SOURCE_DESCRIPTIONS[source] + "\n" + LOCATION_NOTE
    lines = [
        GENERATED_NOTE.rstrip("\n"),
        "version: 2",
        "",
        "sources:",
        f"  - name: {source}",
        "    description: >",
        _indent(description, 6),
        "    schema: landed",
        "    tables:",
    ]
    for entity in (e for e in registry.ENTITIES.values() if e.source == source):
        table = (
            f"{entity.description}\n"
            f"Record key: {entity.record_key.rstrip('.')}. Version: {entity.record_version.rstrip('.')}."
        )
        if entity.snapshot_formats:
            formats = ", ".join(entity.snapshot_formats)
            table += f"\nFull snapshots ({formats}): each delivery replaces the previous one."
        location = (
            # The lake path goes into a SQL string literal: double its quotes.
            f'read_parquet(\'{{{{ var("lake", env_var("COMMERCE_LAKE", "data/lake")) | replace("\'", "\'\'") }}}}/'
            f"{entity.landed_prefix}"
            "/**/*.parquet', hive_partitioning = false, union_by_name = true)"
        )
        lines += [
            f"      - name: {entity.name}",
            f"        identifier: {table_name(entity)}",
            "        description: >",
            _indent(table, 10),
            "        config:",
            "          meta:",
            "            dagster:",
            f'              asset_key: ["landed", "{entity.source}", "{entity.name}"]',
            "            external_location: >-",
            f"              {location}",
        ]
    return "\n".join(lines) + "\n"


def landed_columns_macro() -> str:
    """The text of dbt_project/macros/_landed_columns.sql, generated from the registry (one source of truth)."""
    tables = {}
    for entity in registry.ENTITIES.values():
        tables[table_name(entity)] = (entity.landed_prefix + "/", [], entity.schema())
    tables[MANIFESTS_TABLE] = ("_manifests/", [f"_manifests/{s}/" for s in registry.SOURCES], MANIFEST_COLUMNS)
    lines = []
    for name, (prefix, partitions, columns) in tables.items():
        lines.append(f'    "{name}": {{')
        lines.append(f'        "prefix": "{prefix}",')
        lines.append(f'        "partitions": {json.dumps(partitions)},')
        lines.append('        "columns": [')
        lines += [f'            ["{c}", "{spectrum_type(t)}"],' for c, t in columns.items()]
        lines.append("        ],")
        lines.append("    },")
    body = "\n".join(lines)
    return (
        "{#- GENERATED from ingestion/registry.py by `commerce-analytics dbt-sources`: do not edit.\n"
        "    Redshift Spectrum external tables (macros/spectrum.sql) over the lake's landed/ prefixes and\n"
        "    the manifests; `make lint` fails when this file is out of date. -#}\n"
        "{% macro landed_columns() -%}\n"
        f"{{{{ return({{\n{body}\n}}) }}}}\n"
        "{%- endmacro %}\n"
    )


def generated_files(project_dir: Path = PROJECT_DIR) -> dict[Path, str]:
    """Every generated file and the text the registry gives it."""
    files = {
        project_dir / "models" / "staging" / source / f"_{source}__sources.yml": sources_yaml(source)
        for source in registry.SOURCES
    }
    files[project_dir / "macros" / "_landed_columns.sql"] = landed_columns_macro()
    return files


def out_of_date(project_dir: Path = PROJECT_DIR) -> list[Path]:
    """Generated files whose text differs from the registry's (missing ones included)."""
    return [
        path for path, text in generated_files(project_dir).items() if not path.exists() or path.read_text() != text
    ]


def write_generated_files(project_dir: Path = PROJECT_DIR) -> list[Path]:
    """Rewrite the files that are out of date; returns them."""
    stale = out_of_date(project_dir)
    texts = generated_files(project_dir)
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[path])
    return stale
