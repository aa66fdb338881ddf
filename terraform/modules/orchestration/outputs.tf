output "ecr_repository_url" {
  description = "ECR repository to push the code-location image to."
  value       = aws_ecr_repository.this.repository_url
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "webserver_service_name" {
  description = "ECS service of the Dagster webserver."
  value       = aws_ecs_service.webserver.name
}

output "daemon_service_name" {
  description = "ECS service of the Dagster daemon."
  value       = aws_ecs_service.daemon.name
}

output "run_task_definition_family" {
  description = "Task definition family EcsRunLauncher starts runs from."
  value       = local.run_family
}

output "ui_url" {
  description = "URL of the Dagster UI."
  value       = "https://${var.domain_name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer; point domain_name at it if Route 53 is not managed here."
  value       = aws_lb.this.dns_name
}

output "postgres_address" {
  description = "Endpoint of Dagster's PostgreSQL."
  value       = aws_db_instance.dagster.address
}

output "postgres_secret_arn" {
  description = "RDS-managed secret holding Dagster's database credentials."
  value       = aws_db_instance.dagster.master_user_secret[0].secret_arn
}

output "customer_salt_secret_arn" {
  description = "Secret holding COMMERCE_CUSTOMER_HASH_SALT."
  value       = aws_secretsmanager_secret.customer_salt.arn
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to."
  value       = aws_sns_topic.alarms.arn
}

output "task_security_group_id" {
  description = "Security group of the Dagster tasks."
  value       = aws_security_group.tasks.id
}

output "run_environment_names" {
  description = "Environment variable names (plain and secret) a run task receives."
  value       = sort(concat(keys(local.common_environment), keys(local.run_secrets)))
}

output "connectors_secret_arn" {
  description = "Secrets Manager secret holding the connector settings as JSON (docs/connectors.md)."
  value       = aws_secretsmanager_secret.connectors.arn
}
