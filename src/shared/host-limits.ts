// The host config file's place and the copy limits' defaults: the helper applies them, the option
// declarations print them (src/shared/requests), so both read the same values.
export const HOST_CONFIG_FILE = "/etc/ablestack-v2k/ablestack-v2k.conf";

export const HOST_LIMIT_DEFAULTS = {
  maxParallelDisks: 4,
  maxDisksPerEsxiHost: 8,
  maxDisksPerDatastore: 4,
  bwlimitMBps: 0,
  slotsDir: "/run/ablestack-v2k/slots",
} as const;
