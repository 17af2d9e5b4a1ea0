// First run: the reseller's profile, asked once. Once a company exists this screen is skipped.

import * as api from "../api.js";
import { h, add, field, form, actions, submit, onSubmit, button, section } from "../dom.js";

// The currency most resellers in a country bill in, to fill the field for them.
const CURRENCY_OF = {
  ZA: "ZAR", US: "USD", GB: "GBP", IE: "EUR", DE: "EUR", FR: "EUR", NL: "EUR", BE: "EUR", AT: "EUR", ES: "EUR", IT: "EUR", PT: "EUR",
  AU: "AUD", NZ: "NZD", CA: "CAD", SG: "SGD", IN: "INR", KE: "KES", NG: "NGN", NA: "NAD", BW: "BWP", CH: "CHF", SE: "SEK", NO: "NOK",
  DK: "DKK", PL: "PLN", BR: "BRL", JP: "JPY", AE: "AED",
};
const VAT_OF = { ZA: "15", GB: "20", IE: "23", DE: "19", FR: "20", NL: "21", BE: "21", AT: "20", ES: "21", IT: "22", AU: "10", NZ: "15", NA: "15", KE: "16" };

export function render(root, ctx) {
  const logoName = h("span", { class: "muted", "data-logo-name": "" }, "No logo");
  const pickLogo = button("Choose logo…", {
    "data-action": "pick-logo",
    onclick: async () => {
      try {
        const name = await api.companyPickLogo();
        if (name !== null) logoName.textContent = name;
      } catch (error) {
        ctx.toast(error.message, "error");
      }
    },
  });

  const f = form(
    "setup",
    {},
    section(
      "Your business",
      h(
        "div",
        { class: "grid" },
        field({ label: "Business name", name: "name", required: true, autocomplete: "organization", wide: true }),
        field({ label: "Country", name: "country", required: true, maxlength: 2, placeholder: "ZA", hint: "Two-letter code (ZA, GB, DE…)", class: "upper" }),
        field({ label: "Currency", name: "currency", required: true, maxlength: 3, placeholder: "ZAR", hint: "What you invoice in", class: "upper" }),
        field({ label: "VAT rate (%)", name: "vat_rate", required: true, inputmode: "decimal", placeholder: "15" }),
        field({ label: "VAT number", name: "vat_number" }),
        field({ label: "Registration number", name: "registration_number" }),
        field({ label: "Address", name: "address", type: "textarea", rows: 3, wide: true, hint: "As printed on invoices, one line per line" }),
        field({ label: "Email", name: "email", type: "email", autocomplete: "email" }),
        field({ label: "Phone", name: "phone", type: "tel", autocomplete: "tel" }),
      ),
    ),
    section(
      "Bank details (printed on invoices)",
      h(
        "div",
        { class: "grid" },
        field({ label: "Bank", name: "bank_name" }),
        field({ label: "Account holder", name: "bank_account_holder" }),
        field({ label: "Account number or IBAN", name: "bank_account_number" }),
        field({ label: "Branch code", name: "bank_branch_code" }),
        field({ label: "SWIFT / BIC", name: "bank_swift", maxlength: 11, class: "upper" }),
      ),
    ),
    section(
      "Logo",
      h("div", { class: "inline" }, pickLogo, logoName),
      h("p", { class: "hint" }, "PNG or JPEG, printed at the top of every invoice. You can add it later in Settings."),
    ),
    actions(submit("Set up Seatbook", { "data-action": "save" })),
  );

  // Fill currency and VAT for the country typed, unless the user already did.
  const country = f.elements.namedItem("country");
  country.addEventListener("change", () => {
    const code = country.value.trim().toUpperCase();
    country.value = code;
    const currency = f.elements.namedItem("currency");
    const vat = f.elements.namedItem("vat_rate");
    if (!currency.value && CURRENCY_OF[code]) currency.value = CURRENCY_OF[code];
    if (!vat.value && VAT_OF[code]) vat.value = VAT_OF[code];
  });

  onSubmit(f, async (v) => {
    await api.companyInit(v);
    await ctx.refreshCompany();
    ctx.toast(`Seatbook is set up for ${ctx.company.name}.`);
    ctx.navigate("dashboard");
  });

  add(root, 
    h(
      "div",
      { class: "setup" },
      h(
        "header",
        { class: "page-header" },
        h(
          "div",
          { class: "page-heading" },
          h("h1", { class: "page-title" }, "Welcome to Seatbook"),
          h("p", { class: "page-lead" }, "Tell Seatbook who you are. This goes on every invoice; everything can be changed later in Settings."),
        ),
      ),
      f,
    ),
  );
  f.elements.namedItem("name").focus();
}
