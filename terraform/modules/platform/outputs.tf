output "lake_uri" {
  description = "COMMERCE_LAKE for this environment."
  value       = module.lake.lake_uri
}

output "lake_bucket" {
  description = "Lake bucket name (drop exports into s3://<bucket>/inbox/)."
  value       = module.lake.lake_bucket_id
}

output "ecr_repository_url" {
  description = "Where to push the code-location image."
  value       = module.orchestration.ecr_repository_url
}

output "dagster_ui_url" {
  description = "Dagster UI (Cognito sign-in)."
  value       = module.orchestration.ui_url
}

output "load_balancer_dns_name" {
  description = "Point the Dagster host name here when Route 53 is not managed by this configuration."
  value       = module.orchestration.load_balancer_dns_name
}

output "docs_url" {
  description = "dbt docs site (Cognito sign-in)."
  value       = module.docs_site.url
}

output "docs_distribution_domain_name" {
  description = "Point the docs host name here when Route 53 is not managed by this configuration."
  value       = module.docs_site.distribution_domain_name
}

output "cognito_user_pool_id" {
  description = "User pool to invite analysts and owners into."
  value       = module.auth.user_pool_id
}

output "ecs_cluster_name" {
  description = "ECS cluster running Dagster."
  value       = module.orchestration.cluster_name
}

output "dbt_prod_target" {
  description = "Non-secret settings of the dbt `prod` target (the password is in redshift_admin_secret_arn)."
  value = {
    DBT_TARGET                 = "prod"
    REDSHIFT_HOST              = module.warehouse.host
    REDSHIFT_PORT              = module.warehouse.port
    REDSHIFT_DATABASE          = module.warehouse.database_name
    REDSHIFT_USER              = module.warehouse.admin_username
    REDSHIFT_SPECTRUM_ROLE_ARN = module.warehouse.spectrum_role_arn
    GLUE_DATABASE              = module.warehouse.glue_database_name
  }
}

output "redshift_admin_secret_arn" {
  description = "Secrets Manager secret with the Redshift admin password (REDSHIFT_PASSWORD)."
  value       = module.warehouse.admin_secret_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the platform alarms."
  value       = module.orchestration.alarm_topic_arn
}

output "connectors_secret_arn" {
  description = "Secrets Manager secret holding the connector settings as JSON (docs/connectors.md)."
  value       = module.orchestration.connectors_secret_arn
}
