// Export a migration's report: the JSON record and a readable summary, downloaded by the browser.
import { type Manifest } from "../../../shared/manifest";
import { _ } from "../../i18n";
import { Button, Flex } from "../../pf";
import { reportFileBase, reportJson, reportSummary } from "./report";

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportReport({ manifest, workdir }: { manifest: Manifest; workdir: string }) {
  const base = reportFileBase(manifest);
  return (
    <Flex>
      <Button
        variant="link"
        isInline
        id="v2k-export-json"
        onClick={() => download(`${base}.json`, reportJson(manifest, workdir), "application/json")}
      >
        {_("Export report (JSON)")}
      </Button>
      <Button
        variant="link"
        isInline
        id="v2k-export-summary"
        onClick={() => download(`${base}.txt`, reportSummary(manifest, workdir), "text/plain")}
      >
        {_("Export summary (text)")}
      </Button>
    </Flex>
  );
}
