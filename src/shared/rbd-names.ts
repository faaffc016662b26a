// The RBD image a disk gets when no --target-map-json names one: <vm>-disk<N> in the pool. Shared so the
// page shows the same names init will create.

export function defaultImageName(vmName: string, diskIndex: number): string {
  return `${vmName.replace(/[^A-Za-z0-9._-]/g, "_")}-disk${diskIndex}`;
}
