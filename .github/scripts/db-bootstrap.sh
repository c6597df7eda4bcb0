#!/usr/bin/env bash
# Runs an environment's database bootstrap task once (docs/database.md): it creates each database
# service's IAM-authenticated user, idempotently. The deploy workflow calls it right after
# `pulumi up` of the stack, with that stack's deploy role assumed, so a new service's tasks wait
# about a minute for their user. Exits non-zero when the task fails.
#   usage: db-bootstrap.sh <stack>      (PULUMI_ORG names the organization, as in deploy.yml)
set -euo pipefail
stack="${1:?usage: db-bootstrap.sh <stack>}"
: "${PULUMI_ORG:?PULUMI_ORG must be set (deploy.yml: vars.PULUMI_ORG, default organization)}"
out=$(pulumi stack output --json --stack "${PULUMI_ORG}/${stack}")
td=$(jq -r '.dbBootstrapTaskDefinitionArn // empty' <<<"$out")
if [ -z "$td" ]; then
  echo "${stack}: no service uses the database; nothing to bootstrap"
  exit 0
fi
cluster=$(jq -r .dbBootstrapClusterArn <<<"$out")
subnets=$(jq -r '.dbBootstrapSubnetIds | join(",")' <<<"$out")
sg=$(jq -r .dbBootstrapSecurityGroupId <<<"$out")
# --launch-type FARGATE: on-demand even where the cluster prefers Spot, so no interruption cuts a
# run short (a failed run is safe to repeat).
task=$(aws ecs run-task --cluster "$cluster" --task-definition "$td" --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[$subnets],securityGroups=[$sg],assignPublicIp=DISABLED}" \
  --started-by platform-deploy --query 'tasks[0].taskArn' --output text)
echo "${stack}: started ${task}"
aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)
echo "${stack}: db-bootstrap exited with ${code} (logs: $(jq -r .dbBootstrapLogGroupName <<<"$out"))"
[ "$code" = "0" ]
