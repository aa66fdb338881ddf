locals {
  environment = "dev"
}

# Dev is for trying changes against real AWS services at the lowest cost:
# small, single-AZ, short retention, and easy to tear down.
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
