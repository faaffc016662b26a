// The lab's SOAP layers on their own: type-table driven encoding and decoding, faults, cookies,
// ranges and the property collector's traversal over plain objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeAny, encodeElement } from "../../../src/lab/soap/codec/encode";
import { decodeParams, parseXml } from "../../../src/lab/soap/codec/decode";
import { faultEnvelope, requestMethod, responseEnvelope } from "../../../src/lab/soap/codec/envelope";
import { AnyValue, type DataObject, MoRef, data, mor } from "../../../src/lab/soap/codec/values";
import { SoapFault, faults, fromLabFault } from "../../../src/lab/soap/faults";
import { methodDef, propertyPathType, typeRef } from "../../../src/lab/soap/schema/schema";
import { sessionKeyFromCookie } from "../../../src/lab/soap/sessions";
import { parseRange } from "../../../src/lab/soap/folder";
import { collect, objectContent } from "../../../src/lab/soap/collector";
import { ObjectIndex } from "../../../src/lab/soap/objects/index";
import { LabFault, type LabInventory } from "../../../src/lab/model/types";

const disk = data("VirtualDisk", {
  capacityInKB: 1024,
  key: 2000,
  backing: data("VirtualDiskFlatVer2BackingInfo", {
    fileName: "[ds1] a/a.vmdk",
    diskMode: "persistent",
    datastore: mor("Datastore", "datastore-1"),
    changeId: "52 aa/3",
  }),
  controllerKey: 1000,
});

test("data objects encode in schema order with xsi:type where the runtime type differs", () => {
  const out: string[] = [];
  encodeAny("val", new AnyValue(typeRef("VirtualDevice[]"), [disk]), out);
  const xml = out.join("");
  assert.match(xml, /^<val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="VirtualDisk"><key>2000<\/key>/);
  // inherited VirtualDevice fields come before VirtualDisk's own, whatever the object's key order
  assert.ok(xml.indexOf("<controllerKey>") < xml.indexOf("<capacityInKB>"));
  assert.ok(xml.indexOf("<fileName>") < xml.indexOf("<datastore"), "file backing fields before flat backing fields");
  assert.match(xml, /<backing xsi:type="VirtualDiskFlatVer2BackingInfo">/);
  assert.match(xml, /<datastore type="Datastore">datastore-1<\/datastore>/);
});

test("the encoder refuses fields that do not exist in the 6.7.1 schema and wrong value types", () => {
  assert.throws(
    () => encodeElement("d", data("VirtualDisk", { key: 1, capacityInKB: 1, vDiskVersion: 2 }), typeRef("VirtualDevice"), []),
    /vDiskVersion does not exist/,
  );
  assert.throws(
    () => encodeElement("d", data("Datastore" as string, {}), typeRef("VirtualDevice"), []),
    /not a VirtualDevice|not in the schema/,
  );
  assert.throws(() => encodeElement("k", "x", typeRef("int"), []), /expected integer/);
});

test("primitives, enums and MoRefs in anyType slots carry their xsi:type", () => {
  const enc = (v: unknown) => {
    const out: string[] = [];
    encodeAny("val", v, out);
    return out.join("");
  };
  assert.equal(
    enc(new AnyValue(typeRef("VirtualMachinePowerState"), "poweredOn")),
    '<val xsi:type="VirtualMachinePowerState">poweredOn</val>',
  );
  assert.equal(enc(new AnyValue(typeRef("boolean"), true)), '<val xsi:type="xsd:boolean">true</val>');
  assert.equal(
    enc(mor("VirtualMachineSnapshot", "snapshot-7")),
    '<val type="VirtualMachineSnapshot" xsi:type="ManagedObjectReference">snapshot-7</val>',
  );
  assert.equal(
    enc(new AnyValue(typeRef("MOR:Datastore[]"), [mor("Datastore", "d1")])),
    '<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">d1</ManagedObjectReference></val>',
  );
  assert.equal(enc("a<b"), '<val xsi:type="xsd:string">a&lt;b</val>');
});

test("a task error travels as LocalizedMethodFault in TaskInfo.error", () => {
  const out: string[] = [];
  const info = data("TaskInfo", {
    key: "task-1",
    task: mor("Task", "task-1"),
    name: "CreateSnapshot_Task",
    descriptionId: "x",
    state: "error",
    cancelled: false,
    cancelable: false,
    error: data("LocalizedMethodFault", { fault: data("InvalidArgument", { invalidProperty: "name" }), localizedMessage: "bad" }),
    reason: data("TaskReasonUser", { userName: "u" }),
    queueTime: "2026-01-01T00:00:00Z",
    eventChainId: 1,
  });
  encodeElement("info", info, typeRef("TaskInfo"), out);
  const xml = out.join("");
  assert.match(
    xml,
    /<error><fault xsi:type="InvalidArgument"><invalidProperty>name<\/invalidProperty><\/fault><localizedMessage>bad<\/localizedMessage><\/error>/,
  );
});

test("requests decode through the method's parameter types, TraversalSpec by xsi:type", () => {
  const xml = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
    <RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><all>false</all><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet>
    <objectSet><obj type="ContainerView">session[x]y</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip><selectSet><name>v</name></selectSet></selectSet></objectSet></specSet>
    <options><maxObjects>5</maxObjects></options></RetrievePropertiesEx></soapenv:Body></soapenv:Envelope>`;
  const method = requestMethod(xml);
  assert.equal(method.name, "RetrievePropertiesEx");
  const { self, args } = decodeParams(method, methodDef("RetrievePropertiesEx")!.params);
  assert.deepEqual(self, new MoRef("PropertyCollector", "propertyCollector"));
  const spec = (args["specSet"] as DataObject[])[0]!;
  const propSet = spec["propSet"] as DataObject[];
  assert.deepEqual(propSet[0]!["pathSet"], ["name", "runtime.powerState"]);
  const sel = ((spec["objectSet"] as DataObject[])[0]!["selectSet"] as DataObject[])[0]!;
  assert.equal(sel._type, "TraversalSpec");
  assert.equal((sel["selectSet"] as DataObject[])[0]!._type, "SelectionSpec");
  assert.equal((args["options"] as DataObject)["maxObjects"], 5);
});

test("bad requests are InvalidRequest faults, never exceptions of another kind", () => {
  const bad = [
    () => parseXml("<a><b></a>"),
    () => parseXml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
    () => parseXml("<a>".repeat(5000) + "</a>".repeat(5000)),
    () => requestMethod("<x/>"),
    () =>
      decodeParams(
        parseXml(`<QueryChangedDiskAreas><_this type="VirtualMachine">vm-1</_this><deviceKey>12x</deviceKey></QueryChangedDiskAreas>`),
        methodDef("QueryChangedDiskAreas")!.params,
      ),
    () =>
      decodeParams(
        parseXml(`<QueryChangedDiskAreas><_this type="VirtualMachine">vm-1</_this><deviceKey>1</deviceKey></QueryChangedDiskAreas>`),
        methodDef("QueryChangedDiskAreas")!.params,
      ),
    () => decodeParams(parseXml(`<Logout/>`), methodDef("Logout")!.params),
  ];
  for (const [i, f] of bad.entries()) {
    assert.throws(f, (e: unknown) => e instanceof SoapFault && e.fault._type === "InvalidRequest", `case ${i}`);
  }
});

test("fault envelopes name the fault type as pyVmomi expects; model refusals keep their detail", () => {
  const xml = faultEnvelope(faults.methodNotFound(mor("VirtualMachine", "vm-1"), "Frob"));
  assert.match(
    xml,
    /<faultcode>ServerFaultCode<\/faultcode><faultstring>VirtualMachine:vm-1 does not implement: Frob<\/faultstring><detail><MethodNotFoundFault xmlns="urn:vim25" xsi:type="MethodNotFound"><receiver type="VirtualMachine">vm-1<\/receiver><method>Frob<\/method>/,
  );
  const f = fromLabFault(new LabFault("FileFault", "no cbt", { file: "[ds1] a.vmdk", unrelated: "x" }));
  assert.deepEqual(f.fault, { _type: "FileFault", file: "[ds1] a.vmdk" });
  const monf = fromLabFault(new LabFault("ManagedObjectNotFound", "gone", { obj: "snapshot-9" }));
  assert.deepEqual(monf.fault["obj"], mor("VirtualMachineSnapshot", "snapshot-9"));
  assert.match(
    responseEnvelope("CurrentTime", "2026-01-01T00:00:00Z", typeRef("dateTime")),
    /<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-01T00:00:00Z<\/returnval><\/CurrentTimeResponse>/,
  );
});

test("property path types follow the schema into nested data", () => {
  assert.deepEqual(propertyPathType("VirtualMachine", "config.hardware.device"), typeRef("VirtualDevice[]"));
  assert.deepEqual(propertyPathType("VirtualMachine", "runtime.powerState"), typeRef("VirtualMachinePowerState"));
  assert.deepEqual(propertyPathType("VirtualMachine", "name"), typeRef("string"), "inherited from ManagedEntity");
  assert.equal(propertyPathType("VirtualMachine", "config.nonsense"), undefined);
  assert.equal(propertyPathType("Datastore", "config"), undefined);
});

test("session cookies are read as pyVmomi echoes them", () => {
  assert.equal(sessionKeyFromCookie('vmware_soap_session="abc-1"; Path=/; HttpOnly; Secure;'), "abc-1");
  assert.equal(sessionKeyFromCookie("vmware_soap_session=abc-2; HttpOnly"), "abc-2");
  assert.equal(sessionKeyFromCookie("other=1; vmware_soap_session=abc-3"), "abc-3");
  assert.equal(sessionKeyFromCookie("other=1"), undefined);
  assert.equal(sessionKeyFromCookie(undefined), undefined);
});

test("byte ranges: explicit, open, suffix, clamped, unsatisfiable, ignored", () => {
  assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 100 });
  assert.deepEqual(parseRange("bytes=900-", 1000), { start: 900, end: 1000 });
  assert.deepEqual(parseRange("bytes=-100", 1000), { start: 900, end: 1000 });
  assert.deepEqual(parseRange("bytes=990-5000", 1000), { start: 990, end: 1000 });
  assert.equal(parseRange("bytes=1000-1001", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=0-1,5-6", 1000), undefined);
  assert.equal(parseRange("items=0-1", 1000), undefined);
  assert.equal(parseRange(undefined, 1000), undefined);
});

test("the collector follows TraversalSpecs (with named recursion and skip) over plain objects", () => {
  const index = new ObjectIndex({} as LabInventory);
  const ref = (t: string, v: string) => mor(t, v);
  const root = ref("Folder", "group-d1");
  const dc = ref("Datacenter", "dc-1");
  const vmf = ref("Folder", "group-v1");
  const sub = ref("Folder", "group-v2");
  const vms = [ref("VirtualMachine", "vm-1"), ref("VirtualMachine", "vm-2")];
  index.add(root, { name: () => "Datacenters", childEntity: () => [dc] });
  index.add(dc, { name: () => "dc", vmFolder: () => vmf });
  index.add(vmf, { name: () => "vm", childEntity: () => [vms[0], sub] });
  index.add(sub, { name: () => "sub", childEntity: () => [vms[1]] });
  for (const v of vms)
    index.add(v!, { name: () => `n-${v!.value}`, runtime: () => data("VirtualMachineRuntimeInfo", { powerState: "poweredOn" }) });
  const folderTs = data("TraversalSpec", {
    name: "folder",
    type: "Folder",
    path: "childEntity",
    skip: false,
    selectSet: [data("SelectionSpec", { name: "folder" }), data("SelectionSpec", { name: "dc" })],
  });
  const dcTs = data("TraversalSpec", {
    name: "dc",
    type: "Datacenter",
    path: "vmFolder",
    skip: false,
    selectSet: [data("SelectionSpec", { name: "folder" })],
  });
  const spec = data("PropertyFilterSpec", {
    propSet: [data("PropertySpec", { type: "VirtualMachine", pathSet: ["name", "runtime.powerState", "snapshot"] })],
    objectSet: [data("ObjectSpec", { obj: root, skip: true, selectSet: [folderTs, dcTs] })],
  });
  const got = collect(index, spec);
  assert.deepEqual(
    got.map((o) => o.obj.value),
    ["vm-1", "vm-2"],
  );
  const oc = objectContent(got[1]!);
  // unset properties are left out; nested paths are read from the data object
  assert.deepEqual(
    (oc["propSet"] as DataObject[]).map((p) => p["name"]),
    ["name", "runtime.powerState"],
  );
  assert.throws(
    () =>
      collect(
        index,
        data("PropertyFilterSpec", {
          propSet: [data("PropertySpec", { type: "VirtualMachine", pathSet: ["bogus"] })],
          objectSet: [data("ObjectSpec", { obj: vms[0] })],
        }),
      ),
    (e: unknown) => e instanceof SoapFault && e.fault._type === "InvalidProperty",
  );
  assert.throws(
    () =>
      collect(
        index,
        data("PropertyFilterSpec", { propSet: [], objectSet: [data("ObjectSpec", { obj: ref("VirtualMachine", "vm-404") })] }),
      ),
    (e: unknown) => e instanceof SoapFault && e.fault._type === "ManagedObjectNotFound",
  );
});

test("tasks on one entity run one after another: the later one stays queued; failures carry the typed fault", async () => {
  const { TaskRegistry } = await import("../../../src/lab/soap/tasks");
  let changes = 0;
  const tasks = new TaskRegistry(() => changes++);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const vm = mor("VirtualMachine", "vm-1");
  const a = tasks.start({
    name: "CreateSnapshot_Task",
    descriptionId: "VirtualMachine.createSnapshot",
    entity: vm,
    entityName: "a",
    userName: "u",
    run: async () => {
      await gate;
      return mor("VirtualMachineSnapshot", "snapshot-1");
    },
  });
  const b = tasks.start({
    name: "PowerOffVM_Task",
    descriptionId: "VirtualMachine.powerOff",
    entity: vm,
    entityName: "a",
    userName: "u",
    run: async () => {
      throw new LabFault("InvalidPowerState", "off already", { existingState: "poweredOff" });
    },
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(tasks.get(a.value)!.info["state"], "running");
  assert.equal(tasks.get(b.value)!.info["state"], "queued");
  assert.deepEqual(
    tasks.recentFor("vm-1").map((t) => t.value),
    [a.value, b.value],
  );
  release();
  await tasks.drain();
  assert.equal(tasks.get(a.value)!.info["state"], "success");
  assert.deepEqual(tasks.get(a.value)!.info["result"], mor("VirtualMachineSnapshot", "snapshot-1"));
  const failed = tasks.get(b.value)!.info;
  assert.equal(failed["state"], "error");
  assert.deepEqual((failed["error"] as DataObject)["fault"], { _type: "InvalidPowerState", existingState: "poweredOff" });
  assert.ok(changes >= 4, "every state change notifies update waiters");
});
