data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
# The regional Elastic Load Balancing account that writes ALB access logs.
data "aws_elb_service_account" "this" {}

locals {
  account_id       = data.aws_caller_identity.current.account_id
  lake_bucket_name = coalesce(var.lake_bucket_name, "${var.name}-lake-${local.account_id}")
  logs_bucket_name = coalesce(var.logs_bucket_name, "${var.name}-access-logs-${local.account_id}")
  # The layout every component agrees on (design.md "Lake prefixes").
  prefixes = ["inbox/", "raw/", "landed/", "quarantine/", "_manifests/", "reports/"]
}

################################################################################
# Lake bucket
################################################################################

resource "aws_s3_bucket" "lake" {
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage cost; raw/ is the immutable, versioned source of truth and the landed layer can be rebuilt from it. Enable per brand if a second region is required.
  bucket        = local.lake_bucket_name
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { DataClassification = "confidential" })
}

resource "aws_s3_bucket_ownership_controls" "lake" {
  bucket = aws_s3_bucket.lake.id
  rule {
    object_ownership = "BucketOwnerEnforced" # ACLs off: access is decided by IAM and the bucket policy only
  }
}

resource "aws_s3_bucket_public_access_block" "lake" {
  bucket                  = aws_s3_bucket.lake.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "lake" {
  bucket = aws_s3_bucket.lake.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true # one data key per bucket, not per object: fewer KMS calls
  }
}

resource "aws_s3_bucket_logging" "lake" {
  bucket        = aws_s3_bucket.lake.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3-access/${local.lake_bucket_name}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id

  # raw/ holds the original bytes for --reprocess: cheaper classes, never deleted.
  rule {
    id     = "raw-tiering"
    status = "Enabled"
    filter {
      prefix = "raw/"
    }
    transition {
      days          = var.raw_infrequent_access_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.raw_archive_days
      storage_class = var.raw_archive_storage_class
    }
  }

  # Rejected rows are for triage, not for keeping.
  rule {
    id     = "quarantine-expiry"
    status = "Enabled"
    filter {
      prefix = "quarantine/"
    }
    expiration {
      days = var.quarantine_expiration_days
    }
  }

  # Whole bucket: old versions and abandoned multipart uploads.
  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.lake]
}

data "aws_iam_policy_document" "lake" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.lake.arn,
      "${aws_s3_bucket.lake.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid     = "DenyOutdatedTls"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.lake.arn,
      "${aws_s3_bucket.lake.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "lake" {
  bucket = aws_s3_bucket.lake.id
  policy = data.aws_iam_policy_document.lake.json

  depends_on = [aws_s3_bucket_public_access_block.lake]
}

# Events go to EventBridge (free until a rule matches). The Dagster sensor
# lists inbox/ itself, so the queue below is optional.
resource "aws_s3_bucket_notification" "lake" {
  bucket      = aws_s3_bucket.lake.id
  eventbridge = true
}

################################################################################
# Optional: inbox/ arrivals -> EventBridge -> SQS (for an event-driven sensor)
################################################################################

resource "aws_sqs_queue" "inbox" {
  count = var.enable_inbox_notifications ? 1 : 0

  name                      = "${var.name}-inbox-events"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 345600
  tags                      = var.tags
}

data "aws_iam_policy_document" "inbox_queue" {
  count = var.enable_inbox_notifications ? 1 : 0

  statement {
    sid       = "EventBridgeDelivers"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.inbox[0].arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.inbox[0].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "inbox" {
  count = var.enable_inbox_notifications ? 1 : 0

  queue_url = aws_sqs_queue.inbox[0].id
  policy    = data.aws_iam_policy_document.inbox_queue[0].json
}

resource "aws_cloudwatch_event_rule" "inbox" {
  count = var.enable_inbox_notifications ? 1 : 0

  name        = "${var.name}-inbox-object-created"
  description = "A file was dropped into the lake's inbox/ prefix"
  event_pattern = jsonencode({
    source      = ["aws.s3"]
    detail-type = ["Object Created"]
    detail = {
      bucket = { name = [aws_s3_bucket.lake.id] }
      object = { key = [{ prefix = "inbox/" }] }
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "inbox" {
  count = var.enable_inbox_notifications ? 1 : 0

  rule = aws_cloudwatch_event_rule.inbox[0].name
  arn  = aws_sqs_queue.inbox[0].arn
}

################################################################################
# Access-log bucket
################################################################################

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This is the access-log sink; logging it to itself would log its own log deliveries forever.
  #checkov:skip=CKV_AWS_144:Logs are kept for audit in one region; replicating them doubles cost for no recovery need.
  #checkov:skip=CKV_AWS_145:S3 server access logs and ALB access logs can only be delivered to buckets encrypted with SSE-S3 (AES256), not SSE-KMS.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to log arrival; event notifications would only add noise.
  bucket        = local.logs_bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  #checkov:skip=CKV2_AWS_65:CloudFront standard logging writes through an ACL grant, so this log-only bucket must keep ACLs enabled; public ACLs stay blocked by the public access block.
  bucket = aws_s3_bucket.logs.id
  rule {
    # CloudFront standard logs are written through an ACL grant, so ACLs stay
    # possible here (objects still end up owned by this account).
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256" # the only option log delivery supports
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    transition {
      days          = 30
      storage_class = "STANDARD_IA"
    }
    expiration {
      days = var.access_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.logs]
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.logs.arn,
      "${aws_s3_bucket.logs.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/s3-access/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # Older regions deliver ALB logs from a regional ELB account, newer ones
  # from the log-delivery service principal; allow both, for this prefix only.
  statement {
    sid       = "AlbAccessLogsRegionalAccount"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/alb/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.this.arn]
    }
  }

  statement {
    sid       = "AlbAccessLogsServicePrincipal"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/alb/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json

  depends_on = [aws_s3_bucket_public_access_block.logs]
}
