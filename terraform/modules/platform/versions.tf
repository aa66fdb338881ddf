terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
      # The docs site's CloudFront certificate, WAF (CLOUDFRONT scope) and
      # Lambda@Edge live in us-east-1; each environment passes that provider in.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
