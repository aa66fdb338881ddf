# This environment's inputs, set in terraform.tfvars (see terraform.tfvars.example).
# modules/platform validates the values it uses; aws_account_id is checked here.

variable "aws_account_id" {
  description = "AWS account this environment deploys to; the provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "Give the 12-digit AWS account ID."
  }
}

variable "region" {
  description = "AWS region of the platform."
  type        = string
  default     = "us-east-1"
}

variable "brand" {
  description = "Short lowercase brand slug used in every resource name (e.g. artisanglow)."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the environment's VPC."
  type        = string
  default     = "10.41.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones to use, named explicitly so the layout never changes when AWS adds a zone (two or three)."
  type        = list(string)
}

variable "dagster_domain_name" {
  description = "Host name of the Dagster UI (e.g. dagster.analytics.example.com)."
  type        = string
}

variable "dagster_certificate_arn" {
  description = "ACM certificate in var.region covering dagster_domain_name."
  type        = string
}

variable "docs_domain_name" {
  description = "Host name of the dbt docs site (e.g. docs.analytics.example.com)."
  type        = string
}

variable "docs_certificate_arn" {
  description = "ACM certificate in us-east-1 covering docs_domain_name (CloudFront requirement)."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of both host names; null if DNS is managed elsewhere."
  type        = string
  default     = null
}

variable "cognito_domain_prefix" {
  description = "Globally unique Cognito hosted-UI prefix (e.g. artisanglow-prod-analytics)."
  type        = string
}

variable "allowed_ingress_cidrs" {
  description = "Networks allowed to reach the Dagster UI load balancer (sign-in is still required)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "image_tag" {
  description = "Immutable tag (git SHA) of the code-location image pushed to this environment's ECR repository."
  type        = string
}

variable "cpu_architecture" {
  description = "Architecture the image was built for: X86_64 or ARM64."
  type        = string
  default     = "X86_64"
}

variable "commerce_timezone" {
  description = "The brand's time zone (COMMERCE_TIMEZONE)."
  type        = string
  default     = "America/New_York"
}

variable "commerce_reporting_currency" {
  description = "Reporting currency (COMMERCE_REPORTING_CURRENCY)."
  type        = string
  default     = "USD"
}

variable "alarm_emails" {
  description = "Addresses that receive alarm notifications."
  type        = list(string)
  default     = []
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
