import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineConfigFor, readStackFile, REPO_ROOT } from "../../cli/evaluate/stack-config";
import { STACK_ORDER } from "../../infra/stacks";

/**
 * Stack files after `pulumi stack init --secrets-provider ...`: the CLI adds `secretsprovider:` and
 * `encryptedkey:` (KMS) or `encryptionsalt:` (passphrase) next to `config:`, and docs/deploy.md
 * says to commit them. The offline tools read the same files, so those lines must change nothing.
 */
describe("stack files with a committed secrets provider", () => {
  let root: string;
  const dev = fs.readFileSync(path.join(REPO_ROOT, "environments", "Pulumi.dev.yaml"), "utf8");
  const write = (header: string) => fs.writeFileSync(path.join(root, "environments", "Pulumi.dev.yaml"), header + dev);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-secrets-"));
    fs.mkdirSync(path.join(root, "environments"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("the shipped files commit none yet (each team creates its stacks with its own provider)", () => {
    for (const s of STACK_ORDER) expect(readStackFile(s).secretsProvider, s).to.equal(undefined);
  });

  it("with an awskms provider (the S3 default), reads it and leaves the config unchanged", () => {
    const url = "awskms://alias/platform-pulumi-secrets?region=ap-northeast-2";
    write(`secretsprovider: ${url}\nencryptedkey: AQICAHh0ZXN0LWNpcGhlcnRleHQ=\n`);
    expect(readStackFile("dev", root).secretsProvider).to.equal(url);
    expect(engineConfigFor("dev", root)).to.deep.equal(engineConfigFor("dev"));
  });

  it("with the passphrase provider (only an encryptionsalt), reads it as passphrase and leaves the config unchanged", () => {
    write("encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy\n");
    expect(readStackFile("dev", root).secretsProvider).to.equal("passphrase");
    expect(engineConfigFor("dev", root)).to.deep.equal(engineConfigFor("dev"));
  });

  it("fails on a secure: value, which offline evaluation cannot decrypt, naming the key and the fix", () => {
    write("encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy\n");
    fs.appendFileSync(path.join(root, "environments", "Pulumi.dev.yaml"), "  platform:apiKey:\n    secure: v1:abc\n");
    expect(() => engineConfigFor("dev", root)).to.throw(
      'platform:apiKey is a Pulumi secret ("secure:"); offline evaluation cannot decrypt it. Reference the secret by its Secrets Manager or SSM ARN instead.',
    );
  });
});
