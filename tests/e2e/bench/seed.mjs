// Seeds a database with a company profile and N customers through the CLI's `customer import`
// (one generated CSV), as a reseller moving in would. Usage as a module or:
//   node tests/e2e/bench/seed.mjs DB [N]
import fs from "node:fs";
import path from "node:path";
import { cli } from "../lib/app.js";

const FIRST = ["Acacia", "Baobab", "Cedar", "Delta", "Ember", "Fynbos", "Granite", "Harbour", "Indigo", "Jacaranda",
  "Karoo", "Lagoon", "Marula", "Nomad", "Orbit", "Protea", "Quartz", "River", "Summit", "Table", "Umbra", "Vista",
  "Willow", "Xenon", "Yellowwood", "Zebra"];
const SECOND = ["Accounting", "Logistics", "Dental", "Legal", "Engineering", "Bakery", "Motors", "Consulting",
  "Pharmacy", "Architects", "Holdings", "Media", "Travel", "Security", "Farms", "Clinic", "Studios", "Traders"];
const SUFFIX = ["(Pty) Ltd", "CC", "Inc", "and Sons", "Group", "Partners"];

/** Customer n (1-based): a unique, searchable name and domain (`c00042` finds exactly one). */
export function customer(n) {
  const id = String(n).padStart(5, "0");
  const name = `${FIRST[n % FIRST.length]} ${SECOND[Math.floor(n / FIRST.length) % SECOND.length]} ${SUFFIX[n % SUFFIX.length]} c${id}`;
  return {
    name,
    domain: `c${id}.onmicrosoft.com`,
    email: `accounts@c${id}.example.com`,
    country: "ZA",
    currency: "ZAR",
    vat_number: `4${id}0000`,
    payment_terms_days: String([7, 14, 30, 30, 30, 60][n % 6]),
  };
}

function csvField(v) {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function seed(db, n) {
  cli(db, ["init", "--name", "Acme Cloud Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"]);
  const cols = ["name", "domain", "email", "country", "currency", "vat_number", "payment_terms_days"];
  const lines = [cols.join(",")];
  for (let i = 1; i <= n; i++) {
    const c = customer(i);
    lines.push(cols.map((k) => csvField(c[k])).join(","));
  }
  const csv = path.join(path.dirname(db), "customers.csv");
  fs.writeFileSync(csv, lines.join("\n") + "\n");
  const t0 = performance.now();
  cli(db, ["customer", "import", csv]);
  return performance.now() - t0;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [db, n = "10000"] = process.argv.slice(2);
  const ms = seed(db, Number(n));
  console.log(`seeded ${n} customers into ${db} in ${ms.toFixed(0)} ms`);
}
