// Ceph RBD storage: typed adapters over the ceph/rbd CLIs, target names, monitors, cephx key and the
// libvirt secret. Everything that talks to Ceph goes through CephCli (-c CONF --id NAME).
export * from "./ceph-cli";
export * from "./images";
export * from "./target";
export * from "./monitors";
export * from "./client-key";
export * from "./secret";
