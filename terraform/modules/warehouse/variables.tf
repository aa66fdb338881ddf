variable "name" {
  description = "Name of the namespace and workgroup, and prefix of the Spectrum role."
  type        = string
}

variable "vpc_id" {
  description = "VPC that hosts the workgroup."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the workgroup (at least three AZs are recommended by AWS; two work for small brands)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the namespace, its admin secret and the lake objects Spectrum decrypts."
  type        = string
}

variable "lake_bucket_id" {
  description = "Name of the lake bucket."
  type        = string
}

variable "lake_bucket_arn" {
  description = "ARN of the lake bucket; the Spectrum role reads only its landed/ prefix."
  type        = string
}

variable "glue_database_name" {
  description = "Glue catalog database holding the landed tables (becomes GLUE_DATABASE)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "Glue database names are lowercase letters, digits and underscores."
  }
}

variable "database_name" {
  description = "Redshift database dbt builds into (becomes REDSHIFT_DATABASE)."
  type        = string
  default     = "commerce"
}

variable "admin_username" {
  description = "Admin user name; its password is generated and stored by Redshift in Secrets Manager."
  type        = string
  default     = "commerce_admin"
}

variable "base_capacity_rpus" {
  description = "Base Redshift Processing Units (8 is the smallest in most regions)."
  type        = number
  default     = 8
}

variable "max_capacity_rpus" {
  description = "Upper bound on RPUs the workgroup may scale to."
  type        = number
  default     = 32
}

variable "monthly_rpu_hours_limit" {
  description = "Monthly RPU-hour ceiling for the usage limit."
  type        = number
  default     = 200
}

variable "usage_limit_breach_action" {
  description = "What happens at the ceiling: log, emit-metric or deactivate."
  type        = string
  default     = "emit-metric"

  validation {
    condition     = contains(["log", "emit-metric", "deactivate"], var.usage_limit_breach_action)
    error_message = "Use log, emit-metric or deactivate."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
