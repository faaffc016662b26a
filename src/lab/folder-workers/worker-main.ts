// Entry of a lab datastore worker process (forked by the lab; bundled as dist/helper/lab/datastore-worker.mjs).
import { runDatastoreWorker } from "./worker";

if (!process.send) {
  process.stderr.write("a lab datastore worker is started by 'ablestack_v2k lab start', not by hand\n");
  process.exitCode = 2;
} else
  void runDatastoreWorker().then(() => {
    // open handles (a client mid-response) must not keep a worker of a gone lab alive
    setTimeout(() => process.exit(0), 2000).unref();
  });
