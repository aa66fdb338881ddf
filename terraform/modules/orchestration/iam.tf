# One execution role (pull image, write logs, read the secrets its container
# declares) and one task role (what the code may do) per process kind, so the
# webserver cannot read the warehouse password and only run tasks touch data.

locals {
  lake_arn     = var.lake_bucket_arn
  task_arns    = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${aws_ecs_cluster.this.name}/*"
  run_task_def = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${local.run_family}:*"

  # Secret ARNs each process kind may read (strip the ":json-key::" suffix).
  execution_secret_arns = {
    for kind, svc in local.services : kind => distinct([
      for v in values(svc.secrets) : regex("^arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:[^:]+", v)
    ])
  }
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

################################################################################
# Execution roles
################################################################################

data "aws_iam_policy_document" "execution" {
  for_each = local.services

  statement {
    sid = "PullImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.this.arn]
  }

  # GetAuthorizationToken is account-wide; AWS offers no resource-level scoping.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  statement {
    sid       = "ReadDeclaredSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.execution_secret_arns[each.key]
  }

  statement {
    sid       = "DecryptSecretsAndImage"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role" "execution" {
  for_each = local.services

  name               = "${var.name}-${each.key}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "execution" {
  for_each = local.services

  name   = "execution"
  role   = aws_iam_role.execution[each.key].id
  policy = data.aws_iam_policy_document.execution[each.key].json
}

################################################################################
# Task roles
################################################################################

# Webserver: terminate a run from the UI (EcsRunLauncher stops its task).
data "aws_iam_policy_document" "task_webserver" {
  statement {
    sid       = "ManageRunTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask", "ecs:ListTagsForResource"]
    resources = [local.task_arns]
  }
}

# Daemon: launch and watch run tasks (EcsRunLauncher, run monitoring) and
# evaluate the inbox sensor, which lists inbox/ and reads manifests.
data "aws_iam_policy_document" "task_daemon" {
  statement {
    sid       = "LaunchRunTasks"
    actions   = ["ecs:RunTask"]
    resources = [local.run_task_def]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.this.arn]
    }
  }

  statement {
    sid       = "ManageRunTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask", "ecs:TagResource", "ecs:ListTagsForResource"]
    resources = [local.task_arns]
  }

  # Neither action supports resource-level permissions. EcsRunLauncher reads
  # the daemon's own ENI to give run tasks the same subnets and security group.
  statement {
    sid       = "ReadTaskDefinitionsAndNetwork"
    actions   = ["ecs:DescribeTaskDefinition", "ec2:DescribeNetworkInterfaces"]
    resources = ["*"]
  }

  statement {
    sid     = "PassRunRoles"
    actions = ["iam:PassRole"]
    resources = [
      aws_iam_role.task["run"].arn,
      aws_iam_role.execution["run"].arn,
    ]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "ListInboxAndManifests"
    actions   = ["s3:ListBucket"]
    resources = [local.lake_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["inbox/", "inbox/*", "_manifests/", "_manifests/*"]
    }
  }

  statement {
    sid       = "ReadInboxAndManifests"
    actions   = ["s3:GetObject"]
    resources = ["${local.lake_arn}/inbox/*", "${local.lake_arn}/_manifests/*"]
  }

  statement {
    sid       = "DecryptLake"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

# Runs: ingestion writes the lake (append-only: no delete outside inbox/),
# dbt publishes its docs site and the dashboard (under dashboard/), the report asset writes reports/.
data "aws_iam_policy_document" "task_run" {
  statement {
    sid       = "ListLakePrefixes"
    actions   = ["s3:ListBucket"]
    resources = [local.lake_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values = [
        "inbox/", "inbox/*",
        "raw/", "raw/*",
        "landed/", "landed/*",
        "quarantine/", "quarantine/*",
        "_manifests/", "_manifests/*",
        "reports/", "reports/*",
      ]
    }
  }

  statement {
    sid       = "ConsumeInbox"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.lake_arn}/inbox/*"]
  }

  statement {
    sid     = "AppendLake"
    actions = ["s3:GetObject", "s3:PutObject"]
    resources = [
      "${local.lake_arn}/raw/*",
      "${local.lake_arn}/landed/*",
      "${local.lake_arn}/quarantine/*",
      "${local.lake_arn}/_manifests/*",
      "${local.lake_arn}/reports/*", # the monthly PDF reports (dashboard/pdf.py)
    ]
  }

  statement {
    sid       = "LakeKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "PublishDocs"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${var.docs_bucket_arn}/*"]
  }

  statement {
    sid       = "ListDocs"
    actions   = ["s3:ListBucket"]
    resources = [var.docs_bucket_arn]
  }

  statement {
    sid       = "DocsKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.docs_kms_key_arn]
  }

  statement {
    sid       = "RefreshDocsCache"
    actions   = ["cloudfront:CreateInvalidation"]
    resources = [var.docs_distribution_arn]
  }
}

locals {
  task_policies = {
    webserver = data.aws_iam_policy_document.task_webserver.json
    daemon    = data.aws_iam_policy_document.task_daemon.json
    run       = data.aws_iam_policy_document.task_run.json
  }
}

resource "aws_iam_role" "task" {
  for_each = local.services

  name               = "${var.name}-${each.key}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  for_each = local.services

  name   = "task"
  role   = aws_iam_role.task[each.key].id
  policy = local.task_policies[each.key]
}
