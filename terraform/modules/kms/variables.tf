variable "name" {
  description = "Name prefix for the key alias (alias/<name>)."
  type        = string
}

variable "rotation_period_in_days" {
  description = "Days between automatic key rotations (90-2560)."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "rotation_period_in_days must be between 90 and 2560."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion completes (7-30 days)."
  type        = number
  default     = 30
}

variable "additional_policy_statements" {
  description = "Extra key policy statements (objects in IAM JSON form) appended to the defaults."
  type        = list(any)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
