// A program's exit statuses (main's one exit path picks them). Listed here for help, the reference
// and the tests that run the CLI for each of them.
export const EXIT_CODES = [
  { code: 0, meaning: "done (with --json: the result line has ok true)" },
  { code: 1, meaning: "failed: the result line (--json) or stderr carries the error code, message and hint" },
  { code: 2, meaning: "usage: unknown command or option, invalid option value (error code USAGE)" },
  { code: 3, meaning: "the command answered no: preflight's No-Go (the result line is still ok, with its checks)" },
] as const;
