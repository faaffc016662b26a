import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { findProcesses, processAlive, processCmdline, processState, programOf, terminateProcesses } from "../../../src/kit/process";

test("processAlive: ours alive, a zombie and a gone pid dead; cmdline and program of a process", async () => {
  assert.equal(processAlive(process.pid), true);
  assert.equal(processAlive(1), true, "init exists (EPERM or not)");
  // sh forks a short sleep, then execs a long one that never reaps it: a zombie
  const parent = spawn("sh", ["-c", "sleep 1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    const zombie = Number(await new Promise<string>((res) => parent.stdout!.once("data", (d: Buffer) => res(d.toString()))));
    for (let i = 0; i < 250 && processState(zombie) !== "Z"; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(processState(zombie), "Z");
    assert.equal(processAlive(zombie), false, "a zombie counts as dead");
    assert.deepEqual(processCmdline(zombie), []);
    assert.deepEqual(processCmdline(parent.pid!), ["sleep", "30"]);
    assert.deepEqual(
      findProcesses((argv, pid) => pid === parent.pid && programOf(argv) === "sleep"),
      [parent.pid],
    );
    assert.deepEqual(
      findProcesses((argv, pid) => pid === zombie),
      [],
      "a zombie has no argv to match",
    );
    await terminateProcesses([parent.pid!], 2000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(processAlive(parent.pid!), false);
  } finally {
    parent.kill("SIGKILL");
  }
  assert.equal(processCmdline(2 ** 22 + 7), null, "no such pid");
  assert.equal(processAlive(2 ** 22 + 7), false);
  assert.equal(programOf(["/usr/bin/qemu-nbd", "-t"]), "qemu-nbd");
  assert.equal(programOf([]), "");
});
