#!/usr/bin/python3
# Generates vim-schema.generated.ts: the vSphere 6.7.1 (vim.version.version13) type metadata the lab's
# SOAP codec needs, read from Debian's pyVmomi so that element names, order and types match what
# pyVmomi's strict parser accepts. Run: /usr/bin/python3 src/lab/soap/schema/gen-vim-schema.py
import json, os, sys
from pyVmomi import VmomiSupport as V

VERSION = "vim.version.version13"

DATA_ROOTS = """
ServiceContent AboutInfo UserSession LocalizedMethodFault LocalizableMessage KeyAnyValue
ObjectContent DynamicProperty MissingProperty RetrieveResult RetrieveOptions PropertyFilterSpec PropertySpec
ObjectSpec SelectionSpec TraversalSpec UpdateSet PropertyFilterUpdate ObjectUpdate PropertyChange MissingObject
WaitOptions TaskInfo TaskReasonUser TaskReasonSystem TaskInfoState
VirtualMachineConfigInfo VirtualMachineConfigSpec VirtualMachineFileInfo ToolsConfigInfo VirtualMachineFlagInfo
VirtualMachineDefaultPowerOpInfo VirtualHardware VirtualMachineBootOptions OptionValue ResourceAllocationInfo SharesInfo
VirtualMachineConfigInfoDatastoreUrlPair
VirtualMachineRuntimeInfo VirtualMachineConnectionState GuestInfo GuestNicInfo GuestDiskInfo
VirtualMachineSummary VirtualMachineConfigSummary VirtualMachineQuickStats VirtualMachineGuestSummary VirtualMachineStorageSummary
VirtualMachineSnapshotInfo VirtualMachineSnapshotTree DiskChangeInfo DiskChangeExtent VirtualMachineCapability
VirtualMachineFileLayoutEx VirtualMachineFileLayoutExFileInfo VirtualMachineFileLayoutExDiskLayout VirtualMachineFileLayoutExDiskUnit
VirtualMachineFileLayoutExSnapshotLayout
Description VirtualDevicePciBusSlotInfo VirtualDeviceConnectInfo
ParaVirtualSCSIController VirtualLsiLogicController VirtualLsiLogicSASController VirtualBusLogicController
VirtualAHCIController VirtualNVMEController VirtualIDEController VirtualPCIController VirtualPS2Controller VirtualSIOController
VirtualKeyboard VirtualPointingDevice VirtualMachineVideoCard VirtualMachineVMCIDevice
VirtualDisk VirtualDiskFlatVer2BackingInfo VirtualDiskRawDiskMappingVer1BackingInfo
VirtualVmxnet3 VirtualE1000 VirtualE1000e VirtualEthernetCardNetworkBackingInfo
VirtualEthernetCardDistributedVirtualPortBackingInfo DistributedVirtualSwitchPortConnection
VirtualCdrom VirtualCdromRemotePassthroughBackingInfo VirtualCdromAtapiBackingInfo VirtualPointingDeviceDeviceBackingInfo
VirtualDeviceConfigSpec
DatastoreSummary DatastoreInfo NetworkSummary DVPortgroupConfigInfo DVSSummary
HostListSummary HostConfigSummary HostRuntimeInfo HostHardwareSummary HostListSummaryQuickStats
ClusterComputeResourceSummary ComputeResourceSummary ResourcePoolSummary ResourceConfigSpec
ManagedByInfo CustomFieldValue CustomFieldStringValue CustomFieldDef
MethodFault RuntimeFault InvalidArgument InvalidRequest InvalidState InvalidPowerState FileFault FileNotFound
ManagedObjectNotFound NotAuthenticated InvalidLogin MethodNotFound NotFound ToolsUnavailable SnapshotFault
TaskInProgress GenericVmConfigFault InvalidProperty InvalidType SystemError RequestCanceled NotSupported
InvalidCollectorVersion InvalidDatastore VmConfigFault InvalidName NoPermission SecurityError NotEnoughLicenses
Event VmEvent HostEvent TaskEvent EventEx VmPoweredOnEvent VmPoweredOffEvent VmReconfiguredEvent VmGuestShutdownEvent
UserLoginSessionEvent UserLogoutSessionEvent VmEventArgument HostEventArgument DatacenterEventArgument
ComputeResourceEventArgument EntityEventArgument EventArgument
EventFilterSpec EventFilterSpecByEntity EventFilterSpecByTime EventFilterSpecByUsername EventDescription
EventDescriptionEventDetail ElementDescription TypeDescription TaskDescription
TaskFilterSpec TaskFilterSpecByEntity TaskFilterSpecByTime TaskFilterSpecByUsername
HostDatastoreBrowserSearchSpec HostDatastoreBrowserSearchResults FileInfo FolderFileInfo VmDiskFileInfo VmConfigFileInfo
VmNvramFileInfo VmLogFileInfo VmSnapshotFileInfo FileQuery FileQueryFlags FolderFileQuery VmDiskFileQuery
VmDiskFileQueryFilter VmDiskFileQueryFlags VmConfigFileQuery VmConfigFileQueryFilter VmConfigFileQueryFlags
TemplateConfigFileQuery VmNvramFileQuery VmLogFileQuery VmSnapshotFileQuery IsoImageFileQuery FloppyImageFileQuery
VirtualMachineConfigOptionDescriptor InvalidDatastorePath
""".split()

MANAGED_ROOTS = """
ServiceInstance SessionManager PropertyCollector PropertyFilter ViewManager ContainerView ListView ManagedObjectView View
SearchIndex Folder Datacenter ComputeResource ClusterComputeResource HostSystem ResourcePool Datastore Network
DistributedVirtualPortgroup DistributedVirtualSwitch VmwareDistributedVirtualSwitch VirtualMachine
VirtualMachineSnapshot Task ManagedEntity ExtensibleManagedObject TaskManager FileManager VirtualDiskManager
EventManager HistoryCollector EventHistoryCollector TaskHistoryCollector HostDatastoreBrowser EnvironmentBrowser
""".split()

METHODS = {
  "ServiceInstance": ["RetrieveServiceContent", "CurrentTime"],
  "SessionManager": ["Login", "Logout", "SessionIsActive", "TerminateSession"],
  "PropertyCollector": ["RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "CancelRetrievePropertiesEx",
                        "RetrieveProperties", "CreateFilter", "WaitForUpdates", "WaitForUpdatesEx", "CheckForUpdates",
                        "CancelWaitForUpdates", "CreatePropertyCollector", "DestroyPropertyCollector"],
  "PropertyFilter": ["DestroyPropertyFilter"],
  "ViewManager": ["CreateContainerView", "CreateListView"],
  "ListView": ["ModifyListView", "ResetListView"],
  "EventManager": ["QueryEvents", "CreateCollectorForEvents"],
  "TaskManager": ["CreateCollectorForTasks"],
  "HistoryCollector": ["SetCollectorPageSize", "DestroyCollector", "ResetCollector", "RewindCollector"],
  "EventHistoryCollector": ["ReadNextEvents", "ReadPreviousEvents"],
  "TaskHistoryCollector": ["ReadNextTasks", "ReadPreviousTasks"],
  "HostDatastoreBrowser": ["SearchDatastore_Task", "SearchDatastoreSubFolders_Task"],
  "EnvironmentBrowser": ["QueryConfigOptionDescriptor"],
  "View": ["DestroyView"],
  "SearchIndex": ["FindByInventoryPath", "FindByUuid", "FindAllByUuid", "FindChild"],
  "VirtualMachine": ["ReconfigVM_Task", "CreateSnapshot_Task", "QueryChangedDiskAreas", "PowerOnVM_Task",
                     "PowerOffVM_Task", "ShutdownGuest", "ConsolidateVMDisks_Task", "RevertToCurrentSnapshot_Task"],
  "VirtualMachineSnapshot": ["RemoveSnapshot_Task", "RevertToSnapshot_Task"],
}

PRIMS = {str: "string", bool: "boolean", int: "int", float: "float", V.long: "long", V.short: "short",
         V.byte: "byte", V.double: "double", V.PropertyPath: "string", V.ManagedMethod: "string",
         V.URI: "anyURI", V.binary: "base64Binary", object: "anyType"}
import datetime
PRIMS[datetime.datetime] = "dateTime"
PRIMS[type] = "string"

def is_valid(version):
    return V.IsChildVersion(VERSION, version)

def type_ref(t, want):
    """Type name as the schema writes it; records data/enum types to include."""
    if issubclass(t, list) and t is not list:
        return type_ref(t.Item, want) + "[]"
    if t in PRIMS:
        return PRIMS[t]
    if issubclass(t, V.ManagedObject):
        return "MOR:" + t._wsdlName
    if issubclass(t, V.Enum):
        want.add(t)
        return t._wsdlName
    if issubclass(t, V.DataObject):
        want.add(t)
        return t._wsdlName
    raise SystemExit("unknown type %r" % (t,))

def main():
    out_data, out_enums, out_managed, out_methods = {}, {}, {}, {}
    want = set()
    for name in DATA_ROOTS:
        want.add(V.GetWsdlType("urn:vim25", name))
    done = set()
    while want - done:
        t = sorted(want - done, key=lambda x: x._wsdlName)[0]
        done.add(t)
        if issubclass(t, V.Enum):
            out_enums[t._wsdlName] = 1
            continue
        base = t.__bases__[0]
        base_name = None
        if base is not V.DataObject and issubclass(base, V.DataObject):
            want.add(base)
            base_name = base._wsdlName
        fields = []
        own = [p for p in t._propList if p not in base._propList] if base_name else t._propList
        for p in own:
            if not is_valid(p.version):
                continue
            # Expand only types reached from roots by base chains; other data field types stay names.
            sub = set()
            ref = type_ref(p.type, sub)
            for s in sub:
                if issubclass(s, V.Enum):
                    want.add(s)
            fields.append([p.name, ref, 1 if p.flags & V.F_OPTIONAL else 0])
        out_data[t._wsdlName] = {"base": base_name, "fields": fields}
    for name in MANAGED_ROOTS:
        t = V.GetWsdlType("urn:vim25", name)
        base = t.__bases__[0]
        base_name = base._wsdlName if base is not V.ManagedObject and issubclass(base, V.ManagedObject) else None
        own = [p for p in t._propList if base_name is None or p not in base._propList]
        props = []
        for p in own:
            if is_valid(p.version):
                props.append([p.name, type_ref(p.type, set()), 1 if p.flags & V.F_OPTIONAL else 0])
        out_managed[name] = {"base": base_name, "props": props}
    for mo, names in METHODS.items():
        t = V.GetWsdlType("urn:vim25", mo)
        for info in t._methodInfo.values():
            if info.wsdlName not in names:
                continue
            params = [[p.name, type_ref(p.type, set()), 1 if p.flags & V.F_OPTIONAL else 0] for p in info.params
                      if is_valid(p.version)]
            result = None if info.result is type(None) else type_ref(info.result, set())
            out_methods[info.wsdlName] = {"on": mo, "params": params, "result": result}
        missing = set(names) - {i.wsdlName for i in t._methodInfo.values()}
        if missing:
            raise SystemExit("methods not found on %s: %s" % (mo, missing))
    # Names of every data type and its base (so polymorphic checks work for types outside the table).
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vim-schema.generated.ts"), "w") as f:
        f.write("// GENERATED by gen-vim-schema.py from pyVmomi (vim.version.version13 = API 6.7.1). Do not edit.\n")
        f.write("// Field tuples: [name, type, optional]; type is a primitive, a data/enum wsdl name, MOR:<type>, with [] for arrays.\n")
        f.write("import { type VimSchemaJson } from \"./schema-types\";\n\n")
        f.write("export const vimSchema: VimSchemaJson = " + json.dumps(
            {"data": out_data, "enums": out_enums, "managed": out_managed, "methods": out_methods},
            indent=None, separators=(",", ":"), sort_keys=True) + ";\n")
    print("data types %d, enums %d, managed %d, methods %d" % (len(out_data), len(out_enums), len(out_managed),
                                                              len(out_methods)), file=sys.stderr)

main()
