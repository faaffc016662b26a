// The helper needs Node.js 20 or newer. Imported first by the entry point, before anything that could
// fail in an obscure way on an older runtime, so an old Node gets one clear error with its fix.
export const MIN_NODE_MAJOR = 20;

export interface NodeVersionProblem {
  code: "NODE_TOO_OLD";
  message: string;
  hint: string;
}

/** null when `version` (process.version, e.g. "v20.11.1") is new enough. */
export function nodeVersionProblem(version: string): NodeVersionProblem | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? NaN);
  if (major >= MIN_NODE_MAJOR) return null;
  return {
    code: "NODE_TOO_OLD",
    message: `ablestack_v2k needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${version}`,
    hint:
      `Rocky/EL 9: dnf module reset nodejs; dnf module enable nodejs:${MIN_NODE_MAJOR}; dnf install nodejs. ` +
      `Debian: install nodejs >= ${MIN_NODE_MAJOR} (e.g. from NodeSource).`,
  };
}

/** Exit 1 with the error (a JSON result line when --json is on the command line). */
function refuseOldNode(): void {
  const problem = nodeVersionProblem(process.version);
  if (!problem) return;
  const error = { code: problem.code, message: problem.message, hint: problem.hint };
  if (process.argv.includes("--json")) {
    process.stdout.write(
      JSON.stringify({ type: "result", ts: new Date().toISOString(), step: "node", command: "node", ok: false, error }) + "\n",
    );
  } else {
    process.stderr.write(`ablestack_v2k: ${problem.message} [${problem.code}]\n  hint: ${problem.hint}\n`);
  }
  process.exit(1);
}

refuseOldNode();
