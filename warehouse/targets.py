"""Warehouse plumbing between the lake and dbt: what each target needs before `dbt build` runs.

- Every target: a build reads the lake as of its start. `pin_manifests` reads the manifests once, before
  dbt runs, and the target's `landed.lake_manifests` table holds that snapshot for the whole build; staging
  joins every landed row to it (dbt_project/macros/landed.sql), so files an ingest lands or replaces while
  the build runs stay invisible until the next build.
- DuckDB (`local`): the dbt sources read the landed Parquet in place with
  `read_parquet('<lake>/landed/<source>/<entity>/**/*.parquet')`; `pin_duckdb_manifests` writes the
  snapshot into the warehouse file the build writes, just before dbt opens it. DuckDB fails on a glob that
  matches nothing, so `ensure_placeholders` keeps one zero-row Parquet file with the registry
  schema in each entity folder (`_empty.parquet`). It has no manifest and no rows, so it is
  invisible to staging (and Redshift Spectrum and pyarrow datasets skip `_`-prefixed files).
  `ensure_duckdb_httpfs` installs DuckDB's httpfs extension from the `duckdb-extension-httpfs`
  wheel once per machine, so the profile's `extensions: [httpfs]` never downloads anything.
- PostgreSQL (`postgres`): `load_postgres` copies the snapshot's *visible* landed rows (files named by a
  manifest `_manifests/<source>/<sha256>.json` with status landed/partial, rows of the manifest's
  parser version) into schema `landed`, one table `<source>__<entity>` per registry entity with
  the registry's types, replaced per entity in one transaction, plus `landed.lake_manifests`.
- Redshift (`prod`): Spectrum external tables over the same S3 prefixes, created by
  `dbt run-operation create_spectrum_sources` (dbt_project/macros/spectrum.sql), whose column
  list is generated from the registry (warehouse/dbt_sources.py). Spectrum reads `_manifests/` at query
  time, so there nothing pins the lake inside a build: the Dagster concurrency pool, which never runs an
  ingest and a build at once, is what keeps a production build on one lake state.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ingestion import registry
from ingestion.lake import Lake

PLACEHOLDER = "_empty.parquet"
LANDED_SCHEMA = "landed"
MANIFESTS_TABLE = "lake_manifests"
VISIBLE_STATUSES = ("landed", "partial")
MANIFEST_COLUMNS: dict[str, pl.DataType] = {
    "sha256": pl.String(),
    "parser_version": pl.String(),
    "status": pl.String(),
    "source": pl.String(),
    "format": pl.String(),
    "source_file": pl.String(),
    "rows_read": pl.Int64(),
    "rows_landed": pl.Int64(),
    "rows_quarantined": pl.Int64(),
}


# ------------------------------------------------------------------ types
def postgres_type(dtype: pl.DataType) -> str:
    """PostgreSQL type of a registry column (the types DuckDB reads from the Parquet)."""
    if isinstance(dtype, pl.Decimal):
        return f"numeric({dtype.precision},{dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "timestamptz" if dtype.time_zone else "timestamp"
    simple = {
        pl.String: "text",
        pl.Int64: "bigint",
        pl.Int32: "integer",
        pl.Float64: "double precision",
        pl.Boolean: "boolean",
        pl.Date: "date",
    }
    for kind, name in simple.items():
        if isinstance(dtype, kind):
            return name
    raise TypeError(f"no PostgreSQL type for {dtype!r}")


def spectrum_type(dtype: pl.DataType) -> str:
    """Redshift Spectrum (Glue) type of a registry column, as it reads the landed Parquet."""
    if isinstance(dtype, pl.Decimal):
        return f"decimal({dtype.precision},{dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    simple = {
        pl.String: "varchar(65535)",
        pl.Int64: "bigint",
        pl.Int32: "int",
        pl.Float64: "double precision",
        pl.Boolean: "boolean",
        pl.Date: "date",
    }
    for kind, name in simple.items():
        if isinstance(dtype, kind):
            return name
    raise TypeError(f"no Spectrum type for {dtype!r}")


def table_name(entity: registry.Entity) -> str:
    """`<source>__<entity>`: the table (PostgreSQL) or external table (Redshift) a dbt source names."""
    return f"{entity.source}__{entity.name}"


def arrow_schema(columns: dict[str, pl.DataType]) -> pa.Schema:
    return pl.DataFrame(schema=columns).to_arrow().schema


# ------------------------------------------------------------------ placeholders (DuckDB)
def placeholder_rel(entity: registry.Entity) -> str:
    return f"{entity.landed_prefix}/{PLACEHOLDER}"


def ensure_placeholders(lake: Lake, entities: Iterable[registry.Entity] | None = None) -> list[str]:
    """Write `landed/<source>/<entity>/_empty.parquet` (zero rows, registry schema) where missing or stale.

    Returns the relative paths written. Safe to run before every build and from several processes.
    """
    written = []
    with lake.workdir() as work:
        for entity in entities or registry.ENTITIES.values():
            rel = placeholder_rel(entity)
            local = work / f"{table_name(entity)}.parquet"
            pl.DataFrame(schema=entity.schema()).write_parquet(local)
            if lake.exists(rel):
                with lake.fs.open(lake.path(rel), "rb") as handle:
                    if pq.read_schema(handle).remove_metadata().equals(pq.read_schema(local).remove_metadata()):
                        continue
            lake.publish(local, rel)
            written.append(rel)
    return written


def ensure_duckdb_httpfs() -> str:
    """Install DuckDB's httpfs extension from the `duckdb-extension-httpfs` wheel (no download). Idempotent."""
    import duckdb

    con = duckdb.connect()
    try:
        try:
            con.load_extension("httpfs")
            return "already installed"
        except duckdb.Error:
            pass
        import duckdb_extension_httpfs

        folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}"
        path = folder / "httpfs.duckdb_extension"
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: install duckdb-extension-httpfs=={duckdb.__version__} (uv sync)"
            )
        con.execute(f"install '{path}'")
        con.load_extension("httpfs")
        return f"installed from {path}"
    finally:
        con.close()


# ------------------------------------------------------------------ visible files
@dataclass
class VisibleFiles:
    manifests: list[dict] = field(default_factory=list)
    """Every manifest of a registered source (and `unknown/`), all statuses."""
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """entity key -> [(landed file rel path, parser version)] of visible manifests."""


def read_manifests(lake: Lake) -> list[dict]:
    manifests = []
    for folder in (*registry.SOURCES, "unknown"):
        for rel in lake.list(f"_manifests/{folder}"):
            if rel.endswith(".json") and rel.count("/") == 2:
                manifest = lake.read_json(rel)
                if manifest and manifest.get("sha256"):
                    manifests.append(manifest)
    return manifests


def pin_manifests(lake: Lake) -> list[dict]:
    """The lake's manifests as of now: what the build about to start may see, whatever lands meanwhile."""
    return read_manifests(lake)


def visible_files(lake: Lake, manifests: list[dict] | None = None) -> VisibleFiles:
    """The visible landed files of `manifests` (a pin), or of the lake's manifests as they are now."""
    result = VisibleFiles(manifests=read_manifests(lake) if manifests is None else manifests)
    for manifest in result.manifests:
        if manifest.get("status") not in VISIBLE_STATUSES:
            continue
        for rel in manifest.get("files") or []:
            parts = rel.split("/")
            if len(parts) < 4 or parts[0] != "landed":
                continue
            key = f"{parts[1]}/{parts[2]}"
            if key in registry.ENTITIES:
                result.files.setdefault(key, []).append((rel, manifest["parser_version"]))
    for files in result.files.values():
        files.sort()
    return result


# ------------------------------------------------------------------ PostgreSQL load step
@dataclass
class LoadReport:
    tables: dict[str, int] = field(default_factory=dict)
    """`landed.<table>` -> rows loaded."""

    def summary(self) -> str:
        total = sum(self.tables.values())
        return f"loaded {total:,} rows into {len(self.tables)} tables of schema {LANDED_SCHEMA}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(table: str, columns: dict[str, pl.DataType]) -> str:
    body = ",\n    ".join(f"{_ident(c)} {postgres_type(t)}" for c, t in columns.items())
    return f"create table {_ident(LANDED_SCHEMA)}.{_ident(table)} (\n    {body}\n)"


def _signature(ddl: str) -> str:
    return "registry:" + hashlib.sha256(ddl.encode()).hexdigest()[:16]


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The registry's columns in order, cast to the registry types (missing columns as nulls)."""
    arrays = []
    for fld in schema:
        if fld.name in table.column_names:
            arrays.append(table[fld.name].cast(fld.type))
        else:
            arrays.append(pa.nulls(table.num_rows, fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    """Plain `string` instead of large/view strings, which the CSV writer handles everywhere."""
    fields = []
    for fld in schema:
        kind = fld.type
        if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        fields.append(pa.field(fld.name, kind))
    return pa.schema(fields)


def _copy(cursor, table: str, data: pa.Table) -> None:
    if data.num_rows == 0:
        return
    buffer = io.BytesIO()
    # Strings are always quoted, nulls never: PostgreSQL's CSV reads "" as '' and an empty field as NULL.
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    buffer.seek(0)
    columns = ", ".join(_ident(c) for c in data.column_names)
    cursor.copy_expert(
        f"copy {_ident(LANDED_SCHEMA)}.{_ident(table)} ({columns}) from stdin with (format csv, header true)", buffer
    )


def _replace_table(conn, table: str, columns: dict[str, pl.DataType], batches: Iterable[pa.Table]) -> int:
    """Replace the contents of `landed.<table>` in one transaction (recreate it when the schema changed)."""
    ddl = _ddl(table, columns)
    signature = _signature(ddl)
    rows = 0
    with conn.cursor() as cursor:
        cursor.execute(
            "select obj_description(c.oid, 'pg_class') from pg_class as c "
            "join pg_namespace as n on n.oid = c.relnamespace where n.nspname = %s and c.relname = %s",
            (LANDED_SCHEMA, table),
        )
        found = cursor.fetchone()
        if found is not None and found[0] == signature:
            cursor.execute(f"truncate table {_ident(LANDED_SCHEMA)}.{_ident(table)}")
        else:
            if found is not None:
                # Staging views over the old shape go too; dbt recreates them on the next build.
                cursor.execute(f"drop table {_ident(LANDED_SCHEMA)}.{_ident(table)} cascade")
            cursor.execute(ddl)
            cursor.execute(f"comment on table {_ident(LANDED_SCHEMA)}.{_ident(table)} is %s", (signature,))
        for batch in batches:
            _copy(cursor, table, batch)
            rows += batch.num_rows
    conn.commit()
    return rows


def _entity_batches(lake: Lake, entity: registry.Entity, files: list[tuple[str, str]]) -> Iterable[pa.Table]:
    schema = arrow_schema(entity.schema())
    csv_schema = _csv_schema(schema)
    for rel, parser_version in files:
        with lake.fs.open(lake.path(rel), "rb") as handle:
            data = pq.read_table(handle)
        if "_parser_version" in data.column_names:
            data = data.filter(pc.equal(data["_parser_version"], parser_version))
        yield _conform(_conform(data, schema), csv_schema)


def _manifest_batch(manifests: list[dict]) -> pa.Table:
    schema = _csv_schema(arrow_schema(MANIFEST_COLUMNS))
    columns = {name: [m.get(name) for m in manifests] for name in MANIFEST_COLUMNS}
    return pa.Table.from_pydict(columns, schema=schema)


POSTGRES_DEFAULTS = {
    "PGHOST": "127.0.0.1",
    "PGPORT": "5432",
    "PGUSER": "commerce",
    "PGPASSWORD": "commerce",
    "PGDATABASE": "commerce",
}
"""The same defaults as the dbt `postgres` target (profiles.yml) and scripts/start-postgres.sh."""


def postgres_connect_args(environ: dict[str, str] | None = None) -> dict[str, str]:
    env = os.environ if environ is None else environ
    names = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password", "PGDATABASE": "dbname"}
    return {arg: env.get(var) or POSTGRES_DEFAULTS[var] for var, arg in names.items()}


def server_connection(kind: str):
    """A DB-API connection to the PostgreSQL (libpq variables) or Redshift (REDSHIFT_* variables) warehouse."""
    if kind == "postgres":
        import psycopg2

        return psycopg2.connect(**postgres_connect_args())
    import redshift_connector

    return redshift_connector.connect(
        host=os.environ["REDSHIFT_HOST"],
        port=int(os.environ.get("REDSHIFT_PORT", "5439")),
        database=os.environ.get("REDSHIFT_DATABASE", "commerce"),
        user=os.environ.get("REDSHIFT_USER", "dbt"),
        password=os.environ.get("REDSHIFT_PASSWORD", ""),
        ssl=True,
    )


def load_postgres(
    lake: Lake,
    dsn: str | None = None,
    entities: Iterable[registry.Entity] | None = None,
    manifests: list[dict] | None = None,
) -> LoadReport:
    """Load the visible landed rows of `manifests` (a pin; by default the lake's manifests now) into
    PostgreSQL schema `landed`.

    Connects with `dsn` if given, else with libpq's PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE and the
    dbt `postgres` target's defaults.
    """
    import psycopg2

    visible = visible_files(lake, manifests)
    report = LoadReport()
    conn = psycopg2.connect(dsn) if dsn else psycopg2.connect(**postgres_connect_args())
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"create schema if not exists {_ident(LANDED_SCHEMA)}")
        conn.commit()
        for entity in entities or registry.ENTITIES.values():
            files = visible.files.get(entity.key, [])
            table = table_name(entity)
            report.tables[table] = _replace_table(conn, table, entity.schema(), _entity_batches(lake, entity, files))
        report.tables[MANIFESTS_TABLE] = _replace_table(
            conn, MANIFESTS_TABLE, MANIFEST_COLUMNS, [_manifest_batch(visible.manifests)]
        )
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.close()
    return report


# ------------------------------------------------------------------ the pin on DuckDB
def manifests_frame(manifests: list[dict]) -> pl.DataFrame:
    """The manifest columns staging reads, one row per manifest (the `landed.lake_manifests` table)."""
    rows = {name: [m.get(name) for m in manifests] for name in MANIFEST_COLUMNS}
    return pl.DataFrame(rows, schema=MANIFEST_COLUMNS)


def pin_duckdb_manifests(database: str, manifests: list[dict]) -> int:
    """Replace `landed.lake_manifests` in the DuckDB file `database` with the pinned `manifests`.

    Runs just before dbt opens the same file for the build, so staging sees the lake as of this moment.
    Returns the number of manifests pinned.
    """
    import duckdb

    frame = manifests_frame(manifests).to_arrow()
    con = duckdb.connect(database)
    try:
        con.execute(f"create schema if not exists {_ident(LANDED_SCHEMA)}")
        con.register("pinned_manifests", frame)
        con.execute(
            f"create or replace table {_ident(LANDED_SCHEMA)}.{_ident(MANIFESTS_TABLE)} as "
            "select * from pinned_manifests"
        )
    finally:
        con.close()
    return len(manifests)
