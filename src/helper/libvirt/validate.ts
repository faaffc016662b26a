// Schema check of domain XML before it reaches `virsh define` (virt-xml-validate, libxml2-utils).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { exec } from "../../kit/exec";

export async function validateDomainXml(xml: string, signal?: AbortSignal): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-xml-"));
  try {
    const file = join(dir, "domain.xml");
    writeFileSync(file, xml, { mode: 0o600 });
    try {
      await exec("virt-xml-validate", [file, "domain"], { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (e instanceof V2kError && e.code === "PROCESS_FAILED") {
        const detail = (e.detail ?? "").split("\n").slice(1).join("\n").replaceAll(file, "domain.xml").trim();
        throw new V2kError(
          "DOMAIN_XML_INVALID",
          `the generated domain XML does not validate: ${detail.split("\n")[0] ?? e.message}`,
          "This is a bug or an unsupported source configuration; see the detail and the XML in the workdir.",
          { detail, cause: e },
        );
      }
      throw e;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
