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
  return `${n} ${n === 1 ? one : many}`;
}
