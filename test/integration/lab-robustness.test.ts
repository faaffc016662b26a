// Bad requests get the faults or HTTP errors a real server returns and never take the lab down;
// a restart of the lab keeps its state (inventory, snapshots, disk content, CBT ids, certificate).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect as tlsConnect } from "node:tls";
import { connect as netConnect } from "node:net";
import { readFileSync } from "node:fs";
import { type TestLab, labControl, labOps, labRequest, soapCall, soapEnvelope, soapLogin, startTestLab } from "../support/lab";

let lab: TestLab;
let cookie: string;

before(async () => {
  lab = await startTestLab({ scenario: "minimal" });
  cookie = await soapLogin(lab);
});
after(async () => {
  await lab?.stop();
});

const body = (r: { body: Buffer }) => r.body.toString("utf8");

async function assertAlive(): Promise<void> {
  const r = await labRequest(lab, { method: "GET", path: "/sdk/vimServiceVersions.xml" });
  assert.equal(r.status, 200);
  assert.match(body(r), /<version>6\.7\.1<\/version>/);
}

function faultType(xml: string): string | undefined {
  return /<detail><(\w+)Fault xmlns="urn:vim25" xsi:type="(\w+)"/.exec(xml)?.[2];
}

test("malformed XML, a non-envelope and unknown elements are InvalidRequest faults (HTTP 500)", async () => {
  const cases = [
    "<not-closed",
    "<?xml version='1.0'?><hello/>",
    `<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this><bogus>1</bogus></RetrieveServiceContent>`,
    `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><nonsense/></propSet><objectSet><obj type="VirtualMachine">vm-101</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    `<QueryChangedDiskAreas xmlns="urn:vim25"><_this type="VirtualMachine">vm-101</_this><deviceKey>abc</deviceKey><startOffset>0</startOffset><changeId>*</changeId></QueryChangedDiskAreas>`,
  ];
  for (const [i, c] of cases.entries()) {
    const raw = i < 2 ? c : soapEnvelope(c);
    const r = await labRequest(lab, { method: "POST", path: "/sdk", headers: { Cookie: cookie, "Content-Type": "text/xml" }, body: raw });
    assert.equal(r.status, 500, `case ${i}`);
    assert.equal(faultType(body(r)), "InvalidRequest", `case ${i}: ${body(r)}`);
  }
  await assertAlive();
});

test("unknown methods and methods on the wrong object are MethodNotFound; bad morefs ManagedObjectNotFound; no session NotAuthenticated", async () => {
  const unknown = await soapCall(
    lab,
    `<FrobnicateVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-101</_this></FrobnicateVM_Task>`,
    cookie,
  );
  assert.equal(unknown.status, 500);
  assert.equal(faultType(body(unknown)), "MethodNotFound");
  assert.match(body(unknown), /<receiver type="VirtualMachine">vm-101<\/receiver><method>FrobnicateVM_Task<\/method>/);
  const wrongType = await soapCall(
    lab,
    `<PowerOnVM_Task xmlns="urn:vim25"><_this type="Datastore">datastore-11</_this></PowerOnVM_Task>`,
    cookie,
  );
  assert.equal(faultType(body(wrongType)), "MethodNotFound");
  const badRef = await soapCall(
    lab,
    `<PowerOnVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-424242</_this></PowerOnVM_Task>`,
    cookie,
  );
  assert.equal(faultType(body(badRef)), "ManagedObjectNotFound");
  assert.match(body(badRef), /<obj type="VirtualMachine">vm-424242<\/obj>/);
  const badProp = await soapCall(
    lab,
    `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>config.noSuchThing</pathSet></propSet><objectSet><obj type="VirtualMachine">vm-101</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    cookie,
  );
  assert.equal(faultType(body(badProp)), "InvalidProperty");
  const badToken = await soapCall(
    lab,
    `<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>nope</token></ContinueRetrievePropertiesEx>`,
    cookie,
  );
  assert.equal(faultType(body(badToken)), "InvalidArgument");
  const noSession = await soapCall(
    lab,
    `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">vm-101</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
  );
  assert.equal(faultType(body(noSession)), "NotAuthenticated");
  // the cookie exactly as pyVmomi echoes it (quoted value plus attributes) is accepted
  const echoed = await soapCall(
    lab,
    `<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>`,
    `${cookie}`,
  );
  assert.equal(echoed.status, 200);
  await assertAlive();
});

test("huge bodies get 413, abrupt disconnects and non-TLS bytes are survived", async () => {
  const huge = await labRequest(lab, {
    method: "POST",
    path: "/sdk",
    headers: { "Content-Type": "text/xml" },
    body: Buffer.alloc(6 * 1024 * 1024, 0x41),
  }).catch((e: Error) => ({ status: -1, body: Buffer.from(e.message), headers: {} }));
  assert.ok(huge.status === 413 || huge.status === -1, `huge body: ${huge.status}`);
  await assertAlive();

  const ca = readFileSync(lab.certFile, "utf8");
  // a request cut off in the middle of its body
  await new Promise<void>((resolve) => {
    const s = tlsConnect({ host: lab.host, port: lab.port, ca }, () => {
      s.write(`POST /sdk HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nContent-Type: text/xml\r\n\r\n<soapenv:Envelope`);
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 100);
    });
    s.on("error", () => resolve());
  });
  // a datastore stream abandoned after the first bytes
  const disk = (await labControl(lab, "GET", "inventory")).vms[0].disks[0];
  const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
  await new Promise<void>((resolve) => {
    const s = tlsConnect({ host: lab.host, port: lab.port, ca }, () => {
      s.write(
        `GET /folder/${m[2]}-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`,
      );
    });
    s.once("data", () => {
      s.destroy();
      resolve();
    });
    s.on("error", () => resolve());
  });
  // plain HTTP and garbage on the TLS port
  await new Promise<void>((resolve) => {
    const s = netConnect(lab.port, lab.host, () => s.end("GET / HTTP/1.1\r\n\r\n\x00\x01\x02garbage"));
    s.on("close", () => resolve());
    s.on("error", () => resolve());
    s.resume();
  });
  const wrongPath = await labRequest(lab, { method: "GET", path: "/nothing" });
  assert.equal(wrongPath.status, 404);
  const control401 = await labRequest(lab, { method: "GET", path: "/v2k-lab/inventory" });
  assert.equal(control401.status, 401);
  await assertAlive();
  const [who] = await labOps(lab, [{ op: "whoami" }]);
  assert.equal(who.ok, lab.username);
});

test("a restart keeps inventory, snapshots, disk content, CBT ids and the certificate; old sessions must log in again", async () => {
  // the VM with the smallest first disk keeps the hashing quick
  const vm = (await labControl(lab, "GET", "inventory")).vms.sort(
    (a: any, b: any) => a.disks[0].capacityBytes - b.disks[0].capacityBytes,
  )[0];
  const [cbt, snap] = await labOps(lab, [
    { op: "reconfig", vm: vm.moref, cbt: true },
    { op: "snapshot_create", vm: vm.moref, name: "survives-restart" },
  ]);
  assert.equal(cbt.ok.state, "success");
  const snapshot = snap.ok.result as string;
  await labControl(lab, "POST", "write", { vm: vm.moref, disk: 0, offset: 1 << 20, length: 3 * 65536, seed: 77 });
  const [cfg] = await labOps(lab, [{ op: "snapshot_config", snapshot }]);
  const hashBefore = await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0 });
  const frozenBefore = await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0, snapshot });
  const { url, thumbprint } = lab;

  await lab.restart();
  assert.equal(lab.url, url);
  assert.equal(lab.thumbprint, thumbprint);
  const oldSession = await soapCall(
    lab,
    `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm.moref}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    cookie,
  );
  assert.equal(faultType(body(oldSession)), "NotAuthenticated");
  cookie = await soapLogin(lab);

  const [info, cfgAfter, qcda] = await labOps(
    lab,
    [
      { op: "vm_info", vm: vm.moref },
      { op: "snapshot_config", snapshot },
      { op: "qcda", vm: vm.moref, snapshot, diskKey: vm.disks[0].key, capacity: vm.disks[0].capacityBytes, changeId: "*" },
    ],
    { mode: "thumbprint" },
  );
  assert.equal(info.ok.cbt, true);
  assert.equal(info.ok.snapshot.current, snapshot);
  assert.deepEqual(cfgAfter.ok, cfg.ok);
  assert.equal(qcda.ok.covered, vm.disks[0].capacityBytes);
  assert.equal((await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0 })).sha256, hashBefore.sha256);
  assert.equal((await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0, snapshot })).sha256, frozenBefore.sha256);
  const [rm] = await labOps(lab, [{ op: "snapshot_remove", snapshot }]);
  assert.equal(rm.ok.state, "success");
});
