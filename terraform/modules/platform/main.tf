# The whole platform of one environment: every module, wired together once.
# terraform/envs/<env> call this with their own sizes; nothing here differs
# between environments.

locals {
  name      = "${var.brand}-${var.environment}"
  glue_name = "${replace(local.name, "-", "_")}_landed"
}

module "kms" {
  source = "../kms"

  name = local.name
}

module "network" {
  source = "../network"

  name                    = local.name
  cidr_block              = var.vpc_cidr
  availability_zones      = var.availability_zones
  nat_gateway_mode        = var.sizes.nat_gateway_mode
  kms_key_arn             = module.kms.key_arn
  flow_log_retention_days = var.sizes.log_retention_days
}

module "lake" {
  source = "../lake"

  name                       = local.name
  kms_key_arn                = module.kms.key_arn
  raw_archive_days           = var.sizes.raw_archive_days
  quarantine_expiration_days = var.sizes.quarantine_expiry_days
  enable_inbox_notifications = var.sizes.enable_inbox_eventqueue
  force_destroy              = var.sizes.force_destroy
}

module "warehouse" {
  source = "../warehouse"

  name                    = local.name
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.private_subnet_ids
  kms_key_arn             = module.kms.key_arn
  lake_bucket_id          = module.lake.lake_bucket_id
  lake_bucket_arn         = module.lake.lake_bucket_arn
  glue_database_name      = local.glue_name
  base_capacity_rpus      = var.sizes.redshift_base_rpus
  max_capacity_rpus       = var.sizes.redshift_max_rpus
  monthly_rpu_hours_limit = var.sizes.redshift_monthly_limit
}

module "auth" {
  source = "../auth"

  name                = local.name
  domain_prefix       = var.cognito_domain_prefix
  dagster_domain_name = var.dagster_domain_name
  docs_domain_name    = var.docs_domain_name
  deletion_protection = var.sizes.deletion_protection
}

module "docs_site" {
  source = "../docs_site"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name                    = local.name
  domain_name             = var.docs_domain_name
  certificate_arn         = var.docs_certificate_arn
  route53_zone_id         = var.route53_zone_id
  logs_bucket_id          = module.lake.logs_bucket_id
  logs_bucket_domain_name = module.lake.logs_bucket_domain_name
  cognito_issuer          = module.auth.issuer
  cognito_client_id       = module.auth.docs_client_id
  cognito_hosted_domain   = module.auth.hosted_domain
  log_retention_days      = var.sizes.log_retention_days
  force_destroy           = var.sizes.force_destroy
}

module "orchestration" {
  source = "../orchestration"

  name               = local.name
  vpc_id             = module.network.vpc_id
  public_subnet_ids  = module.network.public_subnet_ids
  private_subnet_ids = module.network.private_subnet_ids
  kms_key_arn        = module.kms.key_arn
  image_tag          = var.image_tag
  cpu_architecture   = var.cpu_architecture

  lake_uri              = module.lake.lake_uri
  lake_bucket_arn       = module.lake.lake_bucket_arn
  logs_bucket_id        = module.lake.logs_bucket_id
  docs_bucket_id        = module.docs_site.bucket_id
  docs_bucket_arn       = module.docs_site.bucket_arn
  docs_kms_key_arn      = module.docs_site.kms_key_arn
  docs_distribution_id  = module.docs_site.distribution_id
  docs_distribution_arn = module.docs_site.distribution_arn

  redshift_host              = module.warehouse.host
  redshift_port              = module.warehouse.port
  redshift_database          = module.warehouse.database_name
  redshift_user              = module.warehouse.admin_username
  redshift_admin_secret_arn  = module.warehouse.admin_secret_arn
  redshift_spectrum_role_arn = module.warehouse.spectrum_role_arn
  redshift_security_group_id = module.warehouse.security_group_id
  glue_database_name         = module.warehouse.glue_database_name

  commerce_timezone           = var.commerce_timezone
  commerce_reporting_currency = var.commerce_reporting_currency
  connector_settings          = var.connector_settings

  domain_name              = var.dagster_domain_name
  certificate_arn          = var.dagster_certificate_arn
  route53_zone_id          = var.route53_zone_id
  allowed_ingress_cidrs    = var.allowed_ingress_cidrs
  cognito_user_pool_arn    = module.auth.user_pool_arn
  cognito_client_id        = module.auth.dagster_client_id
  cognito_user_pool_domain = module.auth.user_pool_domain

  run_cpu                  = var.sizes.run_cpu
  run_memory               = var.sizes.run_memory
  db_instance_class        = var.sizes.db_instance_class
  db_multi_az              = var.sizes.db_multi_az
  db_backup_retention_days = var.sizes.db_backup_days
  deletion_protection      = var.sizes.deletion_protection
  log_retention_days       = var.sizes.log_retention_days
  force_destroy            = var.sizes.force_destroy
  alarm_emails             = var.alarm_emails
}
