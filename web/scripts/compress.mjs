// Writes a gzip (level 9) sibling "X.gz" next to every compressible file in
// dist/ that is larger than 1 KiB. The C server sends X.gz when the client
// accepts gzip, so nothing is compressed at request time.
import { readdir, readFile, writeFile, stat, unlink } from 'node:fs/promises'
import { join, extname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync, constants } from 'node:zlib'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const EXTENSIONS = new Set(['.js', '.css', '.html', '.svg', '.json'])
const MIN_SIZE = 1024

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(full)
    else if (entry.isFile()) yield full
  }
}

let count = 0
let rawTotal = 0
let gzTotal = 0
for await (const file of walk(dist)) {
  if (!EXTENSIONS.has(extname(file))) continue
  const info = await stat(file)
  const target = file + '.gz'
  if (info.size <= MIN_SIZE) {
    // A stale .gz from an earlier build must not shadow a small file.
    await unlink(target).catch(() => {})
    continue
  }
  const data = await readFile(file)
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION })
  await writeFile(target, gz)
  count += 1
  rawTotal += data.length
  gzTotal += gz.length
  console.log(`${relative(dist, file).padEnd(48)} ${String(data.length).padStart(8)} -> ${String(gz.length).padStart(7)} gz`)
}
console.log(`compress: ${count} file(s), ${rawTotal} bytes -> ${gzTotal} bytes gzipped`)
