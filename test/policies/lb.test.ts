import { policies } from "../../policies/lb";
import { Fixture } from "../support/policy-harness";
import { policyTests } from "./cases";
import { addSgRule } from "./fixtures";

const publicIngress = (group: string, port: number) => (f: Fixture) => {
  addSgRule(f, "Ingress", "mutation-public", group, { ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0" });
};

policyTests("policies/lb.ts", policies, [
  {
    policy: "lb-loadbalancer-enable-access-logs",
    title: "access logs are off",
    mutate: (f) => f.update("prod-alb", (i) => (i.accessLogs = { enabled: false, bucket: f.get("prod-alb-logs").id })),
    messages: ["Access logs are off; set accessLogs: { enabled: true, bucket: <the access-log bucket> }."],
  },
  {
    policy: "lb-loadbalancer-enable-deletion-protection",
    title: "deletion protection is off",
    mutate: (f) => f.update("prod-alb", (i) => (i.enableDeletionProtection = false)),
    messages: ["Deletion protection is off; set enableDeletionProtection: true."],
  },
  {
    policy: "lb-loadbalancer-enable-drop-invalid-headers",
    title: "invalid headers reach the targets",
    mutate: (f) => f.update("prod-alb", (i) => delete i.dropInvalidHeaderFields),
    messages: ["Invalid header fields are passed to targets (the default); set dropInvalidHeaderFields: true."],
  },
  {
    policy: "lb-loadbalancer-configure-desync-mitigation",
    title: "desync mitigation only monitors",
    mutate: (f) => f.update("prod-alb", (i) => (i.desyncMitigationMode = "monitor")),
    messages: ['Desync mitigation mode is "monitor"; set desyncMitigationMode to "defensive" or "strictest".'],
  },
  {
    policy: "lb-listener-require-https-redirect",
    title: "the HTTP listener forwards instead of redirecting",
    mutate: (f) => f.update("prod-http", (i) => (i.defaultActions = [{ type: "forward", targetGroupArn: f.get("prod-app-tg").arn }])),
    messages: ['HTTP listener serves traffic; make its only default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }.'],
  },
  {
    policy: "lb-listener-require-https",
    title: "the HTTPS listener has no certificate",
    mutate: (f) => f.update("prod-https", (i) => delete i.certificateArn),
    messages: ["HTTPS listener has no certificate; set certificateArn to an ACM certificate."],
  },
  {
    policy: "lb-listener-configure-tls-policy",
    title: "the listener keeps the 2016 default TLS policy",
    mutate: (f) => f.update("prod-https", (i) => (i.sslPolicy = "ELBSecurityPolicy-2016-08")),
    messages: ['Listener uses TLS policy "ELBSecurityPolicy-2016-08"; set sslPolicy to "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" or another accepted policy.'],
  },
  {
    policy: "lb-listener-require-acm-certificate",
    title: "the certificate is an IAM server certificate",
    mutate: (f) => f.update("prod-https", (i) => (i.certificateArn = "arn:aws:iam::123456789012:server-certificate/app")),
    messages: ["Listener certificate is not from ACM; issue it with aws.acm.Certificate so it renews automatically."],
    level: "advisory",
  },
  {
    policy: "lb-targetgroup-configure-health-check",
    title: "the health check has no matcher and targets are instances",
    mutate: (f) =>
      f.update("prod-app-tg", (i) => {
        i.healthCheck = { enabled: true, path: "/healthz" };
        i.targetType = "instance";
      }),
    messages: [
      'Health check has no explicit path and matcher; set healthCheck.path (e.g. "/healthz") and healthCheck.matcher (e.g. "200").',
      'Target type is "instance"; Fargate tasks register by IP, so set targetType: "ip".',
    ],
  },
  {
    policy: "lb-loadbalancer-require-multi-az",
    title: "the ALB sits in one AZ",
    mutate: (f) => f.update("prod-alb", (i) => (i.subnets = [f.get("prod-public-1").id])),
    messages: ['LoadBalancer "prod-alb" spans 1 availability zone(s); place it in subnets of at least 2 AZs.'],
  },
  {
    policy: "lb-loadbalancer-require-tier-subnets",
    title: "the internet-facing ALB is placed in private subnets",
    mutate: (f) => f.update("prod-alb", (i) => (i.subnets = [f.get("prod-private-1").id, f.get("prod-private-2").id])),
    messages: [
      'LoadBalancer "prod-alb" is internet-facing but sits in Subnet "prod-private-1" (tier private); place it only in public subnets.',
      'LoadBalancer "prod-alb" is internet-facing but sits in Subnet "prod-private-2" (tier private); place it only in public subnets.',
    ],
  },
  {
    policy: "lb-loadbalancer-require-sole-public-entry",
    title: "the task security group is opened to the internet",
    mutate: publicIngress("prod-tasks-sg", 443),
    messages: [
      'SecurityGroup "prod-tasks-sg" admits 0.0.0.0/0 on tcp/443 but is not a security group of an internet-facing load balancer; only the load balancer may be reachable from the internet.',
      'SecurityGroup "prod-tasks-sg" of Service "prod-app-svc" admits 0.0.0.0/0 on tcp/443; tasks may admit only the load balancer\'s security group, on the container port.',
    ],
  },
  {
    policy: "lb-loadbalancer-require-sole-public-entry",
    title: "the ALB security group opens another port to the internet",
    mutate: publicIngress("prod-alb-sg", 8443),
    messages: ['SecurityGroup "prod-alb-sg" of the load balancer admits 0.0.0.0/0 on tcp/8443; open only tcp/443 and tcp/80 to the internet.'],
  },
  {
    policy: "lb-loadbalancer-require-valid-log-bucket",
    title: "the access-log bucket is KMS-encrypted",
    mutate: (f) => f.update("prod-alb-logs-sse", (i) => (i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }])),
    messages: [
      'Bucket "prod-alb-logs" receives access logs of LoadBalancer "prod-alb" but is not encrypted with SSE-S3; set sseAlgorithm: "AES256" (load balancers cannot write to KMS-encrypted buckets).',
    ],
  },
  {
    policy: "lb-loadbalancer-require-waf",
    title: "no web ACL protects the ALB",
    mutate: (f) => f.remove("prod-alb-waf"),
    messages: ['LoadBalancer "prod-alb" has no WAF web ACL; associate one (aws.wafv2.WebAclAssociation) with the managed Known-Bad-Inputs rules.'],
    level: "advisory",
  },
]);
