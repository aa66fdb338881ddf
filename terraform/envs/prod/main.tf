locals {
  environment = "prod"
}

# Sizes for a small brand in production (see docs/deploying-to-aws.md for cost).
module "platform" {
  source = "../../modules/platform"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment = local.environment
  sizes = {
    nat_gateway_mode        = "single"
    redshift_base_rpus      = 8
    redshift_max_rpus       = 64
    redshift_monthly_limit  = 300
    db_instance_class       = "db.t4g.small"
    db_multi_az             = true
    db_backup_days          = 14
    run_cpu                 = 2048
    run_memory              = 8192
    log_retention_days      = 365
    deletion_protection     = true
    force_destroy           = false
    raw_archive_days        = 180
    quarantine_expiry_days  = 90
    enable_inbox_eventqueue = false
  }

  brand                       = var.brand
  vpc_cidr                    = var.vpc_cidr
  availability_zones          = var.availability_zones
  dagster_domain_name         = var.dagster_domain_name
  dagster_certificate_arn     = var.dagster_certificate_arn
  docs_domain_name            = var.docs_domain_name
  docs_certificate_arn        = var.docs_certificate_arn
  route53_zone_id             = var.route53_zone_id
  cognito_domain_prefix       = var.cognito_domain_prefix
  allowed_ingress_cidrs       = var.allowed_ingress_cidrs
  image_tag                   = var.image_tag
  cpu_architecture            = var.cpu_architecture
  commerce_timezone           = var.commerce_timezone
  commerce_reporting_currency = var.commerce_reporting_currency
  connector_settings          = var.connector_settings
  alarm_emails                = var.alarm_emails
}
