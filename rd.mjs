import { Level } from 'level'
const db = new Level(process.argv[2], { valueEncoding: 'utf8' })
const pre = process.argv[3]
for await (const [k, v] of db.iterator({ gte: pre, lt: pre + '\uffff' })) console.log(k.slice(0,80), v.slice(0, 260))
await db.close()
