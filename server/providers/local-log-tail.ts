// Follows the local sandbox's log files and passes new lines to `onOutput`.
//
// The command writes straight into its log files rather than into pipes to the worker: a pipe
// would break when the worker dies and kill the agent with SIGPIPE. The worker that started the
// command (or one that re-attached) therefore reads the files as they grow.
import { openSync, readSync, closeSync, statSync } from "node:fs";
import { LineSplitter } from "./line-splitter";

export interface TailedFile {
  path: string;
  stream: "stdout" | "stderr";
  /** Byte offset to start reading from. */
  offset: number;
}

export interface LogTail {
  /** Reads what is left, emits any unterminated last line and stops following. */
  stop(): void;
}

export interface LogTailOptions {
  files: TailedFile[];
  onOutput: (line: string, stream: "stdout" | "stderr") => void;
  /** Polled after each read; once true the tail drains the files one last time and stops. */
  isFinished: () => boolean;
  onStopped?: () => void;
  pollMs?: number;
}

/** Size of `path`, 0 when it does not exist yet. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function startLogTail(options: LogTailOptions): LogTail {
  const pollMs = options.pollMs ?? 100;
  const readers = options.files.map((file) => ({
    ...file,
    splitter: new LineSplitter((line) => options.onOutput(line, file.stream)),
  }));
  const buffer = Buffer.alloc(64 * 1024);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // Synchronous reads keep each poll atomic, so a stop() can never interleave with a read.
  const drain = () => {
    for (const reader of readers) {
      let fd: number;
      try {
        fd = openSync(reader.path, "r");
      } catch {
        continue; // not created yet
      }
      try {
        for (;;) {
          const n = readSync(fd, buffer, 0, buffer.length, reader.offset);
          if (n === 0) break;
          reader.offset += n;
          reader.splitter.push(buffer.subarray(0, n));
        }
      } finally {
        closeSync(fd);
      }
    }
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    drain();
    for (const reader of readers) reader.splitter.flush();
    // Never from inside startLogTail itself (a process already gone stops the tail at once):
    // callers get the handle before they hear that it stopped.
    if (options.onStopped) queueMicrotask(options.onStopped);
  };

  const tick = () => {
    if (stopped) return;
    drain();
    if (options.isFinished()) {
      stop();
      return;
    }
    timer = setTimeout(tick, pollMs);
    // Following output is a side show: it must never keep a worker from exiting.
    timer.unref();
  };
  tick();
  return { stop };
}
