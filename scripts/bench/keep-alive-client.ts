// The load generators' HTTP/1.1 client: one keep-alive TCP connection, one request at a time,
// requests written as one string and answers read by their Content-Length (a connection the server
// closed, e.g. after its keep-alive timeout, is opened again for the next request). The benchmarks
// run on the same 2-core machine as the server and PostgreSQL, so every millisecond of CPU the load
// generator spends is taken from what is measured: node:http's client cost 0.57 ms of CPU per
// bench:dispatch round trip (a claim and a result), this one 0.16–0.18 ms. The server sees
// ordinary HTTP/1.1 requests either way.
import net from "node:net";

export interface Answer {
  status: number;
  body: string;
}

const HEADER_END = Buffer.from("\r\n\r\n");

export class KeepAliveConnection {
  private socket: net.Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve(a: Answer): void; reject(e: Error): void } | null = null;

  private constructor(private readonly url: URL) {}

  static async open(url: URL): Promise<KeepAliveConnection> {
    const c = new KeepAliveConnection(url);
    await c.connect();
    return c;
  }

  /** Sends one request and resolves with its answer; `headers` are written as given (plus Host and Content-Length). */
  async request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    if (this.waiting) throw new Error("one request at a time on a connection");
    if (!this.socket) await this.connect();
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.url.host}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    return new Promise<Answer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket!.write(`${head}\r\n${body ?? ""}`);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(this.url.port), this.url.hostname, () => {
        socket.off("error", reject);
        resolve();
      });
      socket.once("error", reject);
      socket.setNoDelay(true);
      socket.on("data", (chunk: Buffer) => {
        this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
        this.answer();
      });
      const fail = (err: Error) => {
        if (this.socket === socket) {
          this.socket = null;
          this.buffered = Buffer.alloc(0);
        }
        const w = this.waiting;
        this.waiting = null;
        w?.reject(err);
      };
      socket.on("error", fail);
      socket.on("close", () => fail(new Error("the server closed the connection")));
      this.socket = socket;
    });
  }

  private answer() {
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0 || !this.waiting) return;
    const head = this.buffered.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length && /\r\ntransfer-encoding:/i.test(head)) {
      this.waiting.reject(new Error("a chunked answer: this client reads answers by Content-Length only"));
      this.waiting = null;
      return;
    }
    const size = length ? Number(length[1]) : 0;
    if (this.buffered.length < end + 4 + size) return;
    const text = this.buffered.toString("utf8", end + 4, end + 4 + size);
    this.buffered = this.buffered.subarray(end + 4 + size);
    const w = this.waiting;
    this.waiting = null;
    w.resolve({ status, body: text });
  }
}
