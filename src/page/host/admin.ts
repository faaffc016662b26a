// Whether this session may act as root (Cockpit's "administrative access"): the same probe Cockpit's
// own permission check uses, a null channel opened with superuser "require".
import { cockpit } from "./cockpit";

export function checkAdministrativeAccess(): Promise<boolean> {
  return new Promise((resolve) => {
    const channel = cockpit().channel({ payload: "null", superuser: "require" });
    channel.wait().then(
      () => {
        channel.close();
        resolve(true);
      },
      () => resolve(false),
    );
  });
}
