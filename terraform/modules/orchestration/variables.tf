variable "name" {
  description = "Name prefix for the orchestration resources (e.g. artisanglow-prod)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tasks, database and load balancer."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets for the load balancer."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Private subnets for the Dagster tasks and PostgreSQL."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Platform KMS key (lake objects, secrets, logs, RDS, ECR, SNS)."
  type        = string
}

variable "image_tag" {
  description = "Tag of the code-location image in this module's ECR repository (tags are immutable; use the git SHA)."
  type        = string
}

variable "cpu_architecture" {
  description = "CPU architecture the image is built for: X86_64 or ARM64 (Graviton, about 20% cheaper)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "Use X86_64 or ARM64."
  }
}

variable "lake_uri" {
  description = "Lake root URI, s3://<bucket>/ (COMMERCE_LAKE)."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9.-]+/$", var.lake_uri))
    error_message = "lake_uri must look like s3://bucket/ (with the trailing slash)."
  }
}

variable "lake_bucket_arn" {
  description = "ARN of the lake bucket; task policies name each prefix under it."
  type        = string
}

variable "docs_bucket_id" {
  description = "Name of the dbt docs bucket (DBT_DOCS_BUCKET)."
  type        = string
}

variable "docs_bucket_arn" {
  description = "ARN of the dbt docs bucket run tasks publish to."
  type        = string
}

variable "docs_kms_key_arn" {
  description = "KMS key of the docs bucket."
  type        = string
}

variable "docs_distribution_id" {
  description = "CloudFront distribution ID of the docs site (DBT_DOCS_DISTRIBUTION_ID)."
  type        = string
}

variable "docs_distribution_arn" {
  description = "CloudFront distribution ARN of the docs site (runs invalidate it after an upload)."
  type        = string
}

variable "logs_bucket_id" {
  description = "Access-log bucket for the load balancer's logs."
  type        = string
}

variable "redshift_host" {
  description = "Redshift Serverless endpoint (REDSHIFT_HOST)."
  type        = string
}

variable "redshift_port" {
  description = "Redshift port (REDSHIFT_PORT)."
  type        = number
  default     = 5439
}

variable "redshift_database" {
  description = "Redshift database (REDSHIFT_DATABASE)."
  type        = string
}

variable "redshift_user" {
  description = "Redshift user dbt connects as (REDSHIFT_USER)."
  type        = string
}

variable "redshift_admin_secret_arn" {
  description = "Secrets Manager secret whose JSON key `password` becomes REDSHIFT_PASSWORD in run tasks."
  type        = string
}

variable "redshift_spectrum_role_arn" {
  description = "IAM role Redshift assumes for Spectrum and COPY (REDSHIFT_SPECTRUM_ROLE_ARN)."
  type        = string
}

variable "redshift_security_group_id" {
  description = "Security group of the Redshift workgroup; this module allows the tasks in."
  type        = string
}

variable "glue_database_name" {
  description = "Glue database of the landed tables (GLUE_DATABASE)."
  type        = string
}

variable "commerce_timezone" {
  description = "The brand's time zone for order and refund days (COMMERCE_TIMEZONE)."
  type        = string
  default     = "America/New_York"
}

variable "commerce_reporting_currency" {
  description = "ISO currency every amount is converted to (COMMERCE_REPORTING_CURRENCY)."
  type        = string
  default     = "USD"

  validation {
    condition     = can(regex("^[A-Z]{3}$", var.commerce_reporting_currency))
    error_message = "Use a three-letter ISO 4217 code."
  }
}

variable "domain_name" {
  description = "Host name of the Dagster UI (e.g. dagster.analytics.example.com)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate (in this region) covering domain_name for the HTTPS listener."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone for domain_name; null skips the alias records."
  type        = string
  default     = null
}

variable "allowed_ingress_cidrs" {
  description = "Networks allowed to reach the load balancer (Cognito still authenticates every request)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "cognito_user_pool_arn" {
  description = "Cognito user pool that authenticates the UI."
  type        = string
}

variable "cognito_client_id" {
  description = "Cognito app client (with secret) used by the load balancer."
  type        = string
}

variable "cognito_user_pool_domain" {
  description = "Cognito hosted domain prefix."
  type        = string
}

variable "ui_session_timeout_seconds" {
  description = "How long a UI sign-in lasts before Cognito is asked again."
  type        = number
  default     = 43200
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes before WAF blocks it (the UI polls, keep this generous)."
  type        = number
  default     = 5000
}

variable "webserver_cpu" {
  description = "Fargate CPU units of the webserver task."
  type        = number
  default     = 512
}

variable "webserver_memory" {
  description = "Fargate memory (MiB) of the webserver task."
  type        = number
  default     = 2048
}

variable "daemon_cpu" {
  description = "Fargate CPU units of the daemon task."
  type        = number
  default     = 512
}

variable "daemon_memory" {
  description = "Fargate memory (MiB) of the daemon task."
  type        = number
  default     = 2048
}

variable "run_cpu" {
  description = "Fargate CPU units of each run task (ingestion + dbt)."
  type        = number
  default     = 1024
}

variable "run_memory" {
  description = "Fargate memory (MiB) of each run task."
  type        = number
  default     = 4096
}

variable "postgres_major_version" {
  description = "PostgreSQL major version of Dagster's storage."
  type        = string
  default     = "16"
}

variable "db_instance_class" {
  description = "RDS instance class of Dagster's storage."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_allocated_storage_gb" {
  description = "Initial storage of Dagster's database (GiB)."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling (GiB)."
  type        = number
  default     = 100
}

variable "db_multi_az" {
  description = "Run Dagster's database with a standby in a second AZ."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups."
  type        = number
  default     = 7
}

variable "db_performance_insights_enabled" {
  description = "Enable Performance Insights (not available on micro instance classes)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the database and load balancer from deletion."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days to keep ECS and WAF logs."
  type        = number
  default     = 90
}

variable "ecr_images_to_keep" {
  description = "Number of images kept in ECR."
  type        = number
  default     = 30
}

variable "alarm_emails" {
  description = "Email addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty ECR repository."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "connector_settings" {
  description = "Connector settings present as keys of the connectors secret (e.g. SHOPIFY_SHOP_URL, SHOPIFY_ACCESS_TOKEN); each is injected into run tasks. List a key only once the secret holds it: ECS refuses to start a task whose secret key is missing."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.connector_settings : can(regex("^(SHOPIFY|META|AMAZON|GOOGLE_ADS)_[A-Z0-9_]+$", s))])
    error_message = "connector_settings holds setting names such as SHOPIFY_ACCESS_TOKEN or META_AD_ACCOUNT_IDS (docs/connectors.md)."
  }
}
