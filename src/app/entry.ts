import "./node-version"; // first: an old Node.js gets a clear error before anything else runs
import { main } from "../kit/cli/main";
import { program } from "./program";

main(program, process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // main() catches everything; reaching here is a bug in main itself.
    process.stderr.write(`ablestack_v2k: fatal: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
