// SPDX-License-Identifier: GPL-2.0
// Loads a .speedscope.json with speedscope's own importer (the npm package
// pinned in package.json, installed by `npm ci`) and prints, as JSON, what
// the app would show: the profile group's name and, per profile, its name,
// weight unit, total weight as the app formats it, its frames' names and
// the frames its Time Order view opens, in order.
//
// speedscope ships only its browser bundle: a script that defines its
// modules, then mounts the app on document.body. This runs the bundle in a
// node:vm context with the mount cut off, and takes its import module (the
// one exporting importProfileGroupFromText) by its exports' names; the
// minified names it needs are found in the bundle, not written here.
//
// usage: node import.mjs FILE.speedscope.json
import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const pkgDir = path.dirname(require.resolve('speedscope/package.json'))
const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version
const release = path.join(pkgDir, 'dist/release')
const bundleName = fs.readdirSync(release).find(f => /^speedscope-.*\.js$/.test(f))
if (!bundleName) throw new Error(`no speedscope-*.js in ${release}`)
const src = fs.readFileSync(path.join(release, bundleName), 'utf8')

function found(re, what) {
  const m = src.match(re)
  if (!m) throw new Error(`speedscope ${version}'s bundle has no ${what}`)
  return m[1]
}
const esc = s => s.replace(/\$/g, '\\$')
// var kf={};$l(kf,{importFromFileSystemDirectoryEntry:...,importProfileGroupFromText:...})
const exportsVar = found(/var ([\w$]+)=\{\};[\w$]+\(\1,\{importFromFileSystemDirectoryEntry:/, 'import module')
// Promise.resolve().then(()=>(Sf(),kf)): the module's lazy initializer
const initFn = found(new RegExp(`\\(([\\w$]+)\\(\\),${esc(exportsVar)}\\)`), 'import module initializer')
const mount = src.lastIndexOf('console.log(`speedscope v')
const end = src.lastIndexOf('})();')
if (mount < 0 || end < mount) throw new Error(`speedscope ${version}'s bundle does not end as expected`)
const code = src.slice(0, mount) + `globalThis.__speedscopeImport=(${initFn}(),${exportsVar});` + src.slice(end)

// what the bundle touches of a browser before the app is mounted
const inert = new Proxy(function () {}, {
  get: (t, k) => (k === Symbol.toPrimitive ? () => '' : inert),
  apply: () => inert,
  construct: () => inert,
})
const log = []
const ctx = {
  console: { log: (...a) => log.push(a.join(' ')), warn: () => {}, error: (...a) => log.push(a.join(' ')) },
  setTimeout, clearTimeout, TextDecoder, TextEncoder, URL, Blob, performance,
  window: inert, document: inert, localStorage: inert,
  navigator: { userAgent: 'node' }, location: { hash: '', search: '', href: '' },
}
ctx.globalThis = ctx
ctx.self = ctx
vm.createContext(ctx)
vm.runInContext(code, ctx)

const file = process.argv[2]
const group = await ctx.__speedscopeImport.importProfileGroupFromText(path.basename(file), fs.readFileSync(file, 'utf8'))
if (!group) throw new Error(`speedscope ${version} does not recognize ${file}`)
const out = { importer: `speedscope ${version}`, said: log, name: group.name, profiles: [] }
for (const p of group.profiles) {
  const frames = []
  p.forEachFrame(f => frames.push(f.name))
  const timeOrder = []
  p.forEachCall(node => timeOrder.push(node.frame.name), () => {})
  out.profiles.push({
    name: p.getName(),
    unit: p.getWeightUnit(),
    total: p.getTotalWeight(),
    shown: p.formatValue(p.getTotalWeight()),
    frames,
    timeOrder,
  })
}
console.log(JSON.stringify(out, null, 1))
