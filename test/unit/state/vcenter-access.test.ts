import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseVcenterUrl, resolveVcenterAccess, normalizeThumbprint } from "../../../src/helper/config/index";
import { redact } from "../../../src/shared/redact";
import { V2kError } from "../../../src/shared/v2k-error";
import { tempDir } from "./fixtures";

const noStdin = async () => "";

test("govc-style URLs: bare host, host:port, credentials inside, /sdk default", () => {
  assert.deepEqual(parseVcenterUrl("vc.example"), { url: "https://vc.example/sdk", host: "vc.example", port: 443 });
  assert.deepEqual(parseVcenterUrl("https://10.0.0.5:8443/sdk"), { url: "https://10.0.0.5:8443/sdk", host: "10.0.0.5", port: 8443 });
  const withCreds = parseVcenterUrl("https://admin%40vsphere.local:p%40ss@vc.example/sdk");
  assert.equal(withCreds.user, "admin@vsphere.local");
  assert.equal(withCreds.password, "p@ss");
  assert.throws(
    () => parseVcenterUrl("http://vc.example/sdk"),
    (e) => e instanceof V2kError && e.code === "USAGE",
  );
});

test("environment supplies everything; flags override it", async () => {
  const env = {
    GOVC_URL: "vc.example",
    GOVC_USERNAME: "envuser",
    GOVC_PASSWORD: "env-secret-1",
    GOVC_THUMBPRINT: "aa:bb:cc",
    GOVC_INSECURE: "false",
  };
  const a = await resolveVcenterAccess({}, { env, readStdin: noStdin });
  assert.equal(a.username, "envuser");
  assert.equal(a.password, "env-secret-1");
  assert.equal(a.thumbprint, "AA:BB:CC");
  assert.equal(a.insecure, false);
  const b = await resolveVcenterAccess(
    { vcenter: "https://other.example:444/sdk", username: "flaguser", insecure: true },
    { env, readStdin: noStdin },
  );
  assert.equal(b.host, "other.example");
  assert.equal(b.port, 444);
  assert.equal(b.username, "flaguser");
  assert.equal(b.insecure, true);
  assert.equal((await resolveVcenterAccess({}, { env: { ...env, GOVC_INSECURE: "1" }, readStdin: noStdin })).insecure, true);
});

test("password sources: file, then stdin, then GOVC_PASSWORD, then the URL; registered for redaction", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "pw");
  writeFileSync(file, "from-file-pw\nignored\n", { mode: 0o600 });
  const env = { GOVC_URL: "https://u:url-pw-9@vc.example/sdk", GOVC_PASSWORD: "env-pw-9" };
  assert.equal((await resolveVcenterAccess({ "password-file": file }, { env, readStdin: noStdin })).password, "from-file-pw");
  assert.equal(
    (await resolveVcenterAccess({ "password-stdin": true }, { env, readStdin: async () => "stdin-pw-9\n" })).password,
    "stdin-pw-9",
  );
  assert.equal((await resolveVcenterAccess({}, { env, readStdin: noStdin })).password, "env-pw-9");
  const fromUrl = await resolveVcenterAccess({}, { env: { GOVC_URL: env.GOVC_URL }, readStdin: noStdin });
  assert.equal(fromUrl.password, "url-pw-9");
  assert.equal(fromUrl.username, "u");
  assert.equal(redact("login with stdin-pw-9 failed"), "login with *** failed");
});

test("missing pieces and credentials on argv are USAGE errors with hints", async () => {
  const fail = async (p: Promise<unknown>, re: RegExp) =>
    assert.rejects(p, (e) => e instanceof V2kError && e.code === "USAGE" && re.test(e.message) && e.hint.length > 0);
  await fail(resolveVcenterAccess({}, { env: {}, readStdin: noStdin }), /URL/);
  await fail(resolveVcenterAccess({}, { env: { GOVC_URL: "vc" }, readStdin: noStdin }), /user/);
  await fail(resolveVcenterAccess({}, { env: { GOVC_URL: "vc", GOVC_USERNAME: "u" }, readStdin: noStdin }), /password/);
  await fail(resolveVcenterAccess({ vcenter: "https://u:p@vc/sdk" }, { env: {}, readStdin: noStdin }), /process list/);
  await fail(
    resolveVcenterAccess({ "password-file": "/nonexistent/pw" }, { env: { GOVC_URL: "vc", GOVC_USERNAME: "u" }, readStdin: noStdin }),
    /password-file/,
  );
});

test("a manifest's vCenter is used after init (only the password comes again)", async () => {
  const a = await resolveVcenterAccess(
    {},
    { env: { GOVC_URL: "elsewhere", GOVC_PASSWORD: "pw-known-1" }, readStdin: noStdin },
    { url: "https://vc.example/sdk", username: "admin", thumbprint: "AA:BB", insecure: false },
  );
  assert.equal(a.host, "vc.example");
  assert.equal(a.username, "admin");
  assert.equal(a.thumbprint, "AA:BB");
  assert.equal(normalizeThumbprint("aabb:cc"), "AA:BB:CC");
});
