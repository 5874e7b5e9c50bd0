"""What differs between environments, as plain data: sizes, redundancy, protection, names.

Constructs receive these values as properties and never read context or environment
themselves, so a stage is fully described here and the tests synthesize exactly what deploys.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StageConfig:
    name: str  # "dev" / "prod": part of resource names
    account: str
    region: str
    # The public name of the web client; the ALB answers CloudFront at origin.<domain_name>.
    domain_name: str
    hosted_zone_id: str
    hosted_zone_name: str
    # CloudFront's origin-facing managed prefix list in `region`: the only source the ALB
    # accepts. Per region; find it with `aws ec2 describe-managed-prefix-lists --filters
    # Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`.
    cloudfront_prefix_list_id: str

    # Network
    vpc_cidr: str
    max_azs: int
    nat_gateways: int

    # PostgreSQL (RDS)
    db_instance_class: str  # e.g. "t4g.micro": the class without the "db." prefix
    db_multi_az: bool
    db_allocated_storage_gib: int
    db_max_allocated_storage_gib: int
    db_backup_retention_days: int
    deletion_protection: bool  # RDS, and RETAIN instead of SNAPSHOT/DESTROY on data

    # Valkey (ElastiCache)
    cache_node_type: str
    cache_nodes: int  # 1 = no replica; 2+ = a replica per extra node, automatic failover

    # App nodes (ECS Fargate)
    app_cpu: int
    app_memory_mib: int
    app_min_tasks: int
    app_max_tasks: int
    # Autoscaling targets. Sockets per task: ~25 KiB each idle (docs/decisions/0001) and the
    # fan-out CPU per delivery; 5,000 keeps a 1 vCPU / 2 GiB task well inside both.
    app_target_cpu_percent: int
    app_target_sockets_per_task: int
    app_target_requests_per_task_per_min: int

    # Tip verification worker: one process is enough (idempotent by (chain_id, tx_hash,
    # log_index), so a second one during a deploy is harmless).
    worker_cpu: int
    worker_memory_mib: int
    worker_tasks: int

    log_retention: str  # an aws_logs.RetentionDays member name
    alarm_email: str | None = None
    # Optional: a Cognito user pool as an OIDC provider (design §5: optional, off by default).
    enable_cognito: bool = False

    @property
    def origin_domain_name(self) -> str:
        return f"origin.{self.domain_name}"

    @property
    def site_origin(self) -> str:
        return f"https://{self.domain_name}"


DEV = StageConfig(
    name="dev",
    account="111111111111",
    region="eu-west-1",
    domain_name="chat.dev.example.com",
    hosted_zone_id="Z0000000000000000DEV",
    hosted_zone_name="dev.example.com",
    cloudfront_prefix_list_id="pl-4fa04526",  # eu-west-1
    vpc_cidr="10.20.0.0/16",
    max_azs=2,
    nat_gateways=1,  # one NAT: an AZ outage cuts dev's egress, which dev can live with
    db_instance_class="t4g.micro",
    db_multi_az=False,
    db_allocated_storage_gib=20,
    db_max_allocated_storage_gib=50,
    db_backup_retention_days=3,
    deletion_protection=False,
    cache_node_type="cache.t4g.micro",
    cache_nodes=1,
    app_cpu=512,
    app_memory_mib=1024,
    app_min_tasks=1,
    app_max_tasks=3,
    app_target_cpu_percent=60,
    app_target_sockets_per_task=2_500,
    app_target_requests_per_task_per_min=3_000,
    worker_cpu=256,
    worker_memory_mib=512,
    worker_tasks=1,
    log_retention="TWO_WEEKS",
)

PROD = StageConfig(
    name="prod",
    account="222222222222",
    region="eu-west-1",
    domain_name="chat.example.com",
    hosted_zone_id="Z000000000000000PROD",
    hosted_zone_name="example.com",
    cloudfront_prefix_list_id="pl-4fa04526",  # eu-west-1
    vpc_cidr="10.30.0.0/16",
    max_azs=3,
    nat_gateways=3,  # one per AZ: egress (chain RPC, AWS APIs) survives an AZ outage
    db_instance_class="r7g.large",
    db_multi_az=True,
    db_allocated_storage_gib=100,
    db_max_allocated_storage_gib=1000,
    db_backup_retention_days=14,
    deletion_protection=True,
    cache_node_type="cache.r7g.large",
    cache_nodes=2,
    app_cpu=1024,
    app_memory_mib=2048,
    app_min_tasks=3,  # one per AZ
    app_max_tasks=30,
    app_target_cpu_percent=60,
    app_target_sockets_per_task=5_000,
    app_target_requests_per_task_per_min=6_000,
    worker_cpu=512,
    worker_memory_mib=1024,
    worker_tasks=1,
    log_retention="THREE_MONTHS",
    alarm_email="oncall@example.com",
)

STAGES = (DEV, PROD)
