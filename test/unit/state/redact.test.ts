import { test } from "node:test";
import assert from "node:assert/strict";
import { redact, registerSecret } from "../../../src/shared/redact";
import { passedEnvironment } from "../../../src/kit/jobs/index";

test("a quoted session cookie is scrubbed, and so is its bare value once registered", () => {
  assert.equal(redact('Cookie: vmware_soap_session="52a0c0ffee"; Path=/'), 'Cookie: vmware_soap_session="***"; Path=/');
  registerSecret('vmware_soap_session="52b1deadbeef"');
  registerSecret('"52b1deadbeef"');
  assert.equal(redact("session 52b1deadbeef expired"), "session *** expired");
});

test("a registered password is scrubbed in its percent-encoded form too", () => {
  registerSecret("p@ss w0rd!");
  assert.equal(redact("GET https://admin:p%40ss%20w0rd!@vc.example/sdk"), "GET https://admin:***@vc.example/sdk");
  assert.equal(redact("login with p@ss w0rd! failed"), "login with *** failed");
});

test("a detached unit never receives credentials embedded in GOVC_URL", () => {
  const args = passedEnvironment({ GOVC_URL: "https://admin:s3cret@vc.example/sdk", GOVC_PASSWORD: "s3cret", GOVC_USERNAME: "admin" });
  assert.ok(args.includes("--setenv=GOVC_URL=https://vc.example/sdk"), args.join(" "));
  assert.ok(args.includes("--setenv=GOVC_USERNAME=admin"));
  assert.ok(!args.join(" ").includes("s3cret"), args.join(" "));
});
