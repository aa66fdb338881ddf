variable "name" {
  description = "Name prefix for the docs site resources."
  type        = string
}

variable "domain_name" {
  description = "Host name of the docs site (e.g. docs.analytics.example.com)."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of an issued ACM certificate in us-east-1 covering domain_name (CloudFront only reads certificates from us-east-1)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.certificate_arn))
    error_message = "CloudFront certificates must be in us-east-1."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone for domain_name; null skips the alias records (create the DNS record yourself)."
  type        = string
  default     = null
}

variable "bucket_name" {
  description = "Override for the docs bucket name; null derives <name>-dbt-docs-<account-id>."
  type        = string
  default     = null
}

variable "logs_bucket_id" {
  description = "Access-log bucket name (S3 server access logs)."
  type        = string
}

variable "logs_bucket_domain_name" {
  description = "Access-log bucket domain name (CloudFront standard logs)."
  type        = string
}

variable "cognito_issuer" {
  description = "OIDC issuer URL of the Cognito user pool (https://cognito-idp.<region>.amazonaws.com/<pool-id>)."
  type        = string
}

variable "cognito_client_id" {
  description = "Public (PKCE) app client ID for the docs site."
  type        = string
}

variable "cognito_hosted_domain" {
  description = "Fully qualified Cognito hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com)."
  type        = string
}

variable "price_class" {
  description = "CloudFront price class; PriceClass_100 (North America and Europe) is cheapest."
  type        = string
  default     = "PriceClass_100"
}

variable "rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes before WAF blocks it."
  type        = number
  default     = 2000
}

variable "log_retention_days" {
  description = "Days to keep WAF logs."
  type        = number
  default     = 365
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty docs bucket."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "dashboard_access" {
  description = "Dashboard page folder (under /dashboard/) -> the Cognito groups that may read it; the edge function returns 403 to others."
  type        = map(list(string))
  default = {
    overview      = ["finance", "marketing"]
    "channel-pnl" = ["finance"]
    products      = ["finance", "marketing"]
    marketing     = ["finance", "marketing"]
    restock       = ["finance", "operations"]
    "data-health" = ["finance", "operations"]
  }
}

variable "dashboard_full_access" {
  description = "Cognito groups that read every dashboard page, including pages added later."
  type        = list(string)
  default     = ["finance"]
}
