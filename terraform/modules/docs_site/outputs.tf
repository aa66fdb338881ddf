output "bucket_id" {
  description = "Name of the docs bucket (upload target of `dbt docs generate`)."
  value       = aws_s3_bucket.docs.id
}

output "bucket_arn" {
  description = "ARN of the docs bucket."
  value       = aws_s3_bucket.docs.arn
}

output "kms_key_arn" {
  description = "KMS key of the docs bucket (uploaders need GenerateDataKey on it)."
  value       = aws_kms_key.docs.arn
}

output "distribution_id" {
  description = "CloudFront distribution ID (for cache invalidations after an upload)."
  value       = aws_cloudfront_distribution.docs.id
}

output "distribution_arn" {
  description = "CloudFront distribution ARN."
  value       = aws_cloudfront_distribution.docs.arn
}

output "distribution_domain_name" {
  description = "CloudFront domain name; point domain_name at it if Route 53 is not managed here."
  value       = aws_cloudfront_distribution.docs.domain_name
}

output "url" {
  description = "URL of the docs site."
  value       = local.site_url
}
