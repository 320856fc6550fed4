// Takes the leading indentation and the comments out of a bundle without moving a line, and
// shifts the source map's columns to match (scripts/bundle.mjs). A node keeps its bundle's
// whole source in memory for as long as it runs (V8 compiles functions lazily and prints them
// with toString), and a fifth of esbuild's output is indentation. Lines stay where they were,
// so stack traces keep their line numbers; a line only ever loses a prefix (indentation, the
// end of a block comment) or a suffix (a comment), so columns move by the prefix, which the
// source map is told. Text inside strings, template literals and regular expressions is never
// touched, and legal comments (license notices, /*! … */) and //# pragmas stay.
//
// The lexer decides "/" (division or regular expression) from the previous token, which is not
// the full grammar; so check() compares esbuild's whitespace- and comment-free printing of the
// input and the output, and the build fails if they differ anywhere.
import { transform } from 'esbuild'

const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'])

/** Ranges [start, end) of the comments in `src`, and the offsets inside strings, templates or regular expressions where a line starts. */
function lex (src) {
  const comments = []
  const inLiteralLineStarts = new Set()
  const n = src.length
  let i = 0
  let prev = '' // last significant token: a punctuator character, 'word', 'num', 'str', 'regex' or ')' / ']' / '}'
  let prevWord = ''
  const braces = [] // for each open "{": true when it opened a template's ${
  const markNewlines = (from, to) => {
    for (let k = from; k < to; k++) if (src.charCodeAt(k) === 10) inLiteralLineStarts.add(k + 1)
  }
  const template = () => { // at src[i] just after "`" or "}": scan template characters
    const start = i
    while (i < n) {
      const c = src[i]
      if (c === '\\') { i += 2; continue }
      if (c === '`') { i++; markNewlines(start, i); prev = 'str'; return }
      if (c === '$' && src[i + 1] === '{') { i += 2; markNewlines(start, i); braces.push(true); prev = '{'; return }
      i++
    }
    throw new Error('unterminated template literal')
  }
  while (i < n) {
    const c = src[i]
    const code = src.charCodeAt(i)
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i)
      const e = end === -1 ? n : end
      comments.push([i, e])
      i = e
      continue
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      if (end === -1) throw new Error('unterminated block comment')
      comments.push([i, end + 2])
      i = end + 2
      continue
    }
    if (c === '"' || c === "'") {
      const start = i
      i++
      while (i < n && src[i] !== c) { if (src[i] === '\\') i++; i++ }
      i++
      markNewlines(start, i) // a line continuation (backslash, newline) inside a string
      prev = 'str'
      continue
    }
    if (c === '`') { i++; template(); continue }
    if (c === '/') {
      const regex = prev === '' || (prev === 'word' ? REGEX_AFTER_WORD.has(prevWord) : !(prev === 'num' || prev === 'str' || prev === 'regex' || prev === ')' || prev === ']' || prev === '}'))
      if (regex) {
        const start = i
        i++
        let cls = false
        while (i < n) {
          const d = src[i]
          if (d === '\\') { i += 2; continue }
          if (d === '\n') throw new Error(`regular expression runs past its line at offset ${start}`)
          if (cls) { if (d === ']') cls = false } else if (d === '[') cls = true; else if (d === '/') break
          i++
        }
        i++
        while (i < n && /[a-z]/.test(src[i])) i++
        prev = 'regex'
        continue
      }
      i++
      prev = '/'
      continue
    }
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || c === '_' || c === '$' || c === '#' || c === '\\' || code > 127) {
      const start = i
      while (i < n && /[\w$\\\u0080-\uffff]/.test(src[i])) i++
      if (i === start) i++
      prevWord = src.slice(start, i)
      prev = 'word'
      continue
    }
    if (code >= 48 && code <= 57) {
      while (i < n && /[\w.]/.test(src[i])) i++
      prev = 'num'
      continue
    }
    if (c === '.' && /[0-9]/.test(src[i + 1] ?? '')) {
      i++
      while (i < n && /[\w.]/.test(src[i])) i++
      prev = 'num'
      continue
    }
    if (c === '{') { braces.push(false); prev = '{'; i++; continue }
    if (c === '}') {
      const t = braces.pop()
      i++
      if (t === true) { template(); continue }
      prev = '}'
      continue
    }
    // "++" / "--" after an operand end an expression ("a++ / 2"); elsewhere they start one.
    if ((c === '+' || c === '-') && src[i + 1] === c) {
      const after = prev === 'word' ? !REGEX_AFTER_WORD.has(prevWord) : (prev === 'num' || prev === 'str' || prev === 'regex' || prev === ')' || prev === ']' || prev === '}')
      i += 2
      prev = after ? ')' : c
      continue
    }
    prev = c
    i++
  }
  if (braces.length !== 0) throw new Error('unbalanced braces')
  return { comments, inLiteralLineStarts }
}

const KEEP_COMMENT = /^\/\/[#@]\s|^\/\*!|^\/\/!|@license|@preserve|copyright/i

/**
 * Strips `src` (a bundle) and rewrites `map` (its source map, parsed) to match.
 * Returns { code, map }.
 */
export function strip (src, map) {
  const { comments, inLiteralLineStarts } = lex(src)
  const drop = new Uint8Array(src.length) // 1 = character removed
  for (const [a, b] of comments) {
    if (KEEP_COMMENT.test(src.slice(a, b))) continue
    for (let k = a; k < b; k++) if (src.charCodeAt(k) !== 10) drop[k] = 1
  }
  // Per line: remove the leading whitespace (unless the line starts inside a literal), the
  // comments at its start and end; put back any removed character between two kept ones.
  const out = []
  const shifts = []
  let lineStart = 0
  while (lineStart <= src.length) {
    let lineEnd = src.indexOf('\n', lineStart)
    if (lineEnd === -1) lineEnd = src.length
    const literal = inLiteralLineStarts.has(lineStart)
    let first = -1
    let last = -1
    for (let k = lineStart; k < lineEnd; k++) {
      if (drop[k] === 1) continue
      const ch = src.charCodeAt(k)
      if (ch === 32 || ch === 9 || ch === 13) continue
      if (first === -1) first = k
      last = k
    }
    let line
    let shift = 0
    if (first === -1) {
      line = literal ? src.slice(lineStart, lineEnd) : ''
    } else {
      const head = literal ? lineStart : first
      // Inside [head, last]: keep everything (a comment between two tokens stays).
      line = src.slice(head, last + 1)
      shift = head - lineStart
      // Keep the whitespace at the end of a line inside a literal that goes on to the next line.
      if (inLiteralLineStarts.has(lineEnd + 1) || (literal && first === -1)) line = src.slice(head, lineEnd)
    }
    out.push(line)
    shifts.push(shift)
    if (lineEnd === src.length) break
    lineStart = lineEnd + 1
  }
  return { code: out.join('\n'), map: shiftMap(map, shifts) }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX = new Map([...B64].map((c, k) => [c, k]))

function readVlq (s, pos) {
  let result = 0
  let shiftBits = 0
  for (;;) {
    const digit = B64_INDEX.get(s[pos++])
    if (digit === undefined) throw new Error('bad source map VLQ')
    result += (digit & 31) * 2 ** shiftBits
    shiftBits += 5
    if ((digit & 32) === 0) break
  }
  const value = result % 2 === 1 ? -(result - 1) / 2 : result / 2
  return { value, pos }
}

function writeVlq (value) {
  let v = value < 0 ? (-value) * 2 + 1 : value * 2
  let s = ''
  do {
    let digit = v % 32
    v = Math.floor(v / 32)
    if (v > 0) digit |= 32
    s += B64[digit]
  } while (v > 0)
  return s
}

/** Moves every mapping's generated column left by its line's shift (never below 0). */
function shiftMap (map, shifts) {
  const lines = map.mappings.split(';')
  map.mappings = lines.map((line, l) => {
    const shift = shifts[l] ?? 0
    if (shift === 0 || line === '') return line
    let col = 0
    let newCol = 0
    return line.split(',').map(seg => {
      const { value, pos } = readVlq(seg, 0)
      col += value
      const c = Math.max(0, col - shift)
      const out = writeVlq(c - newCol) + seg.slice(pos)
      newCol = c
      return out
    }).join(',')
  }).join(';')
  return map
}

/** Throws unless `a` and `b` are the same program once esbuild drops whitespace and comments. */
export async function check (a, b, what) {
  const opts = { minifyWhitespace: true, legalComments: 'none', format: 'esm', loader: 'js', target: 'esnext' }
  const [x, y] = await Promise.all([transform(a, opts), transform(b, opts)])
  if (x.code !== y.code) {
    let k = 0
    while (k < x.code.length && x.code[k] === y.code[k]) k++
    throw new Error(`strip-source changed the program ${what} near: ${JSON.stringify(x.code.slice(Math.max(0, k - 80), k + 80))}`)
  }
}
