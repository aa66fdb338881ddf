"""The customer-hash salt dbt's `customer_key` macro reads from COMMERCE_CUSTOMER_HASH_SALT.

An unsalted SHA-256 of an email is re-identifiable by anyone holding a list of emails, so dbt refuses to run
without a salt (dbt_project/macros/customer_identity.sql). Production sets the variable from Secrets Manager
(terraform/modules/orchestration). Elsewhere, unless the user set it, the lake keeps its own random salt,
created by the first build and reused by every later one (customer keys stay stable across builds); it
lives under the lake's `_state/`, never in git.
"""

from __future__ import annotations

import secrets

from commerce_analytics.settings import Settings
from ingestion.lake import Lake
from warehouse.dbt_args import BuildError

SALT_ENV = "COMMERCE_CUSTOMER_HASH_SALT"
LAKE_SALT_PATH = "_state/customer_hash_salt.json"
# Warehouses whose salt must come from the deployment's secret, never from the lake.
SECRET_ONLY_KINDS = frozenset({"redshift"})


def lake_salt(lake: Lake) -> str:
    """The lake's salt, created on first use."""
    stored = lake.read_json(LAKE_SALT_PATH)
    if stored and stored.get("salt"):
        return str(stored["salt"])
    with lake.workdir() as work:
        lake.write_json(LAKE_SALT_PATH, {"salt": secrets.token_hex(32)}, work)
    # Read back what is stored: two first builds racing agree on whichever write landed last.
    return str(lake.read_json(LAKE_SALT_PATH)["salt"])


def salt_environment(kind: str, settings: Settings, lake: Lake) -> dict[str, str]:
    """{COMMERCE_CUSTOMER_HASH_SALT: salt} for dbt on a target of adapter type `kind`.

    The user's salt always wins. Without one, a Redshift (prod) target is an error before dbt connects;
    any other target gets the lake's salt."""
    if settings.customer_hash_salt:
        return {SALT_ENV: settings.customer_hash_salt}
    if kind in SECRET_ONLY_KINDS:
        raise BuildError(
            f"{SALT_ENV} is not set: the {kind} (prod) target needs the customer-hash salt; Terraform injects it "
            "from Secrets Manager into Dagster's run tasks (docs/deploying-to-aws.md)"
        )
    return {SALT_ENV: lake_salt(lake)}
