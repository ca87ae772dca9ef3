// Turns a byte or text stream into lines for `StartInput.onOutput`. Both providers receive
// output in arbitrary chunks (file reads, WebSocket frames) that split lines and UTF-8 sequences.
import { StringDecoder } from "node:string_decoder";

/** A line longer than this is passed on in pieces, so output without newlines cannot grow memory unbounded. */
const MAX_LINE_CHARS = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.emitLine(line);
    while (this.partial.length > MAX_LINE_CHARS) {
      this.emitLine(this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
  }

  /** Emits what is left after the stream ended without a final newline. */
  flush(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (rest.length > 0) this.emitLine(rest);
  }

  private emitLine(line: string): void {
    const clean = line.endsWith("\r") ? line.slice(0, -1) : line;
    try {
      this.emit(clean);
    } catch {
      // A throwing listener must neither stop the stream nor crash the worker from a timer
      // callback; the output is still in the sandbox's own log.
    }
  }
}
