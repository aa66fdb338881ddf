variable "name" {
  description = "Name of the user pool and prefix of its app clients."
  type        = string
}

variable "domain_prefix" {
  description = "Globally unique prefix of the Cognito hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com)."
  type        = string
}

variable "dagster_domain_name" {
  description = "Host name of the Dagster UI (e.g. dagster.example.com); its /oauth2/idpresponse is the ALB callback."
  type        = string
}

variable "docs_domain_name" {
  description = "Host name of the dbt docs site (e.g. docs.example.com); its /_auth/callback is the edge function callback."
  type        = string
}

variable "mfa_configuration" {
  description = "Cognito MFA setting: ON (required, recommended) or OPTIONAL."
  type        = string
  default     = "ON"

  validation {
    condition     = contains(["ON", "OPTIONAL"], var.mfa_configuration)
    error_message = "Use ON or OPTIONAL."
  }
}

variable "deletion_protection" {
  description = "Protect the user pool from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "dashboard_groups" {
  description = "Cognito groups that are dashboard roles: finance (every page), marketing (overview, marketing, products), operations (restock, data health)."
  type        = list(string)
  default     = ["finance", "marketing", "operations"]
}
