// The server side of a WebSocket, just enough for the Daytona stand-in to stream a command's log
// the way Daytona's toolbox does: handshake, binary frames out, close. Frames the client sends
// (only its close reply, in this use) are not parsed; the connection is torn down either way.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export interface ServerWebSocket {
  sendBinary(payload: Buffer): void;
  close(): void;
  /** Called once when the connection ends, whichever side ended it. */
  onClose(listener: () => void): void;
}

/** Completes the upgrade handshake, or answers 400 and returns null if the request is not one. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): ServerWebSocket | null {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || req.headers.upgrade?.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return null;
  }
  const accept = createHash("sha1")
    .update(key + HANDSHAKE_GUID)
    .digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  let closed = false;
  const listeners: Array<() => void> = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const listener of listeners) listener();
  };
  socket.on("close", finish);
  socket.on("error", finish);
  socket.on("data", (data: Buffer) => {
    if (((data[0] ?? 0) & 0x0f) === 0x8) socket.end(); // the client's close frame
  });
  return {
    sendBinary(payload) {
      if (!closed) socket.write(frame(0x2, payload));
    },
    close() {
      if (closed) return;
      socket.end(frame(0x8, Buffer.from([0x03, 0xe8]))); // 1000: normal closure
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}

/** A single unmasked final frame (servers never mask, RFC 6455 §5.1). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  header[0] = 0x80 | opcode;
  return Buffer.concat([header, payload]);
}
