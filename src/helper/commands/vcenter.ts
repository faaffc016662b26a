// `vcenter probe` shows a vCenter's certificate (for the admin to confirm before pinning it) and
// `vcenter vms` lists its VMs for the page's VM picker. Both change nothing.
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { parseVcenterUrl } from "../config/vcenter-access";
import { vcenterDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { fetchServerCertificate } from "../config/tls-trust";
import { withVsphere } from "../vsphere/session";
import { V2kError } from "../../shared/v2k-error";
import { type VcenterVmsResult, type VcenterProbeResult } from "../../shared/results";

const vcenterOptions = optionSpecs(vcenterDecls);

export const vcenterProbeCommand = defineCommand({
  path: ["vcenter", "probe"],
  summary: "show the vCenter's TLS certificate thumbprint (nothing is trusted or stored)",
  options: { vcenter: vcenterOptions.vcenter! },
  schema: z.object({ vcenter: z.string().min(1).optional(), positionals: z.array(z.string()).max(0) }),
  render: (data) => (data as VcenterProbeResult).thumbprint,
  async run(o): Promise<VcenterProbeResult> {
    const raw = o.vcenter ?? process.env.GOVC_URL;
    if (!raw) throw new V2kError("USAGE", "no vCenter URL given", "Pass --vcenter URL or set GOVC_URL.");
    if (/\/\/[^/]*@/.test(raw))
      throw new V2kError("USAGE", "credentials in --vcenter would be visible in the process list", "Pass only the address.");
    const { url, host, port } = parseVcenterUrl(raw);
    const cert = await fetchServerCertificate(host, port);
    const x = new X509Certificate(cert.pem);
    return {
      url,
      thumbprint: cert.thumbprint,
      subject: x.subject.replace(/\n/g, ", "),
      issuer: x.issuer.replace(/\n/g, ", "),
      notAfter: x.validTo,
    };
  },
});

export const vcenterVmsCommand = defineCommand({
  path: ["vcenter", "vms"],
  summary: "list the vCenter's VMs with power state, disks and networks",
  options: { ...vcenterOptions },
  schema: z.object({ positionals: z.array(z.string()).max(0), ...zodFields(vcenterDecls) }),
  render: (data) => (data as VcenterVmsResult).vms.map((v) => `${v.name}\t${v.powerState}\t${v.disks.length} disk(s)`).join("\n"),
  async run(o, ctx): Promise<VcenterVmsResult> {
    return withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, undefined, async ({ bridge }) => bridge.vmList());
  },
});
