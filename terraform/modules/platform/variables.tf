variable "environment" {
  description = "Environment name (dev, prod); part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "Use 2-10 lowercase letters or digits, starting with a letter."
  }
}

variable "brand" {
  description = "Short lowercase brand slug used in every resource name (e.g. artisanglow)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.brand))
    error_message = "Use 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "sizes" {
  description = <<-EOT
    What an environment trades between cost and resilience:
    nat_gateway_mode ("single" or one per zone), Redshift Serverless base/max
    RPUs and monthly RPU-hour limit, the Dagster database class, multi-AZ and
    backup days, run task CPU/memory, log retention days, deletion protection,
    force_destroy of buckets and repositories, raw archive and quarantine
    expiry days, and whether the inbox sends events to a queue.
  EOT
  type = object({
    nat_gateway_mode        = string
    redshift_base_rpus      = number
    redshift_max_rpus       = number
    redshift_monthly_limit  = number
    db_instance_class       = string
    db_multi_az             = bool
    db_backup_days          = number
    run_cpu                 = number
    run_memory              = number
    log_retention_days      = number
    deletion_protection     = bool
    force_destroy           = bool
    raw_archive_days        = number
    quarantine_expiry_days  = number
    enable_inbox_eventqueue = bool
  })
}

variable "vpc_cidr" {
  description = "CIDR of the environment's VPC."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones to use, named explicitly so the layout never changes when AWS adds a zone (two or three)."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "Give two or three availability zones."
  }
}

variable "dagster_domain_name" {
  description = "Host name of the Dagster UI."
  type        = string
}

variable "dagster_certificate_arn" {
  description = "ACM certificate in the default provider's region covering dagster_domain_name."
  type        = string
}

variable "docs_domain_name" {
  description = "Host name of the dbt docs site."
  type        = string
}

variable "docs_certificate_arn" {
  description = "ACM certificate in us-east-1 covering docs_domain_name (CloudFront requirement)."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of both host names; null if DNS is managed elsewhere."
  type        = string
}

variable "cognito_domain_prefix" {
  description = "Globally unique Cognito hosted-UI prefix."
  type        = string
}

variable "allowed_ingress_cidrs" {
  description = "Networks allowed to reach the Dagster UI load balancer (sign-in is still required)."
  type        = list(string)
}

variable "image_tag" {
  description = "Immutable tag (git SHA) of the code-location image in the environment's ECR repository."
  type        = string
}

variable "cpu_architecture" {
  description = "Architecture the image was built for: X86_64 or ARM64."
  type        = string
}

variable "commerce_timezone" {
  description = "The brand's time zone (COMMERCE_TIMEZONE)."
  type        = string
}

variable "commerce_reporting_currency" {
  description = "Reporting currency (COMMERCE_REPORTING_CURRENCY)."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses that receive alarm notifications."
  type        = list(string)
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
