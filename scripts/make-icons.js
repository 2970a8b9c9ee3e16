#!/usr/bin/env node
'use strict';
// Draws the extension's icons and writes them as PNG (RGBA, no dependencies beyond node:zlib):
//   images/extension-icon.png  128x128  Marketplace icon (vss-extension.json "icons.default")
//   task/icon.png              32x32    task icon shown in the pipeline editor
// The motif: a white key over a blue rounded square, with a small three-node "federation" mark on the
// key's bow. Shapes are signed-distance functions sampled 4x4 per pixel, so edges are anti-aliased
// and the output is byte-for-byte reproducible. Usage: node scripts/make-icons.js [--check]
// (--check exits 1 if a committed icon differs from what this script draws).

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const root = path.resolve(__dirname, '..');
const OUTPUTS = [
  { file: path.join(root, 'images', 'extension-icon.png'), size: 128 },
  { file: path.join(root, 'task', 'icon.png'), size: 32 },
];

// ---- geometry (unit square, y down) ----
const length = (x, y) => Math.sqrt(x * x + y * y);

function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x - 0.5) - (half - radius);
  const qy = Math.abs(y - 0.5) - (half - radius);
  return length(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function segment(x, y, ax, ay, bx, by, radius) {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return length(px - dx * t, py - dy * t) - radius;
}

const circle = (x, y, cx, cy, r) => length(x - cx, y - cy) - r;

// The key runs diagonally from its bow (upper left) to its tip (lower right).
const BOW = { x: 0.36, y: 0.36, outer: 0.205, inner: 0.085 };
const TIP = { x: 0.80, y: 0.80 };
const SHAFT = 0.058;
const dir = (() => { const dx = TIP.x - BOW.x, dy = TIP.y - BOW.y, l = length(dx, dy); return { x: dx / l, y: dy / l }; })();
const normal = { x: dir.y, y: -dir.x }; // perpendicular, pointing up-right

function keyShape(x, y) {
  const ring = Math.max(circle(x, y, BOW.x, BOW.y, BOW.outer), -circle(x, y, BOW.x, BOW.y, BOW.inner));
  const shaft = segment(x, y, BOW.x + dir.x * 0.15, BOW.y + dir.y * 0.15, TIP.x, TIP.y, SHAFT);
  // Two bits (teeth) hanging off the shaft near the tip, on the lower-left side.
  const teeth = [0.80, 0.93].map((t) => {
    const along = BOW.x + (TIP.x - BOW.x) * t, alongY = BOW.y + (TIP.y - BOW.y) * t;
    return segment(x, y, along, alongY, along - normal.x * 0.13, alongY - normal.y * 0.13, SHAFT * 0.8);
  });
  return Math.min(ring, shaft, ...teeth);
}

// Three linked nodes inside the bow: the identities that federate.
function federationMark(x, y) {
  const cx = BOW.x, cy = BOW.y, r = 0.019;
  const nodes = [[cx, cy - 0.045], [cx - 0.04, cy + 0.028], [cx + 0.04, cy + 0.028]];
  return Math.min(...nodes.map(([nx, ny]) => circle(x, y, nx, ny, r)));
}

function mix(a, b, t) { return a + (b - a) * t; }

// Straight-alpha RGBA of one sample point.
function sample(x, y) {
  if (roundedSquare(x, y, 0.5, 0.19) > 0) return [0, 0, 0, 0];
  // Background: Azure blue, lighter at the top.
  let color = [mix(0x1a, 0x00, y), mix(0x8c, 0x5a, y), mix(0xe6, 0xb4, y)];
  if (keyShape(x, y) <= 0) color = [0xff, 0xff, 0xff];
  if (federationMark(x, y) <= 0) color = [0xff, 0xb9, 0x00];
  return [color[0], color[1], color[2], 255];
}

function render(size) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [cr, cg, cb, ca] = sample((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca; // premultiplied accumulation
        }
      }
      const o = (py * size + px) * 4;
      const n = samples * samples;
      pixels[o + 3] = Math.round(a / n);
      if (a > 0) {
        pixels[o] = Math.round(r / a); pixels[o + 1] = Math.round(g / a); pixels[o + 2] = Math.round(b / a);
      }
    }
  }
  return pixels;
}

// ---- PNG encoding ----
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;  // bit depth
  ihdr[9] = 6;  // colour type: RGBA
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // deflate, adaptive filtering, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, size } of OUTPUTS) {
    const png = encodePng(size, render(size));
    if (check) {
      const current = fs.existsSync(file) ? fs.readFileSync(file) : null;
      if (!current || !current.equals(png)) { stale++; console.error(`${path.relative(root, file)} differs from scripts/make-icons.js`); }
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, png);
      console.log(`wrote ${path.relative(root, file)} (${size}x${size}, ${png.length} bytes)`);
    }
  }
  process.exit(stale ? 1 : 0);
}

if (require.main === module) main();
module.exports = { encodePng, render, crc32 };
