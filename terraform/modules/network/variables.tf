variable "name" {
  description = "Name prefix for network resources."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC; /16 to /20 leaves room for the /4-split subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones to spread subnets over (at least two: RDS and the load balancer need two)."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 8
    error_message = "Give between two and eight availability zones."
  }
}

variable "nat_gateway_mode" {
  description = "Egress for private subnets: none (endpoints only; API connectors cannot reach the internet), single (one NAT gateway) or per_az."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be none, single or per_az."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface endpoints from the private subnets (service suffixes of com.amazonaws.<region>.)."
  type        = list(string)
  default     = ["secretsmanager", "ecr.api", "ecr.dkr", "logs", "sts"]
}

variable "kms_key_arn" {
  description = "KMS key ARN that encrypts the flow-log log group."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow logs."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
