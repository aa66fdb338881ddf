output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the Cognito user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "user_pool_domain" {
  description = "Cognito hosted domain prefix (the ALB action takes the prefix)."
  value       = aws_cognito_user_pool_domain.this.domain
}

output "hosted_domain" {
  description = "Fully qualified Cognito hosted sign-in domain."
  value       = "${aws_cognito_user_pool_domain.this.domain}.auth.${data.aws_region.current.region}.amazoncognito.com"
}

output "issuer" {
  description = "OIDC issuer of the pool (iss claim of its tokens)."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "dagster_client_id" {
  description = "App client ID used by the load balancer."
  value       = aws_cognito_user_pool_client.dagster.id
}

output "docs_client_id" {
  description = "Public (PKCE) app client ID used by the docs site's edge function."
  value       = aws_cognito_user_pool_client.docs.id
}
