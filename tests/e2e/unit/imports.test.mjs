// No import cycle among the page's modules (ui/js): see tests/e2e/lib/import-cycles.mjs.
//   node --test tests/e2e/unit/

import assert from "node:assert/strict";
import { test } from "node:test";
import { findCycles, importGraph, specifiers } from "../lib/import-cycles.mjs";

test("the import reader sees every form of import", () => {
  const source = `// import { x } from "./commented.js";
import * as api from "../api.js";
import {
  h,
  add,
} from "../dom.js";
import "./side-effect.js";
export { a } from './re-export.js';
const later = () => import("./lazy.js");`;
  assert.deepEqual(specifiers(source), ["../api.js", "../dom.js", "./side-effect.js", "./re-export.js", "./lazy.js"]);
});

test("a cycle is found, once", () => {
  const cycles = findCycles({ "a.js": ["b.js"], "b.js": ["c.js", "a.js"], "c.js": ["b.js"], "d.js": ["a.js"] });
  assert.deepEqual(cycles, [["a.js", "b.js", "a.js"], ["b.js", "c.js", "b.js"]]);
});

test("no module of ui/js imports one that imports it back", () => {
  const graph = importGraph();
  assert.ok(Object.keys(graph).includes("screens/invoices.js"), "ui/js was read");
  assert.deepEqual(findCycles(graph), []);
});
