// Splits a byte stream that arrives in arbitrary chunks into complete lines.
export class LineSplitter {
  private partial = "";

  /** Returns the lines completed by this chunk (without their newline). */
  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l)).filter((l) => l.trim() !== "");
  }

  /** The unterminated tail, when the stream ends without a final newline. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = "";
    return rest.trim() === "" ? [] : [rest];
  }
}
