// Import cycles among the page's ES modules (ui/js): two screens importing each other load in an
// order that depends on which is imported first, and a function of one may be undefined while the
// other starts. Reads the `import … from "…"`, `export … from "…"` and `import("…")` of each file;
// only relative specifiers count (the page has no bare imports).
//
//   node tests/e2e/lib/import-cycles.mjs [DIR]    prints each cycle, exits 1 if there is one
//   import { importGraph, findCycles } from "./import-cycles.mjs"   (tests/e2e/unit/imports.test.mjs)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const UI_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../ui/js");

const STATIC = /\b(?:import|export)\s+(?:[\w$*\s{},]*?\s*from\s*)?["']([^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The module specifiers a source text imports (comments left out). */
export function specifiers(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(STATIC), ...code.matchAll(DYNAMIC)].map((m) => m[1]);
}

/** {file (relative to dir) → [files it imports]} for every .js/.mjs file under `dir`. */
export function importGraph(dir = UI_JS) {
  const graph = {};
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.m?js$/.test(entry.name)) {
        const rel = path.relative(dir, full);
        graph[rel] = specifiers(fs.readFileSync(full, "utf8"))
          .filter((s) => s.startsWith("./") || s.startsWith("../"))
          .map((s) => path.relative(dir, path.resolve(path.dirname(full), s)));
      }
    }
  };
  walk(dir);
  return graph;
}

/** Cycles found by a depth-first walk (at least one whenever there is any), once each, as [a, b, …, a]. */
export function findCycles(graph) {
  const cycles = new Map();
  const state = {};
  const stack = [];
  const visit = (node) => {
    state[node] = "open";
    stack.push(node);
    for (const next of graph[node] || []) {
      if (state[next] === "open") {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]);
        const turned = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.set(turned.join(" → "), [...turned, turned[0]]);
      } else if (!state[next]) {
        visit(next);
      }
    }
    stack.pop();
    state[node] = "done";
  };
  for (const node of Object.keys(graph).sort()) if (!state[node]) visit(node);
  return [...cycles.keys()].sort().map((key) => cycles.get(key));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(process.argv[2] || UI_JS);
  const cycles = findCycles(importGraph(dir));
  for (const c of cycles) console.log(`cycle: ${c.join(" → ")}`);
  console.log(cycles.length ? `${cycles.length} import cycle(s) under ${dir}` : `no import cycle under ${dir}`);
  process.exit(cycles.length ? 1 : 0);
}
