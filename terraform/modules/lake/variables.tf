variable "name" {
  description = "Name prefix (e.g. artisanglow-prod); bucket names append the account ID for global uniqueness."
  type        = string
}

variable "lake_bucket_name" {
  description = "Override for the lake bucket name; null derives <name>-lake-<account-id>."
  type        = string
  default     = null
}

variable "logs_bucket_name" {
  description = "Override for the access-log bucket name; null derives <name>-access-logs-<account-id>."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for the lake bucket and the inbox queue."
  type        = string
}

variable "raw_infrequent_access_days" {
  description = "Days after which raw/ objects move to STANDARD_IA (minimum 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.raw_infrequent_access_days >= 30
    error_message = "S3 allows STANDARD_IA transitions only after 30 days."
  }
}

variable "raw_archive_days" {
  description = "Days after which raw/ objects move to the archive storage class; must exceed raw_infrequent_access_days by 30 or more."
  type        = number
  default     = 180
}

variable "raw_archive_storage_class" {
  description = "Archive class for raw/. GLACIER_IR keeps `ingest --reprocess` instant; GLACIER or DEEP_ARCHIVE are cheaper but need a restore first."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.raw_archive_storage_class)
    error_message = "Use GLACIER_IR, GLACIER or DEEP_ARCHIVE."
  }
}

variable "quarantine_expiration_days" {
  description = "Days after which quarantined rows are deleted."
  type        = number
  default     = 90
}

variable "noncurrent_version_expiration_days" {
  description = "Days to keep overwritten or deleted object versions."
  type        = number
  default     = 90
}

variable "access_log_retention_days" {
  description = "Days to keep S3, ALB and CloudFront access logs."
  type        = number
  default     = 365
}

variable "enable_inbox_notifications" {
  description = "Also route inbox/ object-created events to an SQS queue (the Dagster sensor lists inbox/ and works without it)."
  type        = bool
  default     = false
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets (only for throwaway environments)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
