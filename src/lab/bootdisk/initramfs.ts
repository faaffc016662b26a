// A tiny initramfs written directly in the kernel's "newc" cpio format, so it can hold a /dev/console
// device node without root privileges or mknod; gzip-compressed as the kernel expects.
import { gzipSync } from "node:zlib";

export type InitramfsEntry =
  | { kind: "dir"; path: string }
  | { kind: "file"; path: string; data: Buffer; mode: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "chardev"; path: string; major: number; minor: number };

function header(fields: number[], name: string): Buffer {
  const hex = fields.map((f) => (f >>> 0).toString(16).padStart(8, "0")).join("");
  const nameBuf = Buffer.from(name + "\0");
  const head = Buffer.from(`070701${hex}`, "ascii");
  const used = head.length + nameBuf.length;
  return Buffer.concat([head, nameBuf, Buffer.alloc((4 - (used % 4)) % 4)]);
}

function pad4(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
}

/** newc fields: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check */
function entry(ino: number, name: string, mode: number, data: Buffer, rdev: [number, number] = [0, 0]): Buffer {
  const nameSize = Buffer.byteLength(name) + 1;
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameSize, 0];
  return Buffer.concat([header(fields, name), pad4(data)]);
}

export function buildInitramfs(entries: InitramfsEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, "");
    switch (e.kind) {
      case "dir":
        parts.push(entry(ino++, name, 0o040755, Buffer.alloc(0)));
        break;
      case "file":
        parts.push(entry(ino++, name, 0o100000 | e.mode, e.data));
        break;
      case "symlink":
        parts.push(entry(ino++, name, 0o120777, Buffer.from(e.target)));
        break;
      case "chardev":
        parts.push(entry(ino++, name, 0o020600, Buffer.alloc(0), [e.major, e.minor]));
        break;
    }
  }
  parts.push(entry(0, "TRAILER!!!", 0, Buffer.alloc(0)));
  return gzipSync(Buffer.concat(parts), { level: 6 });
}
