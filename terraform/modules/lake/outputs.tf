output "lake_bucket_id" {
  description = "Name of the lake bucket."
  value       = aws_s3_bucket.lake.id
}

output "lake_bucket_arn" {
  description = "ARN of the lake bucket."
  value       = aws_s3_bucket.lake.arn
}

output "lake_uri" {
  description = "Lake root as COMMERCE_LAKE expects it (s3://<bucket>/)."
  value       = "s3://${aws_s3_bucket.lake.id}/"
}

output "inbox_uri" {
  description = "Inbox as COMMERCE_INBOX expects it."
  value       = "s3://${aws_s3_bucket.lake.id}/inbox/"
}

output "prefixes" {
  description = "The lake prefixes (design.md): inbox/, raw/, landed/, quarantine/, _manifests/, reports/ (monthly PDF reports)."
  value       = local.prefixes
}

output "logs_bucket_id" {
  description = "Name of the access-log bucket."
  value       = aws_s3_bucket.logs.id
}

output "logs_bucket_arn" {
  description = "ARN of the access-log bucket."
  value       = aws_s3_bucket.logs.arn
}

output "logs_bucket_domain_name" {
  description = "Domain name of the access-log bucket (CloudFront logging target)."
  value       = aws_s3_bucket.logs.bucket_domain_name
}

output "inbox_queue_arn" {
  description = "ARN of the optional inbox event queue (null when disabled)."
  value       = one(aws_sqs_queue.inbox[*].arn)
}

output "inbox_queue_url" {
  description = "URL of the optional inbox event queue (null when disabled)."
  value       = one(aws_sqs_queue.inbox[*].url)
}
