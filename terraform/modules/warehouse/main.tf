data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
}

################################################################################
# Glue catalog database for the landed tables (Spectrum external schema)
################################################################################

resource "aws_glue_catalog_database" "landed" {
  name         = var.glue_database_name
  description  = "External tables over s3://${var.lake_bucket_id}/landed/ read by Redshift Spectrum (dbt prod sources)."
  location_uri = "s3://${var.lake_bucket_id}/landed/"
  tags         = var.tags
}

################################################################################
# Spectrum / COPY role: read landed/ and manage tables in that one database
################################################################################

data "aws_iam_policy_document" "spectrum_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "spectrum" {
  statement {
    sid       = "ReadLandedObjects"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.lake_bucket_arn}/landed/*"]
  }

  statement {
    sid       = "ListLandedPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.lake_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["landed/", "landed/*"]
    }
  }

  statement {
    sid       = "BucketLocation"
    actions   = ["s3:GetBucketLocation"]
    resources = [var.lake_bucket_arn]
  }

  statement {
    sid       = "DecryptLake"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  # External schema/tables are created by dbt (CREATE EXTERNAL TABLE) in this
  # database only; no other catalog database is readable or writable.
  statement {
    sid = "GlueLandedDatabase"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:DeleteTable",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:DeletePartition",
      "glue:BatchDeletePartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${aws_glue_catalog_database.landed.name}",
      "${local.glue_arn}:table/${aws_glue_catalog_database.landed.name}/*",
    ]
  }
}

resource "aws_iam_role" "spectrum" {
  name               = "${var.name}-redshift-spectrum"
  description        = "Redshift Spectrum/COPY access to the lake's landed/ prefix and the ${var.glue_database_name} Glue database"
  assume_role_policy = data.aws_iam_policy_document.spectrum_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "spectrum" {
  name   = "landed-read-and-catalog"
  role   = aws_iam_role.spectrum.id
  policy = data.aws_iam_policy_document.spectrum.json
}

################################################################################
# Redshift Serverless
################################################################################

resource "aws_security_group" "redshift" {
  name        = "${var.name}-redshift"
  description = "Redshift Serverless workgroup; ingress is added by the clients' modules"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-redshift" })
}

# Enhanced VPC routing sends Spectrum/COPY traffic through the VPC: S3 via the
# gateway endpoint, Glue/STS via NAT or endpoints, all on HTTPS.
resource "aws_vpc_security_group_egress_rule" "redshift_https" {
  security_group_id = aws_security_group.redshift.id
  description       = "HTTPS to S3 (gateway endpoint), Glue and STS"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_redshiftserverless_namespace" "this" {
  namespace_name = var.name
  db_name        = var.database_name
  admin_username = var.admin_username
  # Redshift generates the admin password and keeps it in Secrets Manager;
  # it never appears in Terraform variables, plans or state.
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  kms_key_id                       = var.kms_key_arn
  iam_roles                        = [aws_iam_role.spectrum.arn]
  default_iam_role_arn             = aws_iam_role.spectrum.arn
  # Audit logging to CloudWatch Logs: connections, users, every query.
  log_exports = ["connectionlog", "userlog", "useractivitylog"]
  tags        = var.tags
}

resource "aws_redshiftserverless_workgroup" "this" {
  namespace_name       = aws_redshiftserverless_namespace.this.namespace_name
  workgroup_name       = var.name
  base_capacity        = var.base_capacity_rpus
  max_capacity         = var.max_capacity_rpus
  subnet_ids           = var.subnet_ids
  security_group_ids   = [aws_security_group.redshift.id]
  publicly_accessible  = false
  enhanced_vpc_routing = true

  config_parameter {
    parameter_key   = "require_ssl"
    parameter_value = "true"
  }

  config_parameter {
    parameter_key   = "enable_user_activity_logging"
    parameter_value = "true"
  }

  tags = var.tags
}

# A hard monthly ceiling on compute so a runaway query cannot run up the bill.
resource "aws_redshiftserverless_usage_limit" "compute" {
  resource_arn  = aws_redshiftserverless_workgroup.this.arn
  usage_type    = "serverless-compute"
  amount        = var.monthly_rpu_hours_limit
  period        = "monthly"
  breach_action = var.usage_limit_breach_action
}
