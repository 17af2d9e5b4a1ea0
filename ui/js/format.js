// Display of amounts and dates in the company's locale. Money arrives as exact decimal strings
// ("1234.5", "-86.40"): it is formatted as text — digits grouped, separators and the currency
// placed — and never turned into a Number, so no amount is ever rounded or changed here.

// How each country writes numbers and money. `symbol` is used only for the country's own
// currency; other currencies show their ISO code.
const CONVENTIONS = {
  ZA: { locale: "en-ZA", group: "\u00a0", decimal: ",", currency: "ZAR", symbol: "R", after: false, space: true },
  US: { locale: "en-US", group: ",", decimal: ".", currency: "USD", symbol: "$", after: false, space: false },
  GB: { locale: "en-GB", group: ",", decimal: ".", currency: "GBP", symbol: "£", after: false, space: false },
  IE: { locale: "en-IE", group: ",", decimal: ".", currency: "EUR", symbol: "€", after: false, space: false },
  AU: { locale: "en-AU", group: ",", decimal: ".", currency: "AUD", symbol: "$", after: false, space: false },
  NZ: { locale: "en-NZ", group: ",", decimal: ".", currency: "NZD", symbol: "$", after: false, space: false },
  CA: { locale: "en-CA", group: ",", decimal: ".", currency: "CAD", symbol: "$", after: false, space: false },
  SG: { locale: "en-SG", group: ",", decimal: ".", currency: "SGD", symbol: "$", after: false, space: false },
  IN: { locale: "en-IN", group: ",", decimal: ".", currency: "INR", symbol: "₹", after: false, space: false },
  KE: { locale: "en-KE", group: ",", decimal: ".", currency: "KES", symbol: "KSh", after: false, space: true },
  NG: { locale: "en-NG", group: ",", decimal: ".", currency: "NGN", symbol: "₦", after: false, space: false },
  NA: { locale: "en-NA", group: "\u00a0", decimal: ",", currency: "NAD", symbol: "N$", after: false, space: true },
  BW: { locale: "en-BW", group: ",", decimal: ".", currency: "BWP", symbol: "P", after: false, space: false },
  DE: { locale: "de-DE", group: ".", decimal: ",", currency: "EUR", symbol: "€", after: true, space: true },
  AT: { locale: "de-AT", group: "\u00a0", decimal: ",", currency: "EUR", symbol: "€", after: false, space: true },
  NL: { locale: "nl-NL", group: ".", decimal: ",", currency: "EUR", symbol: "€", after: false, space: true },
  BE: { locale: "nl-BE", group: ".", decimal: ",", currency: "EUR", symbol: "€", after: true, space: true },
  FR: { locale: "fr-FR", group: "\u202f", decimal: ",", currency: "EUR", symbol: "€", after: true, space: true },
  ES: { locale: "es-ES", group: ".", decimal: ",", currency: "EUR", symbol: "€", after: true, space: true },
  IT: { locale: "it-IT", group: ".", decimal: ",", currency: "EUR", symbol: "€", after: true, space: true },
  PT: { locale: "pt-PT", group: "\u00a0", decimal: ",", currency: "EUR", symbol: "€", after: true, space: true },
  CH: { locale: "de-CH", group: "’", decimal: ".", currency: "CHF", symbol: "CHF", after: false, space: true },
  SE: { locale: "sv-SE", group: "\u00a0", decimal: ",", currency: "SEK", symbol: "kr", after: true, space: true },
  NO: { locale: "nb-NO", group: "\u00a0", decimal: ",", currency: "NOK", symbol: "kr", after: true, space: true },
  DK: { locale: "da-DK", group: ".", decimal: ",", currency: "DKK", symbol: "kr.", after: true, space: true },
  PL: { locale: "pl-PL", group: "\u00a0", decimal: ",", currency: "PLN", symbol: "zł", after: true, space: true },
  BR: { locale: "pt-BR", group: ".", decimal: ",", currency: "BRL", symbol: "R$", after: false, space: true },
  JP: { locale: "ja-JP", group: ",", decimal: ".", currency: "JPY", symbol: "¥", after: false, space: false },
  AE: { locale: "en-AE", group: ",", decimal: ".", currency: "AED", symbol: "AED", after: false, space: true },
};
const FALLBACK = { locale: "en-GB", group: ",", decimal: ".", currency: "", symbol: "", after: false, space: true };

// Digits after the decimal point where they are not 2 (ISO 4217).
const MINOR_UNITS = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

let conv = FALLBACK;

/** Use the conventions of the company's country (called once the profile is known). */
export function setCountry(country) {
  conv = CONVENTIONS[String(country || "").toUpperCase()] || FALLBACK;
}

export function locale() {
  return conv.locale;
}

export function minorUnits(currency) {
  return MINOR_UNITS[currency] ?? 2;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

function group(digits) {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += conv.group;
    out += digits[i];
  }
  return out;
}

/**
 * A decimal string with grouped digits and the locale's decimal mark, at least `minDigits`
 * after it (padding with zeros: text, not arithmetic). Anything that is not a plain decimal is
 * shown as it came.
 */
export function decimal(value, minDigits = 0) {
  const m = DECIMAL.exec(String(value ?? "").trim());
  if (!m) return String(value ?? "");
  const [, sign, whole, fraction = ""] = m;
  const digits = fraction.length >= minDigits ? fraction : fraction + "0".repeat(minDigits - fraction.length);
  const negative = sign === "-" && /[1-9]/.test(whole + digits);
  return (negative ? "−" : "") + group(whole.replace(/^0+(?=\d)/, "")) + (digits ? conv.decimal + digits : "");
}

/** A decimal string as exact integer units and its number of decimals ({units: BigInt, scale}), or null. */
function exact(value) {
  const m = DECIMAL.exec(String(value ?? "").trim());
  if (!m) return null;
  const [, sign, whole, fraction = ""] = m;
  const units = BigInt(whole + fraction);
  return { units: sign === "-" ? -units : units, scale: fraction.length };
}

function rescale(x, scale) {
  return x.units * 10n ** BigInt(scale - x.scale);
}

/**
 * Compares two decimal strings exactly (text to integers, never a float): −1, 0 or 1. Empty
 * or unreadable values sort before every amount.
 */
export function compareDecimal(a, b) {
  const x = exact(a);
  const y = exact(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  const scale = Math.max(x.scale, y.scale);
  const [p, q] = [rescale(x, scale), rescale(y, scale)];
  return p < q ? -1 : p > q ? 1 : 0;
}

/** The sign of a decimal string: −1, 0 or 1 (0 for an empty or unreadable value). */
export function signOf(value) {
  return exact(value) ? compareDecimal(value, "0") : 0;
}

/**
 * The exact sum of decimal strings ("12.5" + "-0.25" = "12.25"), with as many decimals as the
 * longest of them; empty values are skipped. Integer arithmetic on the digits, never a float.
 */
export function sumDecimal(values) {
  const xs = values.map(exact).filter(Boolean);
  const scale = Math.max(0, ...xs.map((x) => x.scale));
  const total = xs.reduce((sum, x) => sum + rescale(x, scale), 0n);
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return (negative ? "-" : "") + whole + (scale ? "." + fraction : "");
}

/**
 * "R 1 234,56", "$1,234.56", "1.234,56 €", or "USD 1,234.56" for a foreign currency; `digits`:
 * at least that many after the decimal mark (default: the currency's minor units).
 */
export function money(value, currency, digits = minorUnits(currency)) {
  const text = decimal(value, digits);
  const negative = text.startsWith("−");
  const body = negative ? text.slice(1) : text;
  const own = currency && currency === conv.currency && conv.symbol;
  const mark = own ? conv.symbol : currency || "";
  if (!mark) return text;
  const gap = own ? (conv.space ? "\u00a0" : "") : "\u00a0";
  const placed = own && conv.after ? body + gap + mark : mark + gap + body;
  return (negative ? "−" : "") + placed;
}

/** A percentage such as "15" → "15 %" / "15%". */
export function percent(value) {
  return decimal(value) + (conv.decimal === "," ? "\u00a0%" : "%");
}

const dateFormats = new Map();
function dateFormat(options) {
  const key = conv.locale + JSON.stringify(options);
  if (!dateFormats.has(key)) {
    dateFormats.set(key, new Intl.DateTimeFormat(conv.locale, { ...options, timeZone: "UTC" }));
  }
  return dateFormats.get(key);
}

/** "2026-11-30" → "30 Nov 2026" (in the company's locale). */
export function date(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso ? String(iso) : "";
  try {
    return dateFormat({ day: "numeric", month: "short", year: "numeric" }).format(new Date(iso + "T00:00:00Z"));
  } catch {
    return iso;
  }
}

// Reading a typed date ------------------------------------------------------------------------

/** The date that date inputs show as their example (placeholder, error message). */
const SAMPLE = "2026-11-30";

/** "30 Nov 2026": an example of the company's date format, for placeholders and messages. */
export function sampleDate() {
  return date(SAMPLE);
}

// English month names (abbreviations are their first letters: "Sep", "Sept", "Nov").
const ENGLISH_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
// Words that may sit beside the numbers of a date whatever the locale: "1st Dec 2026".
const ENGLISH_FILLERS = ["st", "nd", "rd", "th"];

/** Lower case, without accents or dots: "Févr." → "fevr", "März" → "marz". */
function fold(word) {
  return word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\./g, "");
}

const readers = new Map();

/**
 * What a locale needs to read dates: its month names ([name, month index]: short and long, on
 * their own and inside a date, plus English), the words its date format writes between the
 * numbers (pt-BR "de", ja-JP 年 月 日), and whether it puts the day before the month when the
 * year comes last (from the locale's own numeric format: en-GB, en-ZA 30/11, en-US 11/30).
 */
function reader(loc) {
  if (readers.has(loc)) return readers.get(loc);
  const names = [];
  const fillers = new Set(ENGLISH_FILLERS);
  const words = (text) => (text.normalize("NFKC").match(/\p{L}+/gu) || []).map(fold);
  ENGLISH_MONTHS.forEach((name, m) => names.push([name, m]));
  const formats = [{ month: "short" }, { month: "long" }, { day: "numeric", month: "short", year: "numeric" }, { day: "numeric", month: "long", year: "numeric" }].map(
    (options) => new Intl.DateTimeFormat(loc, { ...options, timeZone: "UTC" }),
  );
  for (let m = 0; m < 12; m++) {
    const when = new Date(Date.UTC(2026, m, 15));
    for (const f of formats) {
      for (const part of f.formatToParts(when)) {
        if (part.type === "month" && !/\d/.test(part.value)) {
          const name = fold(part.value.normalize("NFKC").trim());
          if (name) names.push([name, m]);
        } else if (part.type === "literal" || part.type === "month") {
          for (const w of words(part.value)) fillers.add(w);
        }
      }
    }
  }
  const dayMonth = new Intl.DateTimeFormat(loc, { day: "2-digit", month: "2-digit", timeZone: "UTC" }).formatToParts(new Date(Date.UTC(2026, 10, 30)));
  const dayFirst = dayMonth.findIndex((p) => p.type === "day") < dayMonth.findIndex((p) => p.type === "month");
  const r = { names, fillers, dayFirst };
  readers.set(loc, r);
  return r;
}

/** The month (0–11) a word names: exactly, or as the start (3 letters or more) of one name only. */
function monthOf(r, word) {
  const exact = new Set(r.names.filter(([name]) => name === word).map(([, m]) => m));
  if (exact.size) return exact.size === 1 ? [...exact][0] : null;
  if (word.length < 3) return null;
  const starts = new Set(r.names.filter(([name]) => name.startsWith(word)).map(([, m]) => m));
  return starts.size === 1 ? [...starts][0] : null;
}

/** "YYYY-MM-DD" for a real day between 1900 and 9999, else null. */
function isoOf(y, m, d) {
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * A date as a user types it → "YYYY-MM-DD", or null when it cannot be read for sure (empty,
 * impossible like 31 Feb, a year outside 1900–9999 or not written with 4 digits). Reads:
 * ISO "2026-11-30" (any 4-digit year first: 2026/11/30, 2026.11.30, 2026年11月30日);
 * the company's own format as `date()` prints it, with the month's name or abbreviation in the
 * company's language or in English, in any case ("30 Nov 2026", "Nov 30, 2026", "30. nov. 2026");
 * and numbers with the year last in the locale's order of day and month, separated by "/", ".",
 * "-" or spaces (en-GB, en-ZA, de-DE 30/11/2026, 30.11.2026; en-US 11/30/2026).
 */
export function parseDate(text, loc = conv.locale) {
  const s = String(text ?? "").normalize("NFKC").replace(/\p{Cf}/gu, "").trim();
  if (!s) return null;
  const r = reader(loc);
  const numbers = [];
  let month = null;
  for (const [, digits, word, other] of s.matchAll(/(\d+)|(\p{L}+)|(\S)/gu)) {
    if (digits) {
      numbers.push(digits);
    } else if (word) {
      const w = fold(word);
      if (r.fillers.has(w)) continue;
      const m = monthOf(r, w);
      if (m === null || month !== null) return null;
      month = m;
    } else if (!/^[./,\-]$/.test(other)) {
      return null;
    }
  }
  const short = (n) => n.length <= 2;
  if (month !== null) {
    if (numbers.length !== 2) return null;
    const [a, b] = numbers;
    if (a.length === 4 && short(b)) return isoOf(Number(a), month + 1, Number(b));
    if (b.length === 4 && short(a)) return isoOf(Number(b), month + 1, Number(a));
    return null;
  }
  if (numbers.length !== 3) return null;
  const [a, b, c] = numbers;
  if (a.length === 4 && short(b) && short(c)) return isoOf(Number(a), Number(b), Number(c));
  if (c.length === 4 && short(a) && short(b)) {
    return r.dayFirst ? isoOf(Number(c), Number(b), Number(a)) : isoOf(Number(c), Number(a), Number(b));
  }
  return null;
}

/** "2026-11" → "November 2026". */
export function month(ym) {
  if (!ym || !/^\d{4}-\d{2}$/.test(ym)) return ym ? String(ym) : "";
  try {
    return dateFormat({ month: "long", year: "numeric" }).format(new Date(ym + "-01T00:00:00Z"));
  } catch {
    return ym;
  }
}

/** "2026-11-24T09:00:00Z" → "24 Nov 2026, 11:00" in local time. */
export function timestamp(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso ? String(iso) : "";
  return new Intl.DateTimeFormat(conv.locale, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(d);
}

/** The month of an ISO date and the months around it, as "YYYY-MM" (calendar, not money). */
export function shiftMonth(ym, delta) {
  const [y, m] = ym.split("-").map((p) => parseInt(p, 10));
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

export function plural(n, one, many = one + "s") {
  return `${decimal(String(n))} ${n === 1 ? one : many}`;
}

/** "1299" → "1300": one added to a string of digits (text, not arithmetic on a Number). */
function incrementDigits(digits) {
  const d = digits.split("");
  let i = d.length - 1;
  while (i >= 0 && d[i] === "9") d[i--] = "0";
  if (i < 0) d.unshift("1");
  else d[i] = String(Number(d[i]) + 1);
  return d.join("");
}

/**
 * A compact form of an amount for a bar's label, half up: whole units ("3269.91" → "R 3 270"),
 * or from a million on, millions to one decimal ("568588874.20" → "R 568,6 m"). Worked on the
 * digits, never through a float.
 */
export function barMoney(value, currency) {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(String(value).trim());
  if (!m) return money(value, currency);
  const [, sign, whole, fraction = ""] = m;
  const units = whole.replace(/^0+(?=\d)/, "");
  if (units.length > 6) {
    const head = units.slice(0, -5); // the whole millions and the tenths
    const tenths = units[units.length - 5] >= "5" ? incrementDigits(head) : head;
    return `${money(`${sign}${tenths.slice(0, -1)}.${tenths.slice(-1)}`, currency, 1)} m`;
  }
  const rounded = fraction !== "" && fraction[0] >= "5" ? incrementDigits(units) : units;
  return money(sign + rounded, currency, 0);
}
