resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  metric_namespace = "CommerceAnalytics/${var.name}"
  alarm_actions    = [aws_sns_topic.alarms.arn]
}

# Dagster has no CloudWatch metrics of its own; the run worker logs a
# RUN_FAILURE event for every failed run, and the daemon logs run-monitoring
# failures (a run task that died without reporting).
resource "aws_cloudwatch_log_metric_filter" "failed_runs" {
  for_each = toset(["run", "daemon"])

  name           = "${var.name}-${each.key}-failed-runs"
  log_group_name = aws_cloudwatch_log_group.this[each.key].name
  pattern        = "RUN_FAILURE"

  metric_transformation {
    name          = "FailedRuns"
    namespace     = local.metric_namespace
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "failed_runs" {
  alarm_name          = "${var.name}-dagster-failed-runs"
  alarm_description   = "A Dagster run failed; open the run in the Dagster UI."
  namespace           = local.metric_namespace
  metric_name         = "FailedRuns"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_webserver" {
  alarm_name          = "${var.name}-dagster-webserver-unhealthy"
  alarm_description   = "The Dagster webserver fails its load balancer health check."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.webserver.arn_suffix
  }
  tags = var.tags
}

# Schedules and sensors stop when the daemon is down; Container Insights
# reports its running task count.
resource "aws_cloudwatch_metric_alarm" "service_not_running" {
  for_each = {
    webserver = aws_ecs_service.webserver.name
    daemon    = aws_ecs_service.daemon.name
  }

  alarm_name          = "${var.name}-dagster-${each.key}-not-running"
  alarm_description   = "The Dagster ${each.key} service has no running task."
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  dimensions = {
    ClusterName = aws_ecs_cluster.this.name
    ServiceName = each.value
  }
  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "postgres_storage" {
  alarm_name          = "${var.name}-dagster-postgres-storage-low"
  alarm_description   = "Dagster's PostgreSQL has under 2 GiB free."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 2147483648
  comparison_operator = "LessThanThreshold"
  alarm_actions       = local.alarm_actions
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.dagster.identifier
  }
  tags = var.tags
}
