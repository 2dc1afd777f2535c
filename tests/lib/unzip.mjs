// Reads the members of a zip held in memory (stored or deflated, as
// libzip writes them) through its central directory, for tests of
// downloads that are zips: { name: Buffer }.
import { inflateRawSync } from 'node:zlib'

export function unzip(buf) {
  let end = buf.length - 22
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--
  if (end < 0) throw new Error('not a zip: no end of central directory')
  const count = buf.readUInt16LE(end + 10)
  let p = buf.readUInt32LE(end + 16)
  const files = {}
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry')
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8')
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + size)
    files[name] = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : null
    if (!files[name]) throw new Error(`unsupported compression ${method} for ${name}`)
    p += 46 + nameLen + extraLen + commentLen
  }
  return files
}
