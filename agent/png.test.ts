import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PNG_SIGNATURE, crc32, encodePng } from "./png";
import { renderProgressScreenshot } from "./screenshot";

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

function readChunks(png: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("ascii", offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    expect(crc).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    chunks.push({ type, data, crc });
    offset += 12 + length;
  }
  expect(offset).toBe(png.length);
  return chunks;
}

describe("crc32", () => {
  it("matches the standard check value", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("IEND"))).toBe(0xae426082);
  });
});

describe("encodePng", () => {
  it("writes signature, IHDR, IDAT and IEND with valid CRCs and the exact pixels", () => {
    const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = encodePng({ width: 2, height: 2, pixels });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    const ihdr = chunks[0]!.data;
    expect(ihdr.length).toBe(13);
    expect(ihdr.readUInt32BE(0)).toBe(2);
    expect(ihdr.readUInt32BE(4)).toBe(2);
    expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);

    const raw = inflateSync(chunks[1]!.data);
    // Each row: filter byte 0, then 2 pixels × RGB.
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]);
  });

  it("refuses a pixel buffer of the wrong size", () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(11) })).toThrow(/12 bytes/);
    expect(() => encodePng({ width: 0, height: 2, pixels: new Uint8Array(0) })).toThrow(/positive/);
  });
});

describe("renderProgressScreenshot", () => {
  it("renders a valid PNG whose bar grows with progress", () => {
    const at = (progress: number) => inflateSync(readChunks(renderProgressScreenshot(progress, 100, 120, 60))[1]!.data);
    const quarter = at(25);
    const full = at(100);
    expect(quarter.length).toBe(60 * (120 * 3 + 1));
    expect(quarter.equals(full)).toBe(false);
    expect(at(25).equals(quarter)).toBe(true); // deterministic
  });
});
