data "aws_region" "current" {}

# One Cognito user pool signs people in to both the Dagster UI (through the
# load balancer) and the dbt docs site (through the CloudFront edge function),
# so a brand manages one list of users with MFA.

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration        = var.mfa_configuration
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]

  # No self sign-up: an administrator invites every user.
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 14
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# The ALB's authenticate-cognito action is a confidential client (it holds a
# secret that only the load balancer sees).
resource "aws_cognito_user_pool_client" "dagster" {
  name                                 = "${var.name}-dagster-ui"
  user_pool_id                         = aws_cognito_user_pool.this.id
  generate_secret                      = true
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = ["https://${var.dagster_domain_name}/oauth2/idpresponse"]
  logout_urls                          = ["https://${var.dagster_domain_name}/"]
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true
  id_token_validity                    = 60
  access_token_validity                = 60
  refresh_token_validity               = 12

  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "hours"
  }
}

# The docs site's edge function is a public client using PKCE: Lambda@Edge has
# no environment variables or secrets, so it must not need a client secret.
resource "aws_cognito_user_pool_client" "docs" {
  name                                 = "${var.name}-dbt-docs"
  user_pool_id                         = aws_cognito_user_pool.this.id
  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = ["https://${var.docs_domain_name}/_auth/callback"]
  logout_urls                          = ["https://${var.docs_domain_name}/"]
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true
  id_token_validity                    = 60
  access_token_validity                = 60
  refresh_token_validity               = 12

  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "hours"
  }
}

# Dashboard roles: Cognito puts a user's groups in the ID token (`cognito:groups`); the docs site's edge
# function lets each group read its dashboard pages (docs_site var.dashboard_access).
resource "aws_cognito_user_group" "dashboard" {
  for_each     = toset(var.dashboard_groups)
  name         = each.value
  user_pool_id = aws_cognito_user_pool.this.id
  description  = "Dashboard role ${each.value} (pages: terraform/modules/docs_site variable dashboard_access)."
}
