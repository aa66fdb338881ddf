locals {
  default_tags = {
    Project     = "commerce-analytics"
    Brand       = var.brand
    Environment = local.environment
    ManagedBy   = "terraform"
    Repository  = "commerce-analytics/terraform/envs/${local.environment}"
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.default_tags
  }
}

# CloudFront's certificate, WAF and Lambda@Edge must be created in us-east-1.
provider "aws" {
  alias               = "us_east_1"
  region              = "us-east-1"
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.default_tags
  }
}
