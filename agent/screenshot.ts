// Draws the demo agent's "screenshot": a progress bar with the percentage written in a tiny
// bitmap font, so screenshots in the run feed visibly change as the run advances.
import { encodePng } from "./png";

type Rgb = readonly [number, number, number];

const BACKGROUND: Rgb = [24, 26, 33];
const FRAME: Rgb = [90, 96, 110];
const TRACK: Rgb = [40, 44, 54];
const FILL: Rgb = [46, 204, 113];
const FILL_DONE: Rgb = [52, 152, 219];
const INK: Rgb = [236, 240, 241];

// 3x5 glyphs, one string per row, '#' is ink.
const GLYPHS: Record<string, readonly string[]> = {
  "0": ["###", "#.#", "#.#", "#.#", "###"],
  "1": [".#.", "##.", ".#.", ".#.", "###"],
  "2": ["###", "..#", "###", "#..", "###"],
  "3": ["###", "..#", "###", "..#", "###"],
  "4": ["#.#", "#.#", "###", "..#", "..#"],
  "5": ["###", "#..", "###", "..#", "###"],
  "6": ["###", "#..", "###", "#.#", "###"],
  "7": ["###", "..#", "..#", "..#", "..#"],
  "8": ["###", "#.#", "###", "#.#", "###"],
  "9": ["###", "#.#", "###", "..#", "###"],
  "%": ["#.#", "..#", ".#.", "#..", "#.#"],
};

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3);
  }

  fillRect(x: number, y: number, w: number, h: number, [r, g, b]: Rgb): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.floor(x + w));
    const y1 = Math.min(this.height, Math.floor(y + h));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        const i = (py * this.width + px) * 3;
        this.pixels[i] = r;
        this.pixels[i + 1] = g;
        this.pixels[i + 2] = b;
      }
    }
  }

  text(value: string, x: number, y: number, scale: number, color: Rgb): void {
    let cursor = x;
    for (const char of value) {
      const glyph = GLYPHS[char];
      if (glyph) {
        glyph.forEach((row, gy) => {
          for (let gx = 0; gx < row.length; gx++) {
            if (row[gx] === "#") this.fillRect(cursor + gx * scale, y + gy * scale, scale, scale, color);
          }
        });
      }
      cursor += 4 * scale; // 3 columns plus 1 of spacing
    }
  }
}

export function renderProgressScreenshot(progress: number, target: number, width = 320, height = 96): Buffer {
  const ratio = target > 0 ? Math.min(1, Math.max(0, progress / target)) : 1;
  const canvas = new Canvas(width, height);
  canvas.fillRect(0, 0, width, height, BACKGROUND);

  const scale = 4;
  const label = `${Math.floor(ratio * 100)}%`;
  canvas.text(label, 16, 12, scale, INK);

  const bar = { x: 16, y: 12 + 5 * scale + 12, w: width - 32, h: height - (12 + 5 * scale + 12) - 16 };
  canvas.fillRect(bar.x - 2, bar.y - 2, bar.w + 4, bar.h + 4, FRAME);
  canvas.fillRect(bar.x, bar.y, bar.w, bar.h, TRACK);
  canvas.fillRect(bar.x, bar.y, Math.round(bar.w * ratio), bar.h, ratio >= 1 ? FILL_DONE : FILL);
  return encodePng({ width, height, pixels: canvas.pixels });
}
