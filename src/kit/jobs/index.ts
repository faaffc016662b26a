// The job service: detached jobs (systemd unit or setsid), their operation.json, status, cancel and
// tail. Used by the helper's `job` commands, `run --detach` and the lab's `start --background`.
export { startJob, selfArgv, type StartJobRequest, type StartedJob } from "./launch";
export { superviseJob, superviseArgs, type SuperviseSpec } from "./supervise";
export { cancelJob } from "./cancel";
export { jobStatus, readJobRecord, liveStartTime, OPERATION_FILE, CANCEL_MARK, type JobState, type JobStatus } from "./record";
export { readTail, followFile, type TailChunk } from "./tail";
export { sweepStaleStdinFiles, STDIN_DIR } from "./stdin-file";
export { systemdRunArgv, systemdIsInit, unitNameFor, passedEnvironment, type SystemdRunSpec } from "./systemd";
