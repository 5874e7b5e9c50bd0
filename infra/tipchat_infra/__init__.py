"""tipchat on AWS, as a CDK app (design.md §1, cluster column).

config.py        StageConfig: everything that differs between dev and prod, as data
stage.py         TipchatStage: one deployable environment = three stacks
stacks/          stateful (data: VPC, RDS, Valkey, media, secrets, ECR),
                 service (stateless, regional: ALB, ECS, WAF, DNS, alarms),
                 edge (us-east-1: CloudFront, its certificate and WAF, the web bucket)
constructs/      one unit each: network, database, cache, media, secrets, app service,
                 worker service, static site, web ACL, observability, Cognito
nag.py           cdk-nag: the AwsSolutions pack and the one helper every suppression uses
"""
