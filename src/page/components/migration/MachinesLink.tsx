// A migrated VM opens in Cockpit's Virtual machines page (cockpit-machines), on the system connection where
// cutover defined it. Inside the shell the link jumps there; the href is the same place for a new tab.
import { cockpit } from "../../host/cockpit";
import { _ } from "../../i18n";

/** The shell path of a domain in cockpit-machines (its own route: vm?name=...&connection=...). */
export function machinesPath(domainName: string): string {
  return `/machines#vm?name=${encodeURIComponent(domainName)}&connection=system`;
}

export function MachinesLink({ domainName }: { domainName: string }) {
  const path = machinesPath(domainName);
  return (
    <a
      id="v2k-machines-link"
      href={`/cockpit/@localhost${path}`}
      target="_top"
      onClick={(e) => {
        e.preventDefault();
        cockpit().jump(path);
      }}
    >
      {_("Open in Virtual machines")}
    </a>
  );
}
