import { Level } from 'level'
const [dir, pat] = process.argv.slice(2)
const db = new Level(dir, { valueEncoding: 'utf8' })
for await (const [k, v] of db.iterator()) {
  if (k.startsWith(pat)) console.log(k.slice(0,140), v.slice(0, 300))
}
await db.close()
