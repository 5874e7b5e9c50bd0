"""The VPC: public subnets for the load balancer and NAT, private subnets for the app tasks,
isolated subnets (no route to the internet at all) for PostgreSQL and Valkey."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from tipchat_infra.config import StageConfig

PUBLIC = ec2.SubnetSelection(subnet_group_name="Public")
APP = ec2.SubnetSelection(subnet_group_name="App")
DATA = ec2.SubnetSelection(subnet_group_name="Data")


class Network(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(config.vpc_cidr),
            max_azs=config.max_azs,
            nat_gateways=config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                # /20: room for thousands of Fargate tasks (one ENI and address each).
                ec2.SubnetConfiguration(
                    name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
                ),
                ec2.SubnetConfiguration(
                    name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
        )
        # S3 traffic (media uploads are presigned, so clients go direct; the app's own S3
        # calls and ECR layer pulls) skips the NAT: a gateway endpoint is free.
        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Rejected flows only: the security-relevant part at a fraction of the ingest cost.
        self.vpc.add_flow_log(
            "RejectedFlows",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        # The identities that may reach the data stores. They live here, with the data, so
        # the stateful stack holds the whole "who can connect to PostgreSQL and Valkey" rule.
        self.app_security_group = ec2.SecurityGroup(
            self, "AppTasks", vpc=self.vpc, description="tipchat serve tasks"
        )
        self.worker_security_group = ec2.SecurityGroup(
            self, "WorkerTasks", vpc=self.vpc, description="tipchat worker tasks (no ingress)"
        )

    @property
    def clients(self) -> list[ec2.ISecurityGroup]:
        return [self.app_security_group, self.worker_security_group]
