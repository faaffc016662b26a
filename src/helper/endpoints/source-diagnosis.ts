// nbdkit reports what went wrong at the remote side (HTTP status, TLS, DNS) only in its log; the
// NBD reply just says EIO. Reading the log turns that into the error code the caller acts on
// (SESSION_EXPIRED -> log in again, TLS_UNTRUSTED -> check the pinned certificate, ...).
import { type ErrorCode } from "../../shared/errors";

export interface SourceDiagnosis {
  code: ErrorCode;
  /** Appended to the endpoint label: "nbdkit curl https://... : <what>". */
  what: string;
  hint: string;
}

const rules: Array<{ test: RegExp; diagnosis: SourceDiagnosis }> = [
  {
    test: /SSL certificate|certificate verify|self[- ]signed|issuer certificate|SSL peer certificate/i,
    diagnosis: {
      code: "TLS_UNTRUSTED",
      what: "the server certificate is not trusted",
      hint: "Check the pinned thumbprint/certificate of the datastore host, or use --insecure deliberately.",
    },
  },
  {
    test: /\b(401|403)\b/,
    diagnosis: {
      code: "SESSION_EXPIRED",
      what: "the datastore refused the session",
      hint: "Log in to vCenter again (the session cookie expired or lacks Datastore.Browse) and re-run.",
    },
  },
  {
    test: /Couldn't connect|Could not resolve|Connection refused|Connection timed out|No route to host/i,
    diagnosis: {
      code: "VCENTER_UNREACHABLE",
      what: "the datastore host is unreachable",
      hint: "Check the network path from this host to the ESXi/vCenter HTTPS port.",
    },
  },
  {
    test: /\b404\b/,
    diagnosis: {
      code: "NBD_SOURCE_FAILED",
      what: "the disk file was not found on the datastore",
      hint: "Check the datastore path of the disk (it changes when snapshots are taken or consolidated).",
    },
  },
];

/** The first rule matching the log, if any. */
export function diagnoseSourceLog(log: string): SourceDiagnosis | undefined {
  return rules.find((r) => r.test.test(log))?.diagnosis;
}
