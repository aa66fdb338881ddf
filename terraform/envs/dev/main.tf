locals {
  environment = "dev"
  name        = "${var.brand}-${local.environment}"
  glue_name   = "${replace(local.name, "-", "_")}_landed"

  # Dev is for trying changes against real AWS services at the lowest cost:
  # small, single-AZ, short retention, and easy to tear down.
  sizes = {
    nat_gateway_mode        = "single"
    redshift_base_rpus      = 8
    redshift_max_rpus       = 16
    redshift_monthly_limit  = 60
    db_instance_class       = "db.t4g.micro"
    db_multi_az             = false
    db_backup_days          = 3
    run_cpu                 = 1024
    run_memory              = 4096
    log_retention_days      = 365
    deletion_protection     = false
    force_destroy           = true
    raw_archive_days        = 90
    quarantine_expiry_days  = 30
    enable_inbox_eventqueue = false
  }
}

module "kms" {
  source = "../../modules/kms"

  name = local.name
}

module "network" {
  source = "../../modules/network"

  name                    = local.name
  cidr_block              = var.vpc_cidr
  availability_zones      = var.availability_zones
  nat_gateway_mode        = local.sizes.nat_gateway_mode
  kms_key_arn             = module.kms.key_arn
  flow_log_retention_days = local.sizes.log_retention_days
}

module "lake" {
  source = "../../modules/lake"

  name                       = local.name
  kms_key_arn                = module.kms.key_arn
  raw_archive_days           = local.sizes.raw_archive_days
  quarantine_expiration_days = local.sizes.quarantine_expiry_days
  enable_inbox_notifications = local.sizes.enable_inbox_eventqueue
  force_destroy              = local.sizes.force_destroy
}

module "warehouse" {
  source = "../../modules/warehouse"

  name                    = local.name
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.private_subnet_ids
  kms_key_arn             = module.kms.key_arn
  lake_bucket_id          = module.lake.lake_bucket_id
  lake_bucket_arn         = module.lake.lake_bucket_arn
  glue_database_name      = local.glue_name
  base_capacity_rpus      = local.sizes.redshift_base_rpus
  max_capacity_rpus       = local.sizes.redshift_max_rpus
  monthly_rpu_hours_limit = local.sizes.redshift_monthly_limit
}

module "auth" {
  source = "../../modules/auth"

  name                = local.name
  domain_prefix       = var.cognito_domain_prefix
  dagster_domain_name = var.dagster_domain_name
  docs_domain_name    = var.docs_domain_name
  deletion_protection = local.sizes.deletion_protection
}

module "docs_site" {
  source = "../../modules/docs_site"
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
  log_retention_days      = local.sizes.log_retention_days
  force_destroy           = local.sizes.force_destroy
}

module "orchestration" {
  source = "../../modules/orchestration"

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

  domain_name              = var.dagster_domain_name
  certificate_arn          = var.dagster_certificate_arn
  route53_zone_id          = var.route53_zone_id
  allowed_ingress_cidrs    = var.allowed_ingress_cidrs
  cognito_user_pool_arn    = module.auth.user_pool_arn
  cognito_client_id        = module.auth.dagster_client_id
  cognito_user_pool_domain = module.auth.user_pool_domain

  run_cpu                  = local.sizes.run_cpu
  run_memory               = local.sizes.run_memory
  db_instance_class        = local.sizes.db_instance_class
  db_multi_az              = local.sizes.db_multi_az
  db_backup_retention_days = local.sizes.db_backup_days
  deletion_protection      = local.sizes.deletion_protection
  log_retention_days       = local.sizes.log_retention_days
  force_destroy            = local.sizes.force_destroy
  alarm_emails             = var.alarm_emails
}
