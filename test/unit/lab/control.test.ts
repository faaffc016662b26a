// The control API (handleControl) and its client/CLI: guest writes, hashes, faults and inventory,
// over real https with the certificate pinned by thumbprint and basic auth, as `lab start` serves it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createServer, type Server } from "node:https";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AddressInfo } from "node:net";
import { handleControl } from "../../../src/lab/control/routes";
import { LabControlClient } from "../../../src/lab/client/lab-client";
import { type LabModel, guestPattern } from "../../../src/lab/model/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { MiB, withLab } from "./helpers";

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (it serves the endpoint the CLI talks to). */
function run(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : null) : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

const call = (model: LabModel, method: string, path: string, body: unknown = undefined, query = "") =>
  handleControl(model, { method, path, query: new URLSearchParams(query), body });

test("handleControl: write, disk-hash, fault, inventory and 4xx errors with code/message/hint", async () => {
  await withLab("minimal", async (model) => {
    const before = await call(model, "GET", "/v2k-lab/disk-hash", undefined, "vm=web01&disk=1");
    assert.equal(before.status, 200);
    const w = await call(model, "POST", "/v2k-lab/write", { vm: "web01", disk: 16000, offset: "1M", length: "64K", seed: 5 });
    assert.equal(w.status, 200);
    assert.deepEqual(w.body, { vm: "vm-101", diskKey: 16000, offset: MiB, length: 65536, seed: 5 });
    const bytes = await model.openDatastoreFile("ds2", "web01/web01_1-flat.vmdk").read(MiB, MiB + 65536);
    assert.deepEqual(bytes, guestPattern(5, MiB, 65536));
    const after = await call(model, "POST", "/v2k-lab/disk-hash", { vm: "vm-101", disk: 1 });
    assert.notEqual((after.body as { sha256: string }).sha256, (before.body as { sha256: string }).sha256);
    assert.equal((after.body as { sha256: string }).sha256, await model.diskHash("vm-101", 16000, null));

    const f = await call(model, "POST", "/v2k-lab/fault", { kind: "qcda-page-size", count: 3 });
    assert.equal(f.status, 200);
    assert.equal(model.faults().qcdaPageSize, 3);
    await call(model, "POST", "/v2k-lab/fault", { kind: "task-failure", task: "PowerOn", message: "no way" });
    assert.equal(model.faults().failNextTask.PowerOn, "no way");
    await call(model, "POST", "/v2k-lab/fault", { kind: "task-failure", task: "CreateSnapshot_Task" });
    assert.equal(model.faults().failNextTask.CreateSnapshot, "Injected task failure (lab fault)", "vSphere method names are accepted");
    const typo = await call(model, "POST", "/v2k-lab/fault", { kind: "task-failure", task: "CreateSnapshots" });
    assert.equal(typo.status, 400, "an unknown task name is refused rather than never firing");
    assert.equal((await call(model, "POST", "/v2k-lab/fault", { kind: "qcda-page-size", count: 0 })).status, 400);
    await call(model, "POST", "/v2k-lab/fault", { kind: "slow", ms: 250 });
    assert.equal(model.faults().slowMs, 250);
    await call(model, "POST", "/v2k-lab/fault", { kind: "session-expiry" });
    assert.ok(model.faults().sessionsExpiredBefore);

    const inv = await call(model, "GET", "/v2k-lab/inventory");
    const vms = (inv.body as { vms: { name: string; disks: { key: number; fileName: string }[] }[] }).vms;
    assert.deepEqual(
      vms.map((v) => v.name),
      ["web01", "boot01"],
    );
    assert.equal(vms[0]!.disks[1]!.fileName, "[ds2] web01/web01_1.vmdk");

    const bad = await call(model, "POST", "/v2k-lab/write", { vm: "web01", disk: 0, offset: "12Q", length: 1 });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, "USAGE");
    const missing = await call(model, "POST", "/v2k-lab/write", { vm: "nope", disk: 0, offset: 0, length: 1 });
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { code: string }).code, "VM_NOT_FOUND");
    await model.powerOff("vm-104");
    const off = await call(model, "POST", "/v2k-lab/write", { vm: "boot01", disk: 0, offset: 0, length: 1 });
    assert.equal(off.status, 409);
    assert.deepEqual(Object.keys(off.body as object).sort(), ["code", "fault", "hint", "message"]);
    assert.equal((off.body as { fault: string }).fault, "InvalidPowerState");
    const reset = await call(model, "POST", "/v2k-lab/fault", { kind: "cbt-reset" });
    assert.equal(reset.status, 400, "cbt-reset needs a VM");
    assert.equal((await call(model, "GET", "/v2k-lab/nothing")).status, 404);
  });
});

/** An https endpoint serving handleControl like the lab server does, with a throwaway certificate. */
async function serveControl(model: LabModel, dir: string): Promise<{ server: Server; port: number; thumbprint: string }> {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
    { stdio: "ignore", timeout: 30_000 },
  );
  const thumbprint = new X509Certificate(readFileSync(cert)).fingerprint; // SHA-1, "AA:BB:..."
  const expected = "Basic " + Buffer.from("labadmin:s3cret-pw").toString("base64");
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        if (req.headers.authorization !== expected) {
          res.writeHead(401).end();
          return;
        }
        const url = new URL(req.url ?? "/", "https://lab");
        const text = Buffer.concat(chunks).toString("utf8");
        const out = await handleControl(model, {
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          body: text ? JSON.parse(text) : undefined,
        });
        res.writeHead(out.status, { "content-type": "application/json" }).end(JSON.stringify(out.body));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port, thumbprint };
}

function writeLabJson(dir: string, port: number, thumbprint: string, password = "s3cret-pw"): void {
  writeFileSync(
    join(dir, "lab.json"),
    JSON.stringify({ url: `https://127.0.0.1:${port}/sdk`, username: "labadmin", password, thumbprint }),
    { mode: 0o600 },
  );
}

test("client and CLI: pinned thumbprint, basic auth, errors as V2kError codes, LAB_NOT_RUNNING", { timeout: 120_000 }, async () => {
  await withLab("minimal", async (model, dir) => {
    const { server, port, thumbprint } = await serveControl(model, dir);
    try {
      writeLabJson(dir, port, thumbprint);
      const client = LabControlClient.fromDir(dir);
      const w = await client.write({ vm: "web01", disk: 0, offset: 3 * MiB, length: 4096, seed: 9 });
      assert.equal(w.diskKey, 2000);
      const h = await client.diskHash({ vm: "web01", disk: 2000, snapshot: null });
      assert.equal(h.sha256, await model.diskHash("vm-101", 2000, null));
      await assert.rejects(
        client.write({ vm: "web01", disk: 7, offset: 0, length: 1, seed: 1 }),
        (e: unknown) => e instanceof V2kError && e.code === "VSPHERE_FAULT",
      );

      // the CLI, as an admin runs it
      const helper = "dist/ablestack_v2k";
      const cli = (...args: string[]) => run(helper, ["--json", "lab", ...args, "--dir", dir]);
      const last = (r: RunResult) => JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      const cw = await cli("write", "--vm", "web01", "--disk", "1", "--offset", "64K", "--length", "1M", "--seed", "3");
      assert.equal(cw.status, 0, cw.stdout + cw.stderr);
      assert.deepEqual(
        await model.openDatastoreFile("ds2", "web01/web01_1-flat.vmdk").read(65536, 65536 + 100),
        guestPattern(3, 65536, 100),
      );
      const ch = await cli("disk-hash", "--vm", "vm-101", "--disk", "16000");
      assert.equal(last(ch).data.sha256, await model.diskHash("vm-101", 16000, null));
      const cf = await cli("fault", "--kind", "datastore-read-errors", "--count", "2");
      assert.equal(cf.status, 0, cf.stdout + cf.stderr);
      assert.equal(model.faults().datastoreReadErrors, 2);
      const ci = await run(helper, ["lab", "inventory", "--dir", dir]);
      assert.match(ci.stdout, /web01 \(vm-101\) poweredOn/);
      const cu = await cli("write", "--vm", "web01", "--disk", "0", "--offset", "1X", "--length", "1");
      assert.equal(cu.status, 2);
      assert.equal(last(cu).error.code, "USAGE");
      assert.ok(!(await cli("inventory")).stdout.includes("s3cret-pw"), "the password never reaches the output");

      writeLabJson(dir, port, "00:" + thumbprint.slice(3));
      await assert.rejects(LabControlClient.fromDir(dir).inventory(), (e: unknown) => e instanceof V2kError && e.code === "TLS_UNTRUSTED");
      writeLabJson(dir, port, thumbprint, "wrong-pw");
      await assert.rejects(LabControlClient.fromDir(dir).inventory(), (e: unknown) => e instanceof V2kError && e.code === "LOGIN_FAILED");
    } finally {
      await new Promise((r) => server.close(r));
    }
    writeLabJson(dir, port, thumbprint);
    await assert.rejects(LabControlClient.fromDir(dir).inventory(), (e: unknown) => e instanceof V2kError && e.code === "LAB_NOT_RUNNING");
    const r = await run("dist/ablestack_v2k", ["--json", "lab", "inventory", "--dir", dir]);
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout.trim().split("\n").at(-1)!).error.code, "LAB_NOT_RUNNING");
  });
});
