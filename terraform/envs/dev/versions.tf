terraform {
  # 1.11+: write-only arguments keep generated secrets out of state.
  required_version = "~> 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
  }

  # Remote state per environment. Bucket and region come from backend.hcl
  # (see backend.hcl.example) so no account detail is committed:
  #   terraform init -backend-config=backend.hcl
  backend "s3" {
    key          = "commerce-analytics/dev/terraform.tfstate"
    encrypt      = true
    use_lockfile = true # S3-native state locking, no DynamoDB table
  }
}
