/**
 * Writes the two icons Teams requires in an app package: color.png (192x192, full colour) and
 * outline.png (32x32, white on transparent). Plain PNGs built with node:zlib, so no image tool is needed.
 * Run: npx tsx teams/manifest/generate-icons.ts
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

type Pixel = [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size: number, pixel: (x: number, y: number) => Pixel): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then pixels
    for (let x = 0; x < size; x++) row.set(pixel(x, y), 1 + x * 4);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A board with three pins: the Callboard mark, drawn in unit coordinates so both sizes share it. */
function mark(u: number, v: number): boolean {
  const inBoard = u > 0.18 && u < 0.82 && v > 0.22 && v < 0.78;
  const inFrame = inBoard && !(u > 0.24 && u < 0.76 && v > 0.28 && v < 0.72);
  const pins = [0.34, 0.5, 0.66].some((cx) => (u - cx) ** 2 + (v - 0.5) ** 2 < 0.055 ** 2);
  return inFrame || pins;
}

const here = new URL(".", import.meta.url);
writeFileSync(
  new URL("color.png", here),
  png(192, (x, y) => (mark((x + 0.5) / 192, (y + 0.5) / 192) ? [255, 255, 255, 255] : [70, 71, 117, 255])),
);
writeFileSync(
  new URL("outline.png", here),
  png(32, (x, y) => (mark((x + 0.5) / 32, (y + 0.5) / 32) ? [255, 255, 255, 255] : [0, 0, 0, 0])),
);
