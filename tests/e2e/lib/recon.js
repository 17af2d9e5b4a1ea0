// Microsoft's invoice reconciliation file, as Partner Center writes it, for the end-to-end tests:
// the documented header (DOC_HEADER of tests/it/recon.rs) and one row per charge, with the
// values that vary given and the rest as a real file has them (US dates, Excel's SkuId without
// its leading zeros, a UTF-8 BOM, CRLF). Amounts are decimal strings; the tax is worked out in
// whole cents (BigInt), never with floats.

/** Microsoft's documented header (its field table's spellings: MPNID, ResellerMPNID, ReferenceID). */
export const DOC_HEADER =
  "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MPNID,ResellerMPNID,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceID,ProductQualifiers,PromotionID";

/** "2026-02-05" → "2/5/2026", as Excel saves Partner Center's dates. */
function us(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${m}/${d}/${y}`;
}

/** A decimal string in cents (BigInt). */
function cents(value) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new Error(`not an amount in cents: ${value}`);
  const c = BigInt(m[2]) * 100n + BigInt((m[3] || "").padEnd(2, "0"));
  return m[1] ? -c : c;
}

function text(c) {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
}

/** `rate` percent of an amount in cents, rounded half away from zero. */
function percentOf(c, rate) {
  const x = c * BigInt(rate);
  const q = x / 100n;
  const r = x % 100n;
  if (r >= 50n) return q + 1n;
  if (r <= -50n) return q - 1n;
  return q;
}

function quote(cell) {
  const s = String(cell);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One of Microsoft's lines. `customer`: [tenant id, domain, name]; `sub`: Microsoft's
 * subscription id; `charge`: new, cycleCharge, addQuantity, cancelImmediate, …
 * Defaults: Microsoft 365 Business Standard, one seat at 15.00 USD for February 2026.
 */
export function msLine(customer, sub, charge, more = {}) {
  return {
    invoice: "G012345602",
    tenant: customer[0],
    domain: customer[1],
    name: customer[2],
    country: "ZA",
    currency: "USD",
    taxRate: 15,
    sub,
    charge,
    unitPrice: "15.00",
    eup: "15.00",
    qty: "1",
    subtotal: "15.00",
    start: "2026-02-01",
    end: "2026-02-28",
    subStart: "2026-02-01",
    subEnd: "2026-02-28",
    plan: "One-Month commitment for monthly/yearly billing",
    frequency: "Monthly",
    reference: "",
    product: ["CFQ7TTC0LDPB", "0001"],
    productName: "Microsoft 365 Business Standard",
    ...more,
  };
}

/** The file's cells of a line, in DOC_HEADER's order. */
export function cells(l) {
  const tax = percentOf(cents(l.subtotal), l.taxRate);
  return [
    "partner-0001",
    l.tenant,
    l.name,
    l.domain,
    l.country,
    l.invoice,
    "1234567",
    "",
    `order-${l.sub}`,
    us(l.start),
    l.product[0],
    // Excel drops SkuId's leading zeros.
    l.product[1].replace(/^0+/, ""),
    `${l.product[0]}${l.product[1]}`,
    l.productName,
    l.productName,
    l.charge,
    l.unitPrice,
    l.qty,
    l.subtotal,
    text(tax),
    text(cents(l.subtotal) + tax),
    l.currency,
    "",
    "Microsoft Corporation",
    "",
    l.productName.replace(/^Microsoft 365 /, ""),
    l.sub,
    us(l.start),
    us(l.end),
    l.plan,
    l.eup,
    "Licenses",
    "alt",
    l.qty,
    l.frequency,
    l.currency,
    "1",
    us(l.start.slice(0, 8) + "01"),
    "",
    "",
    "",
    us(l.subStart),
    us(l.subEnd),
    l.reference,
    "[]",
    "",
  ];
}

/** The file: a BOM, the header, one CRLF-ended row per line. */
export function reconCsv(lines, header = DOC_HEADER) {
  return "\ufeff" + [header, ...lines.map((l) => cells(l).map(quote).join(","))].map((r) => r + "\r\n").join("");
}

/** The sum of Microsoft's `Total` (tax included) over lines, as a decimal string. */
export function totalWithTax(lines) {
  return text(lines.reduce((sum, l) => sum + cents(l.subtotal) + percentOf(cents(l.subtotal), l.taxRate), 0n));
}
