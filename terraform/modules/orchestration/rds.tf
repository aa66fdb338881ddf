resource "aws_db_subnet_group" "dagster" {
  name       = "${var.name}-dagster"
  subnet_ids = var.private_subnet_ids
  tags       = var.tags
}

resource "aws_db_parameter_group" "dagster" {
  name        = "${var.name}-dagster-pg${var.postgres_major_version}"
  family      = "postgres${var.postgres_major_version}"
  description = "Dagster storage: TLS required, slow statements logged"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  tags = var.tags
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "dagster" {
  #checkov:skip=CKV_AWS_293:deletion_protection is per environment (prod true); dev databases are torn down with the environment and keep a final snapshot.
  #checkov:skip=CKV_AWS_157:multi_az is set per environment (prod true); a single-AZ dev database is a deliberate cost choice and Dagster storage is recoverable from backups.
  #checkov:skip=CKV_AWS_353:Performance Insights is opt-in per environment (db_performance_insights_enabled): Dagster's storage load is light and Enhanced Monitoring plus slow-statement logs cover it.
  #checkov:skip=CKV_AWS_354:Performance Insights, where enabled, is encrypted with the platform key (performance_insights_kms_key_id); the check fires on environments that leave it off.
  identifier     = "${var.name}-dagster"
  engine         = "postgres"
  engine_version = var.postgres_major_version
  instance_class = var.db_instance_class
  db_name        = "dagster"
  username       = "dagster"
  # RDS generates the password and keeps it (rotated) in Secrets Manager.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  allocated_storage     = var.db_allocated_storage_gb
  max_allocated_storage = var.db_max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.dagster.name
  vpc_security_group_ids = [aws_security_group.postgres.id]
  publicly_accessible    = false
  multi_az               = var.db_multi_az
  parameter_group_name   = aws_db_parameter_group.dagster.name

  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  backup_retention_period             = var.db_backup_retention_days
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-dagster-final"
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.rds_monitoring.arn
  performance_insights_enabled        = var.db_performance_insights_enabled
  performance_insights_kms_key_id     = var.db_performance_insights_enabled ? var.kms_key_arn : null

  tags = var.tags
}
