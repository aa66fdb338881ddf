"""Security and contract properties of terraform/, checked on the parsed HCL.

Each test walks every .tf file (modules and environments), so a new bucket,
policy, variable or database added anywhere is held to the same rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the `tf` fixture (conftest.py) provides the parsed tree
    from conftest import Block, TerraformTree

TERRAFORM_DIR = Path(__file__).resolve().parents[2] / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
ENVS_DIR = TERRAFORM_DIR / "envs"

LAKE_PREFIXES = ["inbox/", "raw/", "landed/", "quarantine/", "_manifests/", "reports/"]
ENVIRONMENTS = ["dev", "prod"]
MODULE_FILES = ["main.tf", "variables.tf", "outputs.tf", "versions.tf"]
# The modules that terraform/modules/platform composes into one environment.
BUILDING_BLOCKS = ["kms", "network", "lake", "warehouse", "auth", "docs_site", "orchestration"]
PLATFORM_DIR = MODULES_DIR / "platform"

# Actions that AWS does not scope to resources; only these may use "*".
UNSCOPABLE_ACTIONS = {
    "ecr:GetAuthorizationToken",
    "ecs:DescribeTaskDefinition",
    "ec2:DescribeNetworkInterfaces",
}

# Buckets that may not use SSE-KMS: log delivery (S3 server access logs, ALB)
# only writes to SSE-S3 buckets.
SSE_S3_ALLOWED = {"logs"}

CONTRACT_ENV = {
    "COMMERCE_LAKE",
    "COMMERCE_INBOX",
    "DBT_TARGET",
    "REDSHIFT_HOST",
    "REDSHIFT_PORT",
    "REDSHIFT_DATABASE",
    "REDSHIFT_USER",
    "REDSHIFT_SPECTRUM_ROLE_ARN",
    "GLUE_DATABASE",
    "COMMERCE_TIMEZONE",
    "COMMERCE_REPORTING_CURRENCY",
    "DAGSTER_HOME",
    "DAGSTER_PG_HOST",
    "DAGSTER_PG_PORT",
    "DAGSTER_PG_DB",
    "DAGSTER_PG_USER",
}
CONTRACT_SECRETS = {"REDSHIFT_PASSWORD", "DAGSTER_PG_PASSWORD", "COMMERCE_CUSTOMER_HASH_SALT"}


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def first(value: Any) -> dict:
    if isinstance(value, list):
        return value[0] if value else {}
    return value or {}


def refs(body: Any, needle: str) -> bool:
    """Whether any string inside body mentions needle (e.g. 'aws_s3_bucket.lake.')."""
    if isinstance(body, dict):
        return any(refs(v, needle) for v in body.values())
    if isinstance(body, list):
        return any(refs(v, needle) for v in body)
    return isinstance(body, str) and needle in body


def companions(tf: TerraformTree, bucket: Block, type_: str) -> list[Block]:
    needle = f"aws_s3_bucket.{bucket.name}."
    return [b for b in tf.in_dir(tf.resources(type_), bucket.module_dir) if refs(b.body.get("bucket"), needle)]


DOC_REF = re.compile(r"data\.aws_iam_policy_document\.(\w+)(?:\[[^\]]*\])?\.json")
LOCAL_REF = re.compile(r"^\$\{local\.(\w+)(?:\[[^\]]*\])?\}$")


def policy_documents_for(tf: TerraformTree, holder: Block) -> list[Block]:
    """The aws_iam_policy_document(s) a policy attribute uses, through a local map if need be."""
    policy = str(holder.body.get("policy"))
    local = LOCAL_REF.match(policy)
    if local:
        value = tf.module_locals(holder.module_dir)[local.group(1)]
        candidates = list(value.values()) if isinstance(value, dict) else [value]
    else:
        candidates = [policy]
    found = []
    for candidate in candidates:
        match = DOC_REF.search(str(candidate))
        assert match, f"{holder.address}: policy must come from an aws_iam_policy_document ({candidate})"
        docs = [d for d in tf.in_dir(tf.data("aws_iam_policy_document"), holder.module_dir) if d.name == match.group(1)]
        assert docs, f"{holder.address}: policy document {match.group(1)} not found"
        found.append(docs[0])
    return found


def policy_document_for(tf: TerraformTree, holder: Block) -> Block:
    docs = policy_documents_for(tf, holder)
    assert len(docs) == 1, holder.address
    return docs[0]


def resolve(tf: TerraformTree, directory: Path, value: str) -> str:
    local = LOCAL_REF.match(value)
    return str(tf.module_locals(directory)[local.group(1)]) if local else value


def statements(doc: Block) -> list[dict]:
    return as_list(doc.body.get("statement"))


# --------------------------------------------------------------------------- #
# Layout and conventions
# --------------------------------------------------------------------------- #


def test_modules_and_envs_exist(tf: TerraformTree) -> None:
    modules = {p.name for p in MODULES_DIR.iterdir() if p.is_dir()}
    assert set(BUILDING_BLOCKS) | {"platform"} <= modules
    for env in ENVIRONMENTS:
        assert (ENVS_DIR / env / "main.tf").is_file(), env


@pytest.mark.parametrize("module", sorted(p.name for p in MODULES_DIR.iterdir() if p.is_dir()))
def test_module_has_standard_files(module: str) -> None:
    missing = [f for f in MODULE_FILES if not (MODULES_DIR / module / f).is_file()]
    assert not missing, f"module {module} lacks {missing}"


def test_every_variable_is_typed_and_described(tf: TerraformTree) -> None:
    problems = []
    count = 0
    for path, name, body in tf.named_blocks("variable"):
        count += 1
        if not str(body.get("description", "")).strip():
            problems.append(f"{path.relative_to(TERRAFORM_DIR)}: variable {name} has no description")
        if "type" not in body:
            problems.append(f"{path.relative_to(TERRAFORM_DIR)}: variable {name} has no type")
    assert count > 50, "expected the modules to declare their variables"
    assert not problems, "\n".join(problems)


def test_every_output_is_described(tf: TerraformTree) -> None:
    problems = [
        f"{path.relative_to(TERRAFORM_DIR)}: output {name}"
        for path, name, body in tf.named_blocks("output")
        if not str(body.get("description", "")).strip()
    ]
    assert not problems, "outputs without description:\n" + "\n".join(problems)


def _terraform_blocks(tf: TerraformTree, directory: Path) -> list[dict]:
    found = []
    for path, doc in tf.files.items():
        if path.parent == directory:
            found.extend(doc.get("terraform", []))
    return found


def _bounded(constraint: str) -> bool:
    """A constraint with an upper bound: '~> x.y' or one containing '<'."""
    return constraint.strip().startswith("~>") or "<" in constraint


@pytest.mark.parametrize(
    "directory",
    [MODULES_DIR / m for m in sorted(p.name for p in MODULES_DIR.iterdir() if p.is_dir())]
    + [ENVS_DIR / e for e in ENVIRONMENTS],
    ids=lambda p: str(p.relative_to(TERRAFORM_DIR)),
)
def test_versions_are_pinned(tf: TerraformTree, directory: Path) -> None:
    blocks = _terraform_blocks(tf, directory)
    assert blocks, f"{directory} has no terraform block"
    required_version = next((b["required_version"] for b in blocks if "required_version" in b), None)
    assert required_version and _bounded(required_version), f"{directory}: required_version not pinned"
    providers = {}
    for b in blocks:
        for entry in as_list(b.get("required_providers")):
            providers.update(entry)
    assert "aws" in providers, f"{directory}: hashicorp/aws not declared"
    for name, spec in providers.items():
        assert spec.get("source", "").startswith("hashicorp/"), f"{directory}: {name} source"
        assert _bounded(spec.get("version", "")), f"{directory}: provider {name} version not pinned"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_env_has_s3_backend_and_default_tags(tf: TerraformTree, env: str) -> None:
    directory = ENVS_DIR / env
    backends = [first(b.get("backend")) for b in _terraform_blocks(tf, directory) if b.get("backend")]
    assert backends and "s3" in backends[0], f"{env}: no S3 backend"
    s3 = first(backends[0]["s3"])
    assert f"/{env}/" in s3.get("key", ""), f"{env}: state key must be per environment"
    assert s3.get("encrypt") is True and s3.get("use_lockfile") is True
    providers = [p for path, doc in tf.files.items() if path.parent == directory for p in doc.get("provider", [])]
    aws_providers = [first(p["aws"]) for p in providers if "aws" in p]
    assert len(aws_providers) >= 2, f"{env}: expected the default and us_east_1 aws providers"
    for provider in aws_providers:
        assert provider.get("default_tags"), f"{env}: aws provider without default_tags"
        assert provider.get("allowed_account_ids"), f"{env}: aws provider not fenced to one account"


def expr(value: Any) -> str:
    """A bare expression: '${module.platform.x}' -> 'module.platform.x'."""
    text = str(value).strip()
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def module_calls(tf: TerraformTree, directory: Path) -> dict[str, dict]:
    calls: dict[str, dict] = {}
    for path, doc in tf.files.items():
        if path.parent == directory:
            for entry in doc.get("module", []):
                calls.update(entry)
    return calls


def passes_both_aws_providers(call: dict) -> bool:
    providers = {expr(k): expr(v) for k, v in first(call.get("providers")).items()}
    return providers == {"aws": "aws", "aws.us_east_1": "aws.us_east_1"}


def platform_variables(tf: TerraformTree) -> dict[str, dict]:
    return {name: body for path, name, body in tf.named_blocks("variable") if path.parent == PLATFORM_DIR}


def test_platform_composes_every_module_once(tf: TerraformTree) -> None:
    calls = module_calls(tf, PLATFORM_DIR)
    assert sorted(calls) == sorted(BUILDING_BLOCKS)
    for name, call in calls.items():
        assert call["source"] == f"../{name}", f"platform: module {name} source {call['source']}"
    # CloudFront's certificate, WAF and Lambda@Edge need the us-east-1 provider.
    assert passes_both_aws_providers(calls["docs_site"])
    aliases = [
        expr(alias)
        for block in _terraform_blocks(tf, PLATFORM_DIR)
        for entry in as_list(block.get("required_providers"))
        for alias in as_list(entry.get("aws", {}).get("configuration_aliases"))
    ]
    assert aliases == ["aws.us_east_1"], aliases
    assert not tf.in_dir(tf.resources(), PLATFORM_DIR), "platform only wires modules together"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_env_only_calls_the_platform(tf: TerraformTree, env: str) -> None:
    directory = ENVS_DIR / env
    assert not tf.in_dir(tf.resources() + tf.data(), directory), f"{env}: resources belong in the modules"
    calls = module_calls(tf, directory)
    assert list(calls) == ["platform"], f"{env}: compose the modules in modules/platform, not in the env"
    call = calls["platform"]
    assert call["source"] == "../../modules/platform"
    assert passes_both_aws_providers(call), f"{env}: pass aws and aws.us_east_1 to the platform"
    variables = platform_variables(tf)
    required = {name for name, body in variables.items() if "default" not in body}
    arguments = set(call) - {"source", "providers"}
    assert required <= arguments, f"{env}: platform inputs not set: {sorted(required - arguments)}"
    assert arguments <= set(variables), f"{env}: unknown platform inputs: {sorted(arguments - set(variables))}"
    assert tf.module_locals(directory).get("environment") == env
    assert expr(call["environment"]) == "local.environment"
    sizes_type = str(variables["sizes"]["type"])
    assert set(first(call["sizes"])) == set(re.findall(r"(\w+)\s*=", sizes_type)), f"{env}: sizes keys"
    # Operator inputs go straight through under the same name.
    for argument in arguments - {"environment", "sizes"}:
        assert expr(call[argument]) == f"var.{argument}", f"{env}: {argument} = {call[argument]}"


def test_env_sizes_keep_production_safe(tf: TerraformTree) -> None:
    sizes = {env: first(module_calls(tf, ENVS_DIR / env)["platform"]["sizes"]) for env in ENVIRONMENTS}
    prod = sizes["prod"]
    assert prod["deletion_protection"] is True and prod["force_destroy"] is False
    assert prod["db_multi_az"] is True and prod["db_backup_days"] >= 7
    for env, values in sizes.items():
        assert values["log_retention_days"] >= 365, f"{env}: keep logs a year"
        assert values["redshift_base_rpus"] <= values["redshift_max_rpus"], env


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_env_outputs_reexport_the_platform(tf: TerraformTree, env: str) -> None:
    platform = {name for path, name, _ in tf.named_blocks("output") if path.parent == PLATFORM_DIR}
    outputs = {name: body for path, name, body in tf.named_blocks("output") if path.parent == ENVS_DIR / env}
    assert set(outputs) == platform, f"{env}: outputs differ from the platform's"
    for name, body in outputs.items():
        assert expr(body["value"]) == f"module.platform.{name}", f"{env}: output {name}"


# --------------------------------------------------------------------------- #
# IAM
# --------------------------------------------------------------------------- #


def test_no_wildcard_action_or_unscoped_resource_in_iam_policies(tf: TerraformTree) -> None:
    docs = tf.data("aws_iam_policy_document")
    assert len(docs) >= 15
    problems = []
    for doc in docs:
        for st in statements(doc):
            if st.get("effect", "Allow") != "Allow":
                continue
            actions = as_list(st.get("actions"))
            resources = as_list(st.get("resources"))
            if any(a == "*" or a.endswith(":*") for a in actions):
                problems.append(f"{doc.address}: wildcard action {actions}")
            if "*" in resources and not set(actions) <= UNSCOPABLE_ACTIONS:
                problems.append(f"{doc.address}: resource * for {actions}")
            if st.get("not_actions") or st.get("not_resources"):
                problems.append(f"{doc.address}: NotAction/NotResource allow")
    assert not problems, "\n".join(problems)


def test_inline_json_policies_are_only_key_policies(tf: TerraformTree) -> None:
    """IAM policies go through aws_iam_policy_document (and so through the test
    above); jsonencode'd policies are allowed only as KMS key policies, where
    "Resource": "*" means the key itself, and never with a "*" principal."""
    for block in tf.resources():
        policy = block.body.get("policy")
        if not isinstance(policy, str) or "jsonencode" not in policy:
            continue
        if block.type in {"aws_ecr_lifecycle_policy"}:
            continue
        assert block.type in {"aws_kms_key", "aws_kms_key_policy"}, f"{block.address}: use aws_iam_policy_document"
        assert not re.search(r'Principal\s*=\s*"\*"', policy), f"{block.address}: key policy open to *"
        assert not re.search(r'AWS\s*=\s*"\*"', policy), f"{block.address}: key policy open to *"
    for role in tf.resources("aws_iam_role_policy") + tf.resources("aws_iam_policy"):
        assert policy_documents_for(tf, role)


def test_task_roles_follow_least_privilege(tf: TerraformTree) -> None:
    docs = {d.name: d for d in tf.in_dir(tf.data("aws_iam_policy_document"), MODULES_DIR / "orchestration")}

    web_actions = {a for st in statements(docs["task_webserver"]) for a in as_list(st.get("actions"))}
    assert not any(a.startswith(("s3:", "secretsmanager:", "kms:")) for a in web_actions), web_actions

    run = statements(docs["task_run"])
    object_resources = [r for st in run for r in as_list(st.get("resources")) if "local.lake_arn}/" in r]
    # Each prefix is named; nothing grants the whole bucket.
    assert not any(r.endswith("lake_arn}/*") for r in object_resources), object_resources
    for prefix in LAKE_PREFIXES:
        assert any(f"/{prefix}*" in r for r in object_resources), f"run role lacks {prefix}"
    list_prefixes = {
        v
        for st in run
        if st.get("sid") == "ListLakePrefixes"
        for c in as_list(st.get("condition"))
        for v in c["values"]
    }
    assert {p for p in LAKE_PREFIXES} <= list_prefixes
    # Landed data is append-only: deletes only where users drop files.
    for st in run:
        if "s3:DeleteObject" in as_list(st.get("actions")):
            assert all("/inbox/" in r for r in as_list(st.get("resources"))), st

    daemon = statements(docs["task_daemon"])
    passrole = [st for st in daemon if "iam:PassRole" in as_list(st.get("actions"))]
    assert passrole and all(st.get("condition") for st in passrole), "PassRole must be limited to ECS"
    run_task = [st for st in daemon if "ecs:RunTask" in as_list(st.get("actions"))]
    orchestration = MODULES_DIR / "orchestration"
    assert run_task and all(
        ":task-definition/" in resolve(tf, orchestration, r) for st in run_task for r in as_list(st.get("resources"))
    )


def test_spectrum_role_reads_only_landed_and_its_glue_database(tf: TerraformTree) -> None:
    doc = next(d for d in tf.data("aws_iam_policy_document") if d.name == "spectrum")
    for st in statements(doc):
        for action in as_list(st.get("actions")):
            assert action.startswith(("s3:Get", "s3:List", "kms:", "glue:")), action
            assert not action.startswith(("s3:Put", "s3:Delete")), action
        resources = as_list(st.get("resources"))
        s3_objects = [r for r in resources if r.startswith("${var.lake_bucket_arn}/")]
        assert all(r == "${var.lake_bucket_arn}/landed/*" for r in s3_objects), s3_objects
        glue = [r for r in resources if ":glue:" in r or "glue_arn" in r]
        assert all("catalog" in r or "aws_glue_catalog_database.landed.name" in r for r in glue), glue


# --------------------------------------------------------------------------- #
# Storage
# --------------------------------------------------------------------------- #


def test_every_bucket_is_encrypted_blocked_versioned_logged_and_tls_only(tf: TerraformTree) -> None:
    buckets = tf.resources("aws_s3_bucket")
    assert {b.name for b in buckets} >= {"lake", "logs", "docs"}
    for bucket in buckets:
        where = bucket.address

        sse = companions(tf, bucket, "aws_s3_bucket_server_side_encryption_configuration")
        assert len(sse) == 1, f"{where}: no default encryption"
        default = first(first(sse[0].body["rule"])["apply_server_side_encryption_by_default"])
        if bucket.name in SSE_S3_ALLOWED:
            assert default["sse_algorithm"] in {"aws:kms", "AES256"}, where
        else:
            assert default["sse_algorithm"] == "aws:kms" and default.get("kms_master_key_id"), f"{where}: not SSE-KMS"

        pab = companions(tf, bucket, "aws_s3_bucket_public_access_block")
        assert len(pab) == 1, f"{where}: no public access block"
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ):
            assert pab[0].body.get(flag) is True, f"{where}: {flag} is not true"

        versioning = companions(tf, bucket, "aws_s3_bucket_versioning")
        assert versioning and first(versioning[0].body["versioning_configuration"])["status"] == "Enabled", where

        assert companions(tf, bucket, "aws_s3_bucket_lifecycle_configuration"), f"{where}: no lifecycle"
        if bucket.name != "logs":
            assert companions(tf, bucket, "aws_s3_bucket_logging"), f"{where}: no access logging"

        policies = companions(tf, bucket, "aws_s3_bucket_policy")
        assert len(policies) == 1, f"{where}: no bucket policy"
        doc = policy_document_for(tf, policies[0])
        tls = [
            st
            for st in statements(doc)
            if st.get("effect") == "Deny"
            and any(
                c.get("variable") == "aws:SecureTransport" and c.get("values") == ["false"]
                for c in as_list(st.get("condition"))
            )
        ]
        assert tls, f"{where}: bucket policy does not deny plain HTTP"
        denied = as_list(tls[0].get("resources"))
        assert any(r.endswith(f"aws_s3_bucket.{bucket.name}.arn}}") for r in denied), f"{where}: TLS deny misses bucket"
        assert any(r.endswith("/*") for r in denied), f"{where}: TLS deny misses objects"
        for st in statements(doc):
            if st.get("effect", "Allow") == "Allow":
                principals = [p for pr in as_list(st.get("principals")) for p in as_list(pr.get("identifiers"))]
                assert "*" not in principals, f"{where}: bucket policy allows anyone"


def test_lake_layout_and_lifecycle(tf: TerraformTree) -> None:
    lake_dir = MODULES_DIR / "lake"
    assert tf.locals(lake_dir / "main.tf")["prefixes"] == LAKE_PREFIXES
    lifecycle = next(
        b for b in tf.in_dir(tf.resources("aws_s3_bucket_lifecycle_configuration"), lake_dir) if b.name == "lake"
    )
    rules = {r["id"]: r for r in as_list(lifecycle.body["rule"])}
    raw = rules["raw-tiering"]
    assert first(raw["filter"])["prefix"] == "raw/"
    classes = [t["storage_class"] for t in as_list(raw["transition"])]
    assert classes[0] == "STANDARD_IA" and len(classes) == 2
    assert all(str(t["days"]).startswith("${var.") for t in as_list(raw["transition"])), "days must be configurable"
    assert "expiration" not in raw, "raw/ is the reprocessing source and must not expire"
    quarantine = rules["quarantine-expiry"]
    assert first(quarantine["filter"])["prefix"] == "quarantine/"
    assert first(quarantine["expiration"])["days"] == "${var.quarantine_expiration_days}"


def test_every_kms_key_rotates(tf: TerraformTree) -> None:
    keys = tf.resources("aws_kms_key")
    assert keys
    for key in keys:
        assert key.body.get("enable_key_rotation") is True, key.address


def test_log_groups_are_encrypted_and_expire(tf: TerraformTree) -> None:
    groups = tf.resources("aws_cloudwatch_log_group")
    assert groups
    for group in groups:
        assert group.body.get("kms_key_id"), f"{group.address}: not KMS-encrypted"
        assert group.body.get("retention_in_days"), f"{group.address}: keeps logs forever"


# --------------------------------------------------------------------------- #
# Databases
# --------------------------------------------------------------------------- #


def test_redshift_is_private_routed_audited_and_password_managed(tf: TerraformTree) -> None:
    workgroups = tf.resources("aws_redshiftserverless_workgroup")
    namespaces = tf.resources("aws_redshiftserverless_namespace")
    assert workgroups and namespaces
    for wg in workgroups:
        assert wg.body.get("publicly_accessible") is False, wg.address
        assert wg.body.get("enhanced_vpc_routing") is True, wg.address
        params = {p["parameter_key"]: p["parameter_value"] for p in as_list(wg.body.get("config_parameter"))}
        assert params.get("require_ssl") == "true", wg.address
    for ns in namespaces:
        assert ns.body.get("manage_admin_password") is True, ns.address
        assert "admin_user_password" not in ns.body and "admin_password_wo" not in ns.body, ns.address
        assert ns.body.get("kms_key_id"), ns.address
        assert set(as_list(ns.body.get("log_exports"))) == {
            "connectionlog",
            "userlog",
            "useractivitylog",
        }


def test_rds_is_private_encrypted_tls_and_password_managed(tf: TerraformTree) -> None:
    instances = tf.resources("aws_db_instance")
    assert instances
    for db in instances:
        assert db.body.get("publicly_accessible") is False, db.address
        assert db.body.get("storage_encrypted") is True and db.body.get("kms_key_id"), db.address
        assert db.body.get("manage_master_user_password") is True, db.address
        assert not ({"password", "password_wo"} & db.body.keys()), db.address
        assert db.body.get("skip_final_snapshot") is False, db.address
    for group in tf.resources("aws_db_parameter_group"):
        params = {p["name"]: str(p["value"]) for p in as_list(group.body.get("parameter"))}
        assert params.get("rds.force_ssl") == "1", group.address


# --------------------------------------------------------------------------- #
# Secrets
# --------------------------------------------------------------------------- #

SECRET_PATTERNS = [
    (re.compile(r"AKIA[0-9A-Z]{16}"), "AWS access key ID"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "private key"),
    (
        re.compile(r"(?i)\b(password|passwd|secret_string|client_secret|api_key|token)\s*=\s*\"[^\"$]+\""),
        "literal secret",
    ),
    (re.compile(r"(?i)aws_secret_access_key"), "AWS secret key"),
]


def test_no_secret_literals_in_terraform(tf: TerraformTree) -> None:
    files = [p for p in TERRAFORM_DIR.rglob("*") if p.is_file() and ".terraform" not in p.parts]
    problems = []
    for path in files:
        if path.suffix not in {
            ".tf",
            ".tfvars",
            ".hcl",
            ".example",
            ".json",
            ".py",
            ".yaml",
            ".sh",
        }:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                problems.append(f"{path.relative_to(TERRAFORM_DIR)}: {what}: {match.group(0)[:40]}")
    assert not problems, "\n".join(problems)
    leaked = [
        p.name for p in files if p.suffix in {".tfstate", ".tfplan"} or p.name in {"terraform.tfvars", "backend.hcl"}
    ]
    assert not leaked, f"state, plans or real variable files must not live in the repository: {leaked}"


def test_no_secret_is_a_terraform_variable(tf: TerraformTree) -> None:
    """Secrets are generated inside AWS (RDS, Redshift, Secrets Manager), never passed in."""
    names = [name for _, name, _ in tf.named_blocks("variable")]
    suspicious = [
        n for n in names if re.search(r"password|secret(?!_arn)|salt|token|api_key", n) and not n.endswith("_arn")
    ]
    assert not suspicious, suspicious
    for version in tf.resources("aws_secretsmanager_secret_version"):
        assert "secret_string" not in version.body, f"{version.address}: value would be stored in state"
        assert version.body.get("secret_string_wo", "").startswith("${ephemeral."), version.address


def test_dagster_tasks_get_contract_settings_and_secrets_only_via_ecs_secrets(
    tf: TerraformTree,
) -> None:
    locals_ = tf.locals(MODULES_DIR / "orchestration" / "main.tf")
    env = locals_["common_environment"]
    missing = CONTRACT_ENV - env.keys()
    assert not missing, f"missing environment variables: {missing}"
    assert env["DBT_TARGET"] == "prod"
    assert env["COMMERCE_INBOX"].endswith("inbox/")
    leaked = {k for k in env if re.search(r"PASSWORD|SALT|SECRET|TOKEN", k)}
    assert not leaked, f"secrets in plain environment: {leaked}"
    run_secrets = locals_["run_secrets"]
    assert set(run_secrets) == CONTRACT_SECRETS
    assert run_secrets["REDSHIFT_PASSWORD"].endswith(":password::")
    assert set(locals_["service_secrets"]) == {"DAGSTER_PG_PASSWORD"}, "webserver/daemon get only the storage password"
    services = locals_["services"]
    # Connector credentials: keys of the one connectors secret, injected into run tasks only (docs/connectors.md).
    assert services["run"]["secrets"] == "${merge(local.run_secrets, local.connector_secrets)}"
    connector = locals_["connector_secrets"]
    assert '"${aws_secretsmanager_secret.connectors.arn}:${setting}::"' in str(connector)
    assert services["webserver"]["secrets"] == services["daemon"]["secrets"] == "${local.service_secrets}"


def test_run_tasks_inject_the_salt_variable_the_dbt_macro_reads(tf: TerraformTree) -> None:
    """The customer-hash salt reaches dbt only if Terraform and the macro name the same variable."""
    macro = (TERRAFORM_DIR.parent / "dbt_project" / "macros" / "customer_identity.sql").read_text()
    read_by_dbt = set(re.findall(r"env_var\(\s*'([A-Z_]*SALT[A-Z_]*)'", macro))
    assert len(read_by_dbt) == 1, read_by_dbt
    run_secrets = tf.locals(MODULES_DIR / "orchestration" / "main.tf")["run_secrets"]
    injected = {name for name in run_secrets if "SALT" in name}
    assert injected == read_by_dbt
    assert run_secrets[read_by_dbt.pop()] == "${aws_secretsmanager_secret.customer_salt.arn}"


# --------------------------------------------------------------------------- #
# Network exposure and authentication
# --------------------------------------------------------------------------- #


def test_services_run_privately(tf: TerraformTree) -> None:
    services = tf.resources("aws_ecs_service")
    assert len(services) == 2
    for svc in services:
        network = first(svc.body["network_configuration"])
        assert network.get("assign_public_ip") is False, svc.address
        assert "private_subnet" in network["subnets"], svc.address


def test_only_the_load_balancer_accepts_internet_traffic(tf: TerraformTree) -> None:
    for rule in tf.resources("aws_vpc_security_group_ingress_rule"):
        cidr = str(rule.body.get("cidr_ipv4", ""))
        if (
            cidr == "0.0.0.0/0"
            or "allowed_ingress_cidrs" in str(rule.body.get("cidr_ipv4", ""))
            or cidr == "${each.value}"
        ):
            assert rule.body["security_group_id"] == "${aws_security_group.alb.id}", rule.address
            assert rule.body["from_port"] in (80, 443), rule.address
    for sg in tf.resources("aws_security_group"):
        assert "ingress" not in sg.body and "egress" not in sg.body, f"{sg.address}: use separate rule resources"


def test_dagster_ui_requires_sign_in(tf: TerraformTree) -> None:
    listeners = {b.name: b for b in tf.resources("aws_lb_listener")}
    https = listeners["https"].body
    assert https["protocol"] == "HTTPS" and https["ssl_policy"].startswith("ELBSecurityPolicy-TLS13")
    actions = sorted(as_list(https["default_action"]), key=lambda a: a["order"])
    assert [a["type"] for a in actions] == ["authenticate-cognito", "forward"]
    assert first(actions[0]["authenticate_cognito"])["on_unauthenticated_request"] == "authenticate"
    http_action = first(listeners["http"].body["default_action"])
    assert http_action["type"] == "redirect" and first(http_action["redirect"])["protocol"] == "HTTPS"
    assert tf.resources("aws_wafv2_web_acl_association")
    assert all(lb.body.get("drop_invalid_header_fields") is True for lb in tf.resources("aws_lb"))


def test_docs_site_requires_sign_in_at_the_edge(tf: TerraformTree) -> None:
    distributions = tf.resources("aws_cloudfront_distribution")
    assert len(distributions) == 1
    body = distributions[0].body
    behavior = first(body["default_cache_behavior"])
    assert behavior["viewer_protocol_policy"] in {"redirect-to-https", "https-only"}
    associations = as_list(behavior.get("lambda_function_association"))
    assert any(
        a["event_type"] == "viewer-request" and "aws_lambda_function.edge_auth.qualified_arn" in a["lambda_arn"]
        for a in associations
    ), "the docs site must authenticate every viewer request"
    assert first(body["origin"]).get("origin_access_control_id"), "bucket must be reached through OAC"
    assert first(body["viewer_certificate"])["minimum_protocol_version"].startswith("TLSv1.2")
    assert body.get("web_acl_id")

    function = next(b for b in tf.resources("aws_lambda_function") if b.name == "edge_auth")
    assert function.body["handler"] == "handler.handler" and function.body["publish"] is True
    assert (MODULES_DIR / "docs_site" / "edge_auth" / "handler.py").is_file()
    clients = {b.name: b.body for b in tf.resources("aws_cognito_user_pool_client")}
    assert clients["docs"]["generate_secret"] is False, "edge functions cannot hold a client secret"
    assert clients["docs"]["callback_urls"] == ["https://${var.docs_domain_name}/_auth/callback"]
    pools = tf.resources("aws_cognito_user_pool")
    assert first(pools[0].body["admin_create_user_config"])["allow_admin_create_user_only"] is True


def test_network_has_endpoints_and_private_subnets(tf: TerraformTree) -> None:
    network = MODULES_DIR / "network"
    endpoints = {b.name: b.body for b in tf.in_dir(tf.resources("aws_vpc_endpoint"), network)}
    assert endpoints["s3"]["vpc_endpoint_type"] == "Gateway"
    variables = {name: body for path, name, body in tf.named_blocks("variable") if path.parent == network}
    default = set(variables["interface_endpoints"]["default"])
    assert {"secretsmanager", "ecr.api", "ecr.dkr", "logs"} <= default
    subnets = {b.name: b.body for b in tf.in_dir(tf.resources("aws_subnet"), network)}
    assert subnets["public"]["map_public_ip_on_launch"] is False
    assert "map_public_ip_on_launch" not in subnets["private"]
    assert tf.in_dir(tf.resources("aws_flow_log"), network)


def test_alarms_cover_failed_runs_and_unhealthy_tasks(tf: TerraformTree) -> None:
    alarms = {b.name: b.body for b in tf.resources("aws_cloudwatch_metric_alarm")}
    assert alarms["failed_runs"]["metric_name"] == "FailedRuns"
    assert alarms["unhealthy_webserver"]["metric_name"] == "HealthyHostCount"
    assert alarms["service_not_running"]["metric_name"] == "RunningTaskCount"
    filters = tf.resources("aws_cloudwatch_log_metric_filter")
    assert any(f.body["pattern"] == "RUN_FAILURE" for f in filters)
    for alarm in alarms.values():
        assert alarm.get("alarm_actions"), "every alarm must notify"


# --------------------------------------------------------------------------- #
# checkov hygiene
# --------------------------------------------------------------------------- #

SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def test_every_checkov_skip_is_inline_and_justified(tf: TerraformTree) -> None:
    skips = []
    for path, text in tf.texts.items():
        for match in SKIP.finditer(text):
            check_id, reason = match.group(1), (match.group(2) or "").strip()
            skips.append(check_id)
            assert re.fullmatch(r"CKV2?_AWS_\d+", check_id), f"{path}: malformed skip {check_id}"
            assert len(reason) >= 40, f"{path}: skip {check_id} needs a real justification"
    assert skips, "expected the documented skips"
    config = (TERRAFORM_DIR / ".checkov.yaml").read_text(encoding="utf-8")
    assert "skip-check" not in config and "soft-fail" not in config, "no global skips or soft-fail"
    script = (TERRAFORM_DIR / "scripts" / "checkov.sh").read_text(encoding="utf-8")
    assert ".venv-checkov" in script and "--config-file terraform/.checkov.yaml" in script
