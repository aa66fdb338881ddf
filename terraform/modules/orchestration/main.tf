data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  region         = data.aws_region.current.region
  partition      = data.aws_partition.current.partition
  container_name = "dagster"
  image          = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
  dagster_home   = "/opt/dagster/dagster_home"
  run_family     = "${var.name}-run"

  # Settings every Dagster process reads when definitions load (design.md
  # "Settings"); none of these is secret.
  common_environment = {
    COMMERCE_LAKE               = var.lake_uri
    COMMERCE_INBOX              = "${var.lake_uri}inbox/"
    DBT_TARGET                  = "prod"
    REDSHIFT_HOST               = var.redshift_host
    REDSHIFT_PORT               = tostring(var.redshift_port)
    REDSHIFT_DATABASE           = var.redshift_database
    REDSHIFT_USER               = var.redshift_user
    REDSHIFT_SPECTRUM_ROLE_ARN  = var.redshift_spectrum_role_arn
    GLUE_DATABASE               = var.glue_database_name
    COMMERCE_TIMEZONE           = var.commerce_timezone
    COMMERCE_REPORTING_CURRENCY = var.commerce_reporting_currency
    DAGSTER_HOME                = local.dagster_home
    DAGSTER_PG_HOST             = aws_db_instance.dagster.address
    DAGSTER_PG_PORT             = tostring(aws_db_instance.dagster.port)
    DAGSTER_PG_DB               = aws_db_instance.dagster.db_name
    DAGSTER_PG_USER             = aws_db_instance.dagster.username
    DAGSTER_CLUSTER_ARN         = aws_ecs_cluster.this.arn
    DAGSTER_RUN_TASK_DEFINITION = local.run_family
    DAGSTER_CONTAINER_NAME      = local.container_name
    DBT_DOCS_BUCKET             = var.docs_bucket_id
    COMMERCE_DASHBOARD_URL      = "s3://${var.docs_bucket_id}/dashboard"
    DBT_DOCS_DISTRIBUTION_ID    = var.docs_distribution_id
  }

  # Injected by ECS from Secrets Manager at task start ("<arn>:<json-key>::");
  # values never appear in the task definition, Terraform state or the image.
  pg_secret_arn = aws_db_instance.dagster.master_user_secret[0].secret_arn
  service_secrets = {
    DAGSTER_PG_PASSWORD = "${local.pg_secret_arn}:password::"
  }
  run_secrets = {
    DAGSTER_PG_PASSWORD         = "${local.pg_secret_arn}:password::"
    REDSHIFT_PASSWORD           = "${var.redshift_admin_secret_arn}:password::"
    COMMERCE_CUSTOMER_HASH_SALT = aws_secretsmanager_secret.customer_salt.arn
  }
  # Connector settings and credentials (docs/connectors.md): one JSON key per setting in the connectors
  # secret, injected into run tasks only (pull steps run there), for the keys var.connector_settings lists.
  connector_secrets = {
    for setting in var.connector_settings : setting => "${aws_secretsmanager_secret.connectors.arn}:${setting}::"
  }

  # The single image serves every role; only the command differs.
  services = {
    webserver = {
      command     = ["dagster-webserver", "--host", "0.0.0.0", "--port", "3000", "-m", "orchestration.definitions"]
      cpu         = var.webserver_cpu
      memory      = var.webserver_memory
      environment = local.common_environment
      secrets     = local.service_secrets
      ports       = [3000]
    }
    daemon = {
      command     = ["dagster-daemon", "run", "-m", "orchestration.definitions"]
      cpu         = var.daemon_cpu
      memory      = var.daemon_memory
      environment = local.common_environment
      secrets     = local.service_secrets
      ports       = []
    }
    run = {
      # EcsRunLauncher overrides the command with `dagster api execute_run ...`.
      command     = ["dagster", "api", "execute_run"]
      cpu         = var.run_cpu
      memory      = var.run_memory
      environment = local.common_environment
      secrets     = merge(local.run_secrets, local.connector_secrets)
      ports       = []
    }
  }
}

################################################################################
# Image registry
################################################################################

resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE" # a tag always means the same image; deploys pin a git SHA
  force_delete         = var.force_destroy

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${var.ecr_images_to_keep} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.ecr_images_to_keep
      }
      action = { type = "expire" }
    }]
  })
}

################################################################################
# Cluster and logs
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.services

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

################################################################################
# Customer-hashing salt (generated once, never stored in state)
################################################################################

resource "aws_secretsmanager_secret" "customer_salt" {
  #checkov:skip=CKV2_AWS_57:The salt must stay constant: rotating it would change every hashed customer key and break identity joins across history.
  name                    = "${var.name}/commerce-customer-salt"
  description             = "Salt for hashing customer emails (COMMERCE_CUSTOMER_HASH_SALT)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

# Ephemeral: the generated value goes straight to Secrets Manager through a
# write-only argument and is never written to the plan or the state file.
ephemeral "aws_secretsmanager_random_password" "customer_salt" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "customer_salt" {
  secret_id                = aws_secretsmanager_secret.customer_salt.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.customer_salt.random_password
  secret_string_wo_version = 1 # bump only to deliberately re-key every customer hash
}

################################################################################
# Connector credentials (values put by the operator, never in Terraform)
################################################################################

resource "aws_secretsmanager_secret" "connectors" {
  #checkov:skip=CKV2_AWS_57:Platform tokens (Shopify, Meta, Amazon, Google) are issued and revoked in each platform's own console; Secrets Manager cannot rotate them.
  name                    = "${var.name}/commerce-connectors"
  description             = "Connector settings and tokens as one JSON object, key = setting name (docs/connectors.md)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

################################################################################
# Task definitions and services
################################################################################

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:dbt and dagster-dbt write target/, logs/ and partial parses inside the project directory at run time; the container runs as a non-root user instead.
  for_each = local.services

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([{
    name      = local.container_name
    image     = local.image
    essential = true
    command   = each.value.command
    # dbt and dagster-dbt write target/ and logs/ inside the project at run
    # time, so the root filesystem stays writable; the image runs as non-root.
    readonlyRootFilesystem = false
    privileged             = false
    user                   = "10001:10001"
    portMappings           = [for p in each.value.ports : { containerPort = p, protocol = "tcp" }]
    environment            = [for k in sort(keys(each.value.environment)) : { name = k, value = each.value.environment[k] }]
    secrets                = [for k in sort(keys(each.value.secrets)) : { name = k, valueFrom = each.value.secrets[k] }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
        awslogs-region        = local.region
        awslogs-stream-prefix = each.key
      }
    }
    linuxParameters = {
      initProcessEnabled = true # reap dbt/dagster subprocesses
    }
  }])

  tags = var.tags
}

resource "aws_ecs_service" "webserver" {
  name                              = "${var.name}-webserver"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this["webserver"].arn
  desired_count                     = 1
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = 180
  propagate_tags                    = "SERVICE"
  enable_execute_command            = false

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.webserver.arn
    container_name   = local.container_name
    container_port   = 3000
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags       = var.tags
  depends_on = [aws_lb_listener.https]
}

resource "aws_ecs_service" "daemon" {
  name             = "${var.name}-daemon"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this["daemon"].arn
  desired_count    = 1
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  propagate_tags   = "SERVICE"
  # Dagster supports exactly one daemon: stop the old task before starting the new one.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100
  enable_execute_command             = false

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = var.tags
}
