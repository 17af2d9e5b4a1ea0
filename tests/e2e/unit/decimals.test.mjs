// Amounts compared and added as the screens do (ui/js/format.js): decimal strings in, exact
// results out, never through a float. Pure functions, no app needed:  node --test tests/e2e/unit/

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const FORMAT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../ui/js/format.js");

/** As dates.test.mjs: the module itself, or its source as a data: URL on older Node. */
async function load(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch {
    return import(`data:text/javascript,${encodeURIComponent(fs.readFileSync(file, "utf8"))}`);
  }
}

const fmt = await load(FORMAT);

test("decimal strings compare exactly, whatever their number of decimals", () => {
  assert.equal(fmt.compareDecimal("10.5", "10.50"), 0);
  assert.equal(fmt.compareDecimal("2", "10"), -1, "as numbers, not as text");
  assert.equal(fmt.compareDecimal("-1", "0.001"), -1);
  assert.equal(fmt.compareDecimal("-0.10", "-0.2"), 1);
  // Beyond a float's 15 digits: 0.1 + 0.2 style errors cannot happen.
  assert.equal(fmt.compareDecimal("12345678901234567.01", "12345678901234567.02"), -1);
  assert.equal(fmt.compareDecimal("", "0"), -1, "no amount sorts first");
  assert.equal(fmt.compareDecimal(null, undefined), 0);
  const sorted = ["30.00", "-75.00", "45", "0.00", "61.61"].sort(fmt.compareDecimal);
  assert.deepEqual(sorted, ["-75.00", "0.00", "30.00", "45", "61.61"]);
});

test("the sign of an amount", () => {
  assert.deepEqual(["0.01", "-3", "-0.00", "0", "", "abc"].map(fmt.signOf), [1, -1, 0, 0, 0, 0]);
});

test("decimal strings add up exactly", () => {
  assert.equal(fmt.sumDecimal(["0.1", "0.2"]), "0.3");
  assert.equal(fmt.sumDecimal(["12.5", "-0.25"]), "12.25");
  assert.equal(fmt.sumDecimal(["-0.1", "0.05"]), "-0.05");
  assert.equal(fmt.sumDecimal(["-5.00", "2.5"]), "-2.50");
  assert.equal(fmt.sumDecimal(["1", "2"]), "3");
  assert.equal(fmt.sumDecimal([]), "0");
  assert.equal(fmt.sumDecimal(["45.00", "", null, "30.00"]), "75.00", "empty values are skipped");
  assert.equal(fmt.sumDecimal(["99999999999999999.99", "0.01"]), "100000000000000000.00");
});

test("a bar's label: whole units, or millions to one decimal, rounded half up once", () => {
  fmt.setCountry("ZA");
  const plain = (s) => s.replace(/[\u00a0\u202f]/g, " ");
  assert.equal(plain(fmt.barMoney("3269.91", "ZAR")), "R 3 270");
  assert.equal(plain(fmt.barMoney("999999.49", "ZAR")), "R 999 999");
  assert.equal(plain(fmt.barMoney("568588874.20", "ZAR")), "R 568,6 m");
  assert.equal(plain(fmt.barMoney("1249999.50", "ZAR")), "R 1,2 m", "not rounded twice (1 250 000, then 1,3 m)");
  assert.equal(plain(fmt.barMoney("1250000", "ZAR")), "R 1,3 m");
  assert.equal(plain(fmt.barMoney("9999999.99", "ZAR")), "R 10,0 m");
  assert.equal(plain(fmt.barMoney("52.57", "EUR")), "EUR 53");
});
