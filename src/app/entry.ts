import "./node-version"; // first: an old Node.js gets a clear error before anything else runs
import { main } from "../kit/cli/main";
import { programFor } from "./program-for";

const argv = process.argv.slice(2);
programFor(argv)
  .then((program) => main(program, argv))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // main() catches everything; reaching here is a bug in main itself or a module that failed to load.
      process.stderr.write(`ablestack_v2k: fatal: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
