import { expect } from "chai";
import { createHash } from "crypto";
import fc from "fast-check";
import { SERVICE_NAME_PATTERN } from "../../../infra/app/config";
import { bootstrapExecutionPolicy } from "../../../infra/database/bootstrap";
import {
  DB_USER_NAME_MAX,
  DB_USER_NAME_PATTERN,
  dbConnectArn,
  dbConnectPolicy,
  databaseUserName,
  isRdsManagedSecret,
  masterSecretReadPolicy,
  planBootstrapSql,
} from "../../../infra/database/plan";

const REGION = "ap-northeast-2";
const ACCOUNT = "123456789012";
const RESOURCE_ID = "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!cluster-0f1e2d3c-4b5a-4697-8877-665544332211-AbC123`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;

/** Service names config accepts (SERVICE_NAME_PATTERN): 2 to 32 of [a-z0-9-], letter first, no trailing hyphen. */
const serviceName = fc
  .tuple(
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz".split("")),
    fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-".split("")), { maxLength: 30 }),
    fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split("")),
  )
  .map(([a, mid, z]) => `${a}${mid.join("")}${z}`);

describe("database/plan: per-service database users", () => {
  const cases: Array<[string, string]> = [
    ["hello", "svc_hello"],
    ["hello-api", "svc_hello_api"],
    ["a1", "svc_a1"],
    // 4 + 28 = 32: fits exactly.
    ["abcdefghijklmnopqrstuvwxyz01", "svc_abcdefghijklmnopqrstuvwxyz01"],
  ];
  for (const [service, user] of cases) {
    it(`with service "${service}", names the user "${user}"`, () => {
      expect(databaseUserName(service)).to.equal(user);
    });
  }

  it("with a service name too long for MySQL's 32 characters, cuts it and appends a hash of the full name", () => {
    const user = databaseUserName("payments-reconciliation-worker-eu");
    expect(user).to.have.length(DB_USER_NAME_MAX);
    const hash = createHash("sha256").update("payments-reconciliation-worker-eu").digest("hex").slice(0, 6);
    expect(user).to.equal(`svc_payments_reconciliati_${hash}`);
    expect(databaseUserName("payments-reconciliation-worker-us")).to.not.equal(user);
  });

  it("always gives a lowercase identifier of at most 32 characters, deterministic and distinct per service (fast-check)", () => {
    fc.assert(
      fc.property(serviceName, serviceName, (a, b) => {
        expect(SERVICE_NAME_PATTERN.test(a)).to.equal(true);
        const ua = databaseUserName(a);
        expect(ua).to.match(DB_USER_NAME_PATTERN).and.to.have.length.at.most(DB_USER_NAME_MAX);
        expect(databaseUserName(a)).to.equal(ua);
        if (a !== b) expect(databaseUserName(b)).to.not.equal(ua);
      }),
      { numRuns: 500 },
    );
  });
});

describe("database/plan: IAM for database identities", () => {
  it("names the rds-db:connect resource by cluster resource id and user, per partition", () => {
    expect(dbConnectArn(REGION, ACCOUNT, RESOURCE_ID, "svc_hello")).to.equal(`arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:${RESOURCE_ID}/svc_hello`);
    expect(dbConnectArn("cn-north-1", ACCOUNT, RESOURCE_ID, "svc_hello")).to.equal(`arn:aws-cn:rds-db:cn-north-1:${ACCOUNT}:dbuser:${RESOURCE_ID}/svc_hello`);
    expect(dbConnectArn("us-gov-west-1", ACCOUNT, RESOURCE_ID, "svc_hello")).to.equal(`arn:aws-us-gov:rds-db:us-gov-west-1:${ACCOUNT}:dbuser:${RESOURCE_ID}/svc_hello`);
  });

  it("grants a service exactly rds-db:connect as its own user", () => {
    expect(dbConnectPolicy(REGION, ACCOUNT, RESOURCE_ID, "svc_hello")).to.deep.equal({
      Version: "2012-10-17",
      Statement: [{ Sid: "ConnectAsServiceUser", Effect: "Allow", Action: "rds-db:connect", Resource: `arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:${RESOURCE_ID}/svc_hello` }],
    });
  });

  it("lets a master-secret reader get exactly that secret, and decrypt with its key only through Secrets Manager", () => {
    expect(masterSecretReadPolicy({ secretArn: SECRET, kmsKeyArn: KEY, region: REGION })).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadMasterSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET },
        {
          Sid: "DecryptMasterSecret",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: KEY,
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
        },
      ],
    });
  });

  it("gives the bootstrap execution role its log stream, its repository and the master secret, nothing more", () => {
    const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/platform/dev/db-bootstrap`;
    const repo = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/platform/dev/db-bootstrap`;
    const doc = bootstrapExecutionPolicy({ logGroupArn, ecrRepositoryArns: [repo], masterSecretArn: SECRET, kmsKeyArn: KEY, region: REGION });
    expect(doc.Statement.map((s) => [s.Sid, s.Action, s.Resource])).to.deep.equal([
      ["WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], `${logGroupArn}:log-stream:*`],
      ["EcrAuth", "ecr:GetAuthorizationToken", "*"],
      ["PullImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repo]],
      ["ReadMasterSecret", "secretsmanager:GetSecretValue", SECRET],
      ["DecryptMasterSecret", "kms:Decrypt", KEY],
    ]);
  });

  it("recognises RDS-managed master secrets (rds!cluster-, rds!db-) and no other secret", () => {
    expect(isRdsManagedSecret(SECRET)).to.equal(true);
    expect(isRdsManagedSecret(`${SECRET}:password::`)).to.equal(true);
    expect(isRdsManagedSecret(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-0f1e2d3c-AbC123`)).to.equal(true);
    expect(isRdsManagedSecret(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/rds-AbC123`)).to.equal(false);
    expect(isRdsManagedSecret(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/rds!cluster`)).to.equal(false);
  });
});

describe("database/plan: bootstrap SQL", () => {
  it("with PostgreSQL, creates each missing login role, grants rds_iam, CONNECT and its own schema, in user order", () => {
    expect(planBootstrapSql("aurora-postgresql", "app", ["svc_web", "svc_api"])).to.equal(
      [
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'svc_api') THEN CREATE ROLE "svc_api" WITH LOGIN; END IF; END $$;`,
        `GRANT rds_iam TO "svc_api";`,
        `GRANT CONNECT ON DATABASE "app" TO "svc_api";`,
        `CREATE SCHEMA IF NOT EXISTS "svc_api";`,
        `GRANT USAGE, CREATE ON SCHEMA "svc_api" TO "svc_api";`,
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'svc_web') THEN CREATE ROLE "svc_web" WITH LOGIN; END IF; END $$;`,
        `GRANT rds_iam TO "svc_web";`,
        `GRANT CONNECT ON DATABASE "app" TO "svc_web";`,
        `CREATE SCHEMA IF NOT EXISTS "svc_web";`,
        `GRANT USAGE, CREATE ON SCHEMA "svc_web" TO "svc_web";`,
        "",
      ].join("\n"),
    );
  });

  it("with MySQL, creates each user IF NOT EXISTS with the AWS authentication plugin and TLS, and grants the database", () => {
    expect(planBootstrapSql("aurora-mysql", "app", ["svc_hello"])).to.equal(
      [
        "CREATE USER IF NOT EXISTS 'svc_hello'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL;",
        "GRANT ALL PRIVILEGES ON `app`.* TO 'svc_hello'@'%';",
        "",
      ].join("\n"),
    );
  });

  it("is idempotent by construction: every CREATE is guarded, nothing is dropped, altered or given a password", () => {
    for (const engine of ["aurora-postgresql", "aurora-mysql"] as const) {
      const sql = planBootstrapSql(engine, "app", ["svc_a", "svc_b", "svc_a"]);
      const creates = sql.split("\n").filter((l) => /\bCREATE (ROLE|USER|SCHEMA)\b/.test(l));
      expect(creates, engine).to.have.length(engine === "aurora-postgresql" ? 4 : 2);
      for (const l of creates) expect(l, l).to.match(/IF NOT EXISTS/);
      expect(sql, engine).to.not.match(/\b(DROP|ALTER|REVOKE|PASSWORD|TRUNCATE|DELETE)\b/i);
    }
  });

  it("with no users, plans nothing", () => {
    expect(planBootstrapSql("aurora-postgresql", "app", [])).to.equal("");
  });

  it("fails on a user or database name that is not a plain identifier (nothing is ever quoted from config)", () => {
    expect(() => planBootstrapSql("aurora-postgresql", "app", ["svc_x'; DROP TABLE t; --"])).to.throw('invalid database user name "svc_x\'; DROP TABLE t; --"');
    expect(() => planBootstrapSql("aurora-mysql", "app`; --", ["svc_x"])).to.throw('invalid database name "app`; --"');
  });
});
