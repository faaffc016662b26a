// SOAP-level behaviour govc relies on, through the lab's service without a network: private property
// collectors scope their filters and versions; SessionManager.currentSession reads as unset without a
// session (govc's cache tells a stale cookie that way); a datacenter inside folders is reachable by path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LabSoapService } from "../../../src/lab/soap/service";
import { datacenterPath } from "../../../src/lab/soap/objects/ids";
import { type LabModelApi } from "../../../src/lab/model/types";
import { withLab } from "./helpers";

const env = (inner: string) =>
  '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;

async function client(svc: LabSoapService) {
  let cookie: string | undefined;
  const call = async (inner: string) => {
    const r = await svc.handle(env(inner), { cookie, ip: "127.0.0.1", userAgent: "unit", signal: new AbortController().signal });
    if (r.setCookie) cookie = r.setCookie;
    return r;
  };
  return { call };
}

const login =
  '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>u</userName><password>p</password></Login>';
const filterOn = (pc: string, vm: string) =>
  `<CreateFilter xmlns="urn:vim25"><_this type="PropertyCollector">${pc}</_this><spec>` +
  `<propSet><type>VirtualMachine</type><pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm}</obj></objectSet>` +
  "</spec><partialUpdates>false</partialUpdates></CreateFilter>";
const waitOn = (pc: string) =>
  `<WaitForUpdatesEx xmlns="urn:vim25"><_this type="PropertyCollector">${pc}</_this><version></version>` +
  "<options><maxWaitSeconds>0</maxWaitSeconds></options></WaitForUpdatesEx>";

test("private property collectors: own filters and versions, destroyed with DestroyPropertyCollector", async () => {
  await withLab("minimal", async (model) => {
    const svc = new LabSoapService(model, { username: "u", password: "p" }, "uuid-1");
    const c = await client(svc);
    const probe =
      '<RetrieveProperties xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet>' +
      '<type>SessionManager</type><pathSet>currentSession</pathSet></propSet><objectSet><obj type="SessionManager">SessionManager</obj></objectSet></specSet></RetrieveProperties>';
    const anon = await c.call(probe);
    assert.equal(anon.status, 200, "currentSession is readable (unset) without a session");
    assert.doesNotMatch(anon.body, /UserSession/);
    const denied = await c.call(waitOn("propertyCollector"));
    assert.match(denied.body, /NotAuthenticated/);

    assert.equal((await c.call(login)).status, 200);
    const created = await c.call(
      '<CreatePropertyCollector xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this></CreatePropertyCollector>',
    );
    const pc = /<returnval type="PropertyCollector">([^<]+)<\/returnval>/.exec(created.body)?.[1];
    assert.ok(pc?.startsWith("session["), created.body);
    assert.equal((await c.call(filterOn(pc!, "vm-101"))).status, 200);
    assert.match((await c.call(waitOn(pc!))).body, /poweredOn/, "the private collector reports its filter");
    assert.doesNotMatch((await c.call(waitOn("propertyCollector"))).body, /poweredOn/, "the shared collector has no filter");
    await c.call(`<DestroyPropertyCollector xmlns="urn:vim25"><_this type="PropertyCollector">${pc}</_this></DestroyPropertyCollector>`);
    assert.match((await c.call(waitOn(pc!))).body, /ManagedObjectNotFound/);
    await svc.close();
  });
});

test("a datacenter inside folders: the folder chain leads to it and /folder's dcPath is its path", async () => {
  await withLab("minimal", async (model) => {
    const nested: LabModelApi = new Proxy(model, {
      get(target, prop, receiver) {
        if (prop === "inventory")
          return () => ({ ...target.inventory(), datacenter: { ...target.inventory().datacenter, folder: "Region/East" } });
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const svc = new LabSoapService(nested, { username: "u", password: "p" }, "uuid-1");
    const index = svc.buildIndex(undefined);
    const names: string[] = [];
    for (let ref = index.objects.get("group-d1")!.props["childEntity"]!() as { value: string }[]; ref.length > 0;) {
      const o = index.objects.get(ref[0]!.value)!;
      names.push(String(o.props["name"]!()));
      ref = (o.props["childEntity"]?.() as { value: string }[] | undefined) ?? [];
    }
    assert.deepEqual(names, ["Region", "East", "lab-dc"]);
    assert.equal(datacenterPath(nested.inventory().datacenter), "Region/East/lab-dc");
    await svc.close();
  });
});
