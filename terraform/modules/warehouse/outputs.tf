output "host" {
  description = "Workgroup endpoint address (REDSHIFT_HOST)."
  value       = aws_redshiftserverless_workgroup.this.endpoint[0].address
}

output "port" {
  description = "Workgroup endpoint port (REDSHIFT_PORT)."
  value       = aws_redshiftserverless_workgroup.this.endpoint[0].port
}

output "database_name" {
  description = "Database dbt builds into (REDSHIFT_DATABASE)."
  value       = aws_redshiftserverless_namespace.this.db_name
}

output "admin_username" {
  description = "Admin user name (REDSHIFT_USER until a dedicated dbt user is created)."
  value       = var.admin_username
}

output "admin_secret_arn" {
  description = "Secrets Manager secret (JSON with username and password) that Redshift manages for the admin user."
  value       = aws_redshiftserverless_namespace.this.admin_password_secret_arn
}

output "spectrum_role_arn" {
  description = "IAM role for Spectrum and COPY (REDSHIFT_SPECTRUM_ROLE_ARN)."
  value       = aws_iam_role.spectrum.arn
}

output "glue_database_name" {
  description = "Glue catalog database of the landed tables (GLUE_DATABASE)."
  value       = aws_glue_catalog_database.landed.name
}

output "security_group_id" {
  description = "Security group of the workgroup; clients add ingress rules to it."
  value       = aws_security_group.redshift.id
}

output "workgroup_name" {
  description = "Name of the Redshift Serverless workgroup."
  value       = aws_redshiftserverless_workgroup.this.workgroup_name
}

output "namespace_name" {
  description = "Name of the Redshift Serverless namespace."
  value       = aws_redshiftserverless_namespace.this.namespace_name
}
