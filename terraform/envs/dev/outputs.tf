# The platform's outputs under the same names (docs/deploying-to-aws.md uses them).

output "lake_uri" {
  description = "COMMERCE_LAKE for this environment."
  value       = module.platform.lake_uri
}

output "lake_bucket" {
  description = "Lake bucket name (drop exports into s3://<bucket>/inbox/)."
  value       = module.platform.lake_bucket
}

output "ecr_repository_url" {
  description = "Where to push the code-location image."
  value       = module.platform.ecr_repository_url
}

output "dagster_ui_url" {
  description = "Dagster UI (Cognito sign-in)."
  value       = module.platform.dagster_ui_url
}

output "load_balancer_dns_name" {
  description = "Point the Dagster host name here when Route 53 is not managed by this configuration."
  value       = module.platform.load_balancer_dns_name
}

output "docs_url" {
  description = "dbt docs site (Cognito sign-in)."
  value       = module.platform.docs_url
}

output "docs_distribution_domain_name" {
  description = "Point the docs host name here when Route 53 is not managed by this configuration."
  value       = module.platform.docs_distribution_domain_name
}

output "cognito_user_pool_id" {
  description = "User pool to invite analysts and owners into."
  value       = module.platform.cognito_user_pool_id
}

output "ecs_cluster_name" {
  description = "ECS cluster running Dagster."
  value       = module.platform.ecs_cluster_name
}

output "dbt_prod_target" {
  description = "Non-secret settings of the dbt `prod` target (the password is in redshift_admin_secret_arn)."
  value       = module.platform.dbt_prod_target
}

output "redshift_admin_secret_arn" {
  description = "Secrets Manager secret with the Redshift admin password (REDSHIFT_PASSWORD)."
  value       = module.platform.redshift_admin_secret_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the platform alarms."
  value       = module.platform.alarm_topic_arn
}

output "connectors_secret_arn" {
  description = "Secrets Manager secret holding the connector settings as JSON (docs/connectors.md)."
  value       = module.platform.connectors_secret_arn
}
