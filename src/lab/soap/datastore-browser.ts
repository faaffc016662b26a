// HostDatastoreBrowser: SearchDatastore_Task (one folder) and SearchDatastoreSubFolders_Task (a folder
// and everything below), over the files the lab's datastores really hold. As on vSphere: match
// patterns are globs, a VmDiskFileQuery folds a disk's data file into its descriptor's VmDiskFileInfo,
// details decide which attributes are filled, and an unknown folder fails the task with FileNotFound.
import { type DatastoreEntry } from "../model/types";
import { AnyValue, type DataObject, MoRef, data, mor } from "./codec/values";
import { type CallContext, type Handler } from "./call";
import { soapFault } from "./faults";
import { typeRef } from "./schema/schema";

interface Listing {
  folders: Set<string>; // every folder, "" being the root
  files: DatastoreEntry[];
}

const controllerTypes: Record<string, string> = {
  pvscsi: "ParaVirtualSCSIController",
  lsilogic: "VirtualLsiLogicController",
  "lsilogic-sas": "VirtualLsiLogicSASController",
  buslogic: "VirtualBusLogicController",
  sata: "VirtualAHCIController",
  nvme: "VirtualNVMEController",
  ide: "VirtualIDEController",
};

function parsePath(path: string): { ds: string; folder: string } {
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(path.trim());
  if (!m) throw soapFault("InvalidDatastorePath", `Invalid datastore path '${path}'.`, { datastorePath: path });
  return { ds: m[1]!, folder: m[2]!.replace(/^\/+|\/+$/g, "") };
}

function listing(entries: DatastoreEntry[]): Listing {
  const folders = new Set<string>([""]);
  for (const e of entries) {
    const parts = e.path.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  return { folders, files: entries };
}

function globMatch(patterns: string[], name: string, insensitive: boolean): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
      insensitive ? "i" : "",
    );
    return re.test(name);
  });
}

const baseName = (p: string) => p.split("/").pop() ?? p;
const parentOf = (p: string) => p.split("/").slice(0, -1).join("/");

/** FileInfo entries directly inside one folder, as the search spec asks for them. */
function folderEntries(l: Listing, folder: string, spec: DataObject | undefined): DataObject[] {
  const queries = ((spec?.["query"] as DataObject[] | undefined) ?? []).map((q) => q._type);
  const wants = (t: string) => queries.length === 0 || queries.includes("FileQuery") || queries.includes(t);
  const details = spec?.["details"] as DataObject | undefined;
  const patterns = (spec?.["matchPattern"] as string[] | undefined) ?? [];
  const insensitive = spec?.["searchCaseInsensitive"] === true;
  const diskQuery = queries.includes("VmDiskFileQuery");
  const out: DataObject[] = [];
  const attrs = (size: number, modified: string) => ({
    fileSize: details?.["fileSize"] === true ? size : undefined,
    modification: details?.["modification"] === true ? modified : undefined,
    owner: details?.["fileOwner"] === true ? "root" : undefined,
  });
  const typed = details === undefined || details["fileType"] === true;
  const subfolders = [...l.folders].filter((f) => f !== "" && parentOf(f) === folder).sort();
  const folderInfos = wants("FolderFileQuery")
    ? subfolders
        .filter((f) => globMatch(patterns, baseName(f), insensitive))
        .map((f) => data(typed ? "FolderFileInfo" : "FileInfo", { path: baseName(f), ...attrs(0, new Date(0).toISOString()) }))
    : [];
  for (const e of l.files.filter((x) => parentOf(x.path) === folder).sort((a, b) => a.path.localeCompare(b.path))) {
    const name = baseName(e.path);
    if (!globMatch(patterns, name, insensitive)) continue;
    if (diskQuery && e.extent) continue; // shown inside its descriptor's VmDiskFileInfo
    if (diskQuery && e.disk) {
      const extentSize = l.files.find((x) => x.path === e.disk!.extent)?.size ?? 0;
      out.push(
        data("VmDiskFileInfo", {
          path: name,
          ...attrs(e.size + extentSize, e.modified),
          diskType: "VirtualDiskFlatVer2BackingInfo",
          capacityKb: Math.floor(e.disk.capacityBytes / 1024),
          hardwareVersion: 14,
          controllerType: e.disk.controller ? controllerTypes[e.disk.controller] : undefined,
          diskExtents: [baseName(e.disk.extent)],
          thin: e.disk.thin,
        }),
      );
      continue;
    }
    if (!wants("FileQuery") && queries.length > 0) continue;
    out.push(data("FileInfo", { path: name, ...attrs(e.size, e.modified) }));
  }
  return spec?.["sortFoldersFirst"] === true ? [...folderInfos, ...out] : [...out, ...folderInfos];
}

function searchResult(ds: MoRef, dsName: string, folder: string, files: DataObject[]): DataObject {
  return data("HostDatastoreBrowserSearchResults", {
    datastore: ds,
    folderPath: folder === "" ? `[${dsName}]` : `[${dsName}] ${folder}`,
    file: files,
  });
}

function search(c: CallContext, args: Record<string, unknown>, recursive: boolean): MoRef {
  const { ds, folder } = parsePath(String(args["datastorePath"]));
  const spec = args["searchSpec"] as DataObject | undefined;
  const store = c.index.inv.datastores.find((d) => d.name === ds);
  const browserDs = /^datastoreBrowser-(datastore-.*)$/.exec(c.self.value)?.[1];
  const entity = mor("Datastore", store?.moref ?? browserDs ?? "datastore-0");
  const name = recursive ? "SearchDatastoreSubFolders_Task" : "SearchDatastore_Task";
  return c.svc.tasks.start({
    name,
    descriptionId: recursive ? "HostDatastoreBrowser.searchSubFolders" : "HostDatastoreBrowser.search",
    entity,
    entityName: ds,
    userName: c.session?.userName ?? "",
    run: async () => {
      if (!store || (browserDs !== undefined && browserDs !== store.moref)) {
        throw soapFault("InvalidDatastore", `Invalid datastore path '[${ds}] ${folder}'.`, { name: ds });
      }
      const l = listing(c.svc.model.datastoreFiles(ds));
      if (!l.folders.has(folder)) throw soapFault("FileNotFound", `File [${ds}] ${folder} was not found`, { file: `[${ds}] ${folder}` });
      const ref = mor("Datastore", store.moref);
      if (!recursive) return searchResult(ref, ds, folder, folderEntries(l, folder, spec));
      const below = [...l.folders].filter((f) => f === folder || folder === "" || f.startsWith(`${folder}/`)).sort();
      const results = below.map((f) => searchResult(ref, ds, f, folderEntries(l, f, spec)));
      return new AnyValue(typeRef("HostDatastoreBrowserSearchResults[]"), results);
    },
  });
}

export const browserMethods: Record<string, Handler> = {
  SearchDatastore_Task: (c, a) => search(c, a, false),
  SearchDatastoreSubFolders_Task: (c, a) => search(c, a, true),
};
