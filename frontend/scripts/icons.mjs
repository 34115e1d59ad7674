// Draws the app's icons (web app manifest, home screen) as PNG with Node's zlib only: a
// window (窗) whose crossbar is the 一 of 一窗, white on the theme colour. Run once and commit
// the files: node scripts/icons.mjs
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

export const THEME = [0x1b, 0x5f, 0xad] // #1b5fad, the manifest's theme_color: white on it is 6.4:1

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** size × size RGBA; `maskable` keeps the drawing inside the central 80 % safe zone and fills the square. */
function icon(size, maskable) {
  const px = Buffer.alloc(size * size * 4)
  const radius = maskable ? 0 : size * 0.18 // a rounded tile; a maskable icon is cut by the platform
  const inset = maskable ? size * 0.3 : size * 0.22 // the window's outer edge
  const stroke = size * 0.07
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4
      // outside the rounded tile: transparent
      const cx = Math.min(Math.max(x + 0.5, radius), size - radius)
      const cy = Math.min(Math.max(y + 0.5, radius), size - radius)
      if (radius && (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > radius ** 2) continue
      const lo = inset
      const hi = size - inset
      const inBox = x >= lo && x < hi && y >= lo && y < hi
      const frame = inBox && (x < lo + stroke || x >= hi - stroke || y < lo + stroke || y >= hi - stroke)
      const mid = size / 2
      const bar = inBox && Math.abs(y + 0.5 - mid) < stroke * 0.75 // 一
      const white = frame || bar
      px[i] = white ? 255 : THEME[0]
      px[i + 1] = white ? 255 : THEME[1]
      px[i + 2] = white ? 255 : THEME[2]
      px[i + 3] = 255
    }
  }
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const dir = new URL('../public/icons/', import.meta.url)
writeFileSync(new URL('icon-192.png', dir), icon(192, false))
writeFileSync(new URL('icon-512.png', dir), icon(512, false))
writeFileSync(new URL('icon-maskable-512.png', dir), icon(512, true))
writeFileSync(new URL('apple-touch-icon.png', dir), icon(180, true))
