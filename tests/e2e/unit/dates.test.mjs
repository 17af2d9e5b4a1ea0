// The company's date format both ways (ui/js/format.js): date() prints "30 Nov 2026" in the
// company's locale, parseDate() reads what a user types into a date input back to ISO, or null.
// Pure functions, no app needed:  node --test tests/e2e/unit/

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const FORMAT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../ui/js/format.js");

/**
 * ui/js has no package.json saying its .js files are ES modules (the webview does not need one):
 * Node ≥ 20.19 finds that out by itself, older ones get the source as a data: URL (format.js
 * imports nothing).
 */
async function load(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch {
    return import(`data:text/javascript,${encodeURIComponent(fs.readFileSync(file, "utf8"))}`);
  }
}

const fmt = await load(FORMAT);

// The countries format.js has conventions for, plus one it does not know (en-GB's).
const COUNTRIES = ["ZA", "US", "GB", "IE", "AU", "NZ", "CA", "SG", "IN", "KE", "NG", "NA", "BW", "DE", "AT", "NL", "BE", "FR", "ES", "IT", "PT", "CH", "SE", "NO", "DK", "PL", "BR", "JP", "AE", "XX"];

/** parseDate of each text in `cases` ({text: expected}) for the company in `country`. */
function reads(country, cases) {
  fmt.setCountry(country);
  for (const [text, expected] of Object.entries(cases)) {
    assert.equal(fmt.parseDate(text), expected, `${country}: ${JSON.stringify(text)}`);
  }
}

test("en-ZA: the company's format, day/month/year and ISO", () => {
  fmt.setCountry("ZA");
  assert.equal(fmt.date("2026-11-30"), "30 Nov 2026");
  assert.equal(fmt.sampleDate(), "30 Nov 2026");
  reads("ZA", {
    "30 Nov 2026": "2026-11-30",
    "30 nov 2026": "2026-11-30",
    "30 NOVEMBER 2026": "2026-11-30",
    "  1 Sept 2026 ": "2026-09-01",
    "1 Sep 2026": "2026-09-01",
    "Nov 30, 2026": "2026-11-30",
    "1st Dec 2026": "2026-12-01",
    "30/11/2026": "2026-11-30",
    "30.11.2026": "2026-11-30",
    "30-11-2026": "2026-11-30",
    "3/4/2026": "2026-04-03",
    "2026-11-30": "2026-11-30",
    "2026/11/30": "2026-11-30",
    "11/30/2026": null,
  });
});

test("en-US: month/day/year", () => {
  fmt.setCountry("US");
  assert.equal(fmt.date("2026-11-30"), "Nov 30, 2026");
  reads("US", {
    "Nov 30, 2026": "2026-11-30",
    "nov 30 2026": "2026-11-30",
    "30 Nov 2026": "2026-11-30",
    "11/30/2026": "2026-11-30",
    "3/4/2026": "2026-03-04",
    "03/10/2026": "2026-03-10",
    "2026-03-10": "2026-03-10",
    "30/11/2026": null,
  });
});

test("de-DE: German month names and abbreviations, English ones too, day.month.year", () => {
  fmt.setCountry("DE");
  assert.equal(fmt.date("2026-11-30"), "30. Nov. 2026");
  reads("DE", {
    "30. Nov. 2026": "2026-11-30",
    "30.11.2026": "2026-11-30",
    "30. März 2026": "2026-03-30",
    "30. MÄRZ 2026": "2026-03-30",
    "30 Mär 2026": "2026-03-30",
    "1. Okt. 2026": "2026-10-01",
    "1 Oct 2026": "2026-10-01",
    "24. Dezember 2026": "2026-12-24",
    "2026-11-30": "2026-11-30",
    "11/30/2026": null,
  });
});

test("ja-JP: year first, as the company's format writes it", () => {
  fmt.setCountry("JP");
  assert.equal(fmt.date("2026-11-30"), "2026年11月30日");
  reads("JP", {
    "2026年11月30日": "2026-11-30",
    "２０２６年１１月３０日": "2026-11-30",
    "2026/11/30": "2026-11-30",
    "2026-11-30": "2026-11-30",
    "2026.1.5": "2026-01-05",
    "30/11/2026": null,
  });
});

test("other locales: sv-SE, fr-FR, pl-PL, pt-BR", () => {
  reads("SE", { "30 nov. 2026": "2026-11-30", "2026-11-30": "2026-11-30", "30/11/2026": "2026-11-30" });
  reads("FR", { "1 févr. 2026": "2026-02-01", "1 fevr 2026": "2026-02-01", "14 juillet 2026": "2026-07-14", "1 jui 2026": null });
  reads("PL", { "30 lis 2026": "2026-11-30", "30 listopada 2026": "2026-11-30", "30.11.2026": "2026-11-30" });
  reads("BR", { "30 de nov. de 2026": "2026-11-30", "30/11/2026": "2026-11-30" });
  assert.equal(fmt.parseDate("11/30/2026", "en-US"), "2026-11-30", "a locale may be given");
});

test("impossible dates, years outside 1900–9999 and anything unclear are refused", () => {
  for (const country of ["ZA", "US", "DE", "JP"]) {
    reads(country, {
      "": null,
      "   ": null,
      "2026-02-29": null,
      "2026-02-30": null,
      "2026-04-31": null,
      "2026-13-01": null,
      "2026-00-10": null,
      "2026-11-00": null,
      "31 Feb 2026": null,
      "1899-12-31": null,
      "10000-01-01": null,
      "2028-02-29": "2028-02-29",
      "2000-02-29": "2000-02-29",
      "1900-02-29": null,
      "1900-01-01": "1900-01-01",
      "9999-12-31": "9999-12-31",
      "30/11/26": null,
      "26-11-30": null,
      "2026-11": null,
      "30 Nov": null,
      "Nov 2026": null,
      "2026-11-30T10:00": null,
      "2026-11-30 12": null,
      "30 Foo 2026": null,
      "30 Nov 2026 Nov": null,
      "Ju 3 2026": null,
      "tomorrow": null,
      "+2026-11-30": null,
    });
  }
  assert.equal(fmt.parseDate(null), null);
  assert.equal(fmt.parseDate(undefined), null);
});

test("every locale reads back what date() prints, in any case", () => {
  for (const country of COUNTRIES) {
    fmt.setCountry(country);
    for (const year of [1900, 2026, 2028, 9999]) {
      for (let month = 1; month <= 12; month++) {
        const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
        for (const day of [1, 9, 13, last]) {
          const iso = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          const shown = fmt.date(iso);
          assert.equal(fmt.parseDate(shown), iso, `${country} (${fmt.locale()}): ${shown}`);
          assert.equal(fmt.parseDate(shown.toUpperCase()), iso, `${country}: ${shown.toUpperCase()}`);
          assert.equal(fmt.parseDate(shown.toLowerCase()), iso, `${country}: ${shown.toLowerCase()}`);
          assert.equal(fmt.parseDate(iso), iso, `${country}: ISO ${iso}`);
        }
      }
    }
  }
});
