"""CloudWatch alarms and a dashboard for the signals that page someone: errors (5xx), latency
(p99), load (open sockets), the data stores (DB CPU, Valkey memory) and tipping (verifier lag).
Alarms notify an SNS topic (email when the stage config names an address)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.app_service import open_sockets
from tipchat_infra.constructs.metrics_sidecar import JOB, namespace

_MINUTE = Duration.minutes(1)


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        alb: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
        database: rds.DatabaseInstance,
        cache_member_id: str,
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"tipchat {config.name} alarms",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))

        target_5xx = alb.metrics.http_code_target(
            elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=_MINUTE, statistic="Sum"
        )
        p99 = target_group.metrics.target_response_time(period=_MINUTE, statistic="p99")
        sockets = open_sockets(config.name, "Sum")
        # The sockets the fleet is sized for at max_tasks; 80% of it means scaling is about
        # to run out of room.
        socket_ceiling = config.app_max_tasks * config.app_target_sockets_per_task
        db_cpu = database.metric_cpu_utilization(period=Duration.minutes(5))
        cache_memory = cloudwatch.Metric(
            namespace="AWS/ElastiCache",
            metric_name="DatabaseMemoryUsagePercentage",
            dimensions_map={"CacheClusterId": cache_member_id},
            statistic="Maximum",
            period=Duration.minutes(5),
        )
        # Seconds between the chain head and the last block the tip verifier has processed;
        # published by `tipchat worker` (design §6) once it exists: until then this alarm
        # stays in INSUFFICIENT_DATA rather than pretending to be OK or on fire.
        verifier_lag = cloudwatch.Metric(
            namespace=namespace(config.name),
            metric_name="tipchat_tip_verifier_lag_seconds",
            dimensions_map={"job": JOB},
            statistic="Maximum",
            period=_MINUTE,
        )

        specs = [
            ("Http5xx", target_5xx, 10, 3, "app nodes answered 5xx more than 10 times a minute"),
            ("LatencyP99", p99, 1.0, 5, "p99 response time above 1 s for 5 minutes"),
            (
                "OpenSockets",
                sockets,
                int(socket_ceiling * 0.8),
                5,
                "open WebSockets above 80% of what max_tasks is sized for",
            ),
            ("DatabaseCpu", db_cpu, 80, 3, "PostgreSQL CPU above 80% for 15 minutes"),
            ("CacheMemory", cache_memory, 75, 3, "Valkey memory above 75% for 15 minutes"),
            ("TipVerifierLag", verifier_lag, 300, 5, "tip verifier more than 5 minutes behind"),
        ]
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for name, metric, threshold, periods, description in specs:
            alarm = metric.create_alarm(
                self,
                name,
                alarm_name=f"tipchat-{config.name}-{name}",
                alarm_description=description,
                threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.MISSING
                if name == "TipVerifierLag"
                else cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(actions.SnsAction(self.topic))
            alarm.add_ok_action(actions.SnsAction(self.topic))
            self.alarms[name] = alarm

        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"tipchat-{config.name}")
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(alarms=list(self.alarms.values()), width=24),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Open WebSockets (fleet)", left=[sockets], width=8),
            cloudwatch.GraphWidget(
                title="Requests and 5xx",
                left=[target_group.metrics.request_count(period=_MINUTE)],
                right=[target_5xx],
                width=8,
            ),
            cloudwatch.GraphWidget(title="p99 response time", left=[p99], width=8),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="PostgreSQL CPU", left=[db_cpu], width=8),
            cloudwatch.GraphWidget(title="Valkey memory %", left=[cache_memory], width=8),
            cloudwatch.GraphWidget(title="Tip verifier lag (s)", left=[verifier_lag], width=8),
        )
