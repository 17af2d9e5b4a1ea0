// Settings: the company profile printed on invoices, the logo, bank details, VAT, numbering,
// paper, where invoice PDFs are written (a folder chosen in a dialog), backups, and every table
// exported as CSV into a chosen folder.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as mail from "../mail.js";
import * as pc from "../pc.js";
import { h, add, replace, button, header, section, field, form, actions, submit, onSubmit, showError, clearErrors, table, td, empty, confirmDialog } from "../dom.js";

const PAPER = [
  ["a4", "A4"],
  ["letter", "US Letter"],
];

/** A box that says `waiting` until `panel` (a promise of an element) comes, then holds it; or what went wrong. */
function later(panel, waiting) {
  const box = h("div", { "aria-busy": "true" }, h("p", { class: "hint" }, waiting));
  panel
    .then((p) => replace(box, p))
    .catch((e) => replace(box, h("p", { class: "notice notice-error", role: "alert", "data-code": (e && e.code) || "" }, (e && e.message) || String(e))))
    .finally(() => box.removeAttribute("aria-busy"));
  return box;
}

export async function render(root, ctx) {
  const [c, settings] = await Promise.all([api.companyGet(), api.settingsGet()]);
  // The e-mail settings read the credential store (a third of a second on some systems), and
  // the templates the book: they fill their sections when they come, the profile is shown first.
  const mailPanel = later(mail.settingsPanel(ctx), "Reading the e-mail settings…");
  const templatesPanel = later(mail.templatesPanel(ctx), "Reading the message templates…");

  const f = form(
    "company",
    {},
    section(
      "Business",
      h(
        "div",
        { class: "grid" },
        field({ label: "Business name", name: "name", value: c.name, required: true, wide: true }),
        field({ label: "Address", name: "address", type: "textarea", rows: 3, value: c.address, wide: true }),
        field({ label: "Country", name: "country", value: c.country, maxlength: 2, class: "upper" }),
        field({ label: "Email", name: "email", type: "email", value: c.email }),
        field({ label: "Phone", name: "phone", type: "tel", value: c.phone }),
        field({ label: "VAT number", name: "vat_number", value: c.vat_number }),
        field({ label: "Registration number", name: "registration_number", value: c.registration_number }),
      ),
    ),
    section(
      "Bank details",
      h(
        "div",
        { class: "grid" },
        field({ label: "Bank", name: "bank_name", value: c.bank_name }),
        field({ label: "Account holder", name: "bank_account_holder", value: c.bank_account_holder }),
        field({ label: "Account number or IBAN", name: "bank_account_number", value: c.bank_account_number }),
        field({ label: "Branch code", name: "bank_branch_code", value: c.bank_branch_code }),
        field({ label: "SWIFT / BIC", name: "bank_swift", value: c.bank_swift, maxlength: 11, class: "upper" }),
      ),
    ),
    section(
      "VAT and billing",
      h(
        "div",
        { class: "grid" },
        field({ label: "Currency", name: "currency", value: c.currency, maxlength: 3, class: "upper" }),
        field({ label: "VAT rate (%)", name: "vat_rate", value: c.vat_rate, inputmode: "decimal" }),
        field({ label: "Payment terms (days)", name: "payment_terms_days", value: String(c.payment_terms_days), inputmode: "numeric", hint: "For new customers" }),
        field({ label: "Default markup (%)", name: "default_markup", value: c.default_markup, inputmode: "decimal", hint: "When no markup rule applies" }),
        field({ label: "Price-list market", name: "market", value: c.market, maxlength: 2, class: "upper" }),
      ),
    ),
    section(
      "Numbers and paper",
      h(
        "div",
        { class: "grid" },
        field({ label: "Invoice numbers", name: "invoice_format", value: c.invoice_number_format, hint: "{year} and {seq} or {seq:05}, e.g. INV-{year}-{seq:05}" }),
        field({ label: "Credit note numbers", name: "credit_note_format", value: c.credit_note_number_format, hint: "e.g. CN-{year}-{seq:05}" }),
        field({ label: "Paper", name: "paper", type: "select", options: PAPER, value: c.paper }),
      ),
    ),
    actions(submit("Save profile", { "data-action": "save" })),
  );
  onSubmit(f, async (v) => {
    await api.companyUpdate(v);
    await ctx.refreshCompany();
    ctx.toast("Profile saved.");
  });

  const logoBox = h("div", {});
  function drawLogo(company) {
    const name = company.logo_path ? company.logo_path.split(/[\\/]/).pop() : "";
    replace(
      logoBox,
      h("p", { "data-logo": name }, name ? h("span", {}, "Printed on invoices: ", h("strong", {}, name)) : h("span", { class: "muted" }, "No logo: invoices show your name only.")),
      h(
        "div",
        { class: "inline" },
        button("Choose logo…", {
          "data-action": "pick-logo",
          onclick: async () => {
            try {
              const picked = await api.companyPickLogo();
              if (picked === null) return;
              // Only the logo changes: what is typed in the profile form stays as it is.
              const saved = await api.companyUpdate({});
              drawLogo(saved);
              ctx.toast(`Logo set to ${picked}.`);
            } catch (error) {
              ctx.toast(error.message, "error");
            }
          },
        }),
        name
          ? button("Remove logo", {
              "data-action": "clear-logo",
              onclick: async () => {
                try {
                  drawLogo(await api.companyClearLogo());
                  ctx.toast("Logo removed.");
                } catch (error) {
                  ctx.toast(error.message, "error");
                }
              },
            })
          : null,
      ),
      h("p", { class: "hint" }, "PNG or JPEG, printed at the top of every invoice PDF (earlier invoices printed again show the current logo)."),
    );
  }
  drawLogo(c);

  const pdfBox = h("div", {});
  function drawPdf(s) {
    replace(
      pdfBox,
      h("p", {}, "Invoice PDFs are written to ", h("code", { "data-pdf-dir": s.pdf_dir }, s.pdf_dir), s.pdf_dir_is_default ? h("span", { class: "muted" }, " (default)") : null, ", one folder per month."),
      h(
        "div",
        { class: "inline" },
        button("Choose folder…", {
          "data-action": "pick-pdf-dir",
          onclick: async () => {
            try {
              const next = await api.settingsPickPdfDir();
              if (next) {
                drawPdf(next);
                ctx.toast("PDF folder changed.");
              }
            } catch (error) {
              ctx.toast(error.message, "error");
            }
          },
        }),
        s.pdf_dir_is_default
          ? null
          : button("Use the default", {
              "data-action": "reset-pdf-dir",
              onclick: async () => {
                try {
                  drawPdf(await api.settingsResetPdfDir());
                } catch (error) {
                  ctx.toast(error.message, "error");
                }
              },
            }),
        button("Open folder", {
          "data-action": "open-folder",
          onclick: async () => {
            try {
              await api.pdfOpenFolder(null);
            } catch (error) {
              ctx.toast(error.message, "error");
            }
          },
        }),
      ),
    );
  }
  drawPdf(settings);

  // Backups: the automatic ones beside the database, one now, one elsewhere, and a restore.
  const backupBox = form("backup", { class: "form" });
  const backupList = h("div", {});
  function kb(bytes) {
    return `${fmt.decimal(String(Math.max(1, Math.round(bytes / 1024))))} KB`;
  }
  function drawBackups(v) {
    replace(
      backupList,
      h("p", { class: "hint" }, "Taken automatically once a day when Seatbook starts and before every upgrade (the last 30 are kept), in ", h("code", { "data-backup-folder": v.folder }, v.folder), "."),
      v.backups.length
        ? table(
            "backups",
            [["Backup"], [""]],
            v.backups.map((b) =>
              h(
                "tr",
                { "data-id": b.name },
                td(
                  h(
                    "div",
                    {},
                    b.modified ? h("div", {}, fmt.timestamp(b.modified)) : null,
                    h("div", { class: "sub backup-name" }, b.name, h("span", { class: "nowrap" }, ` · ${kb(b.bytes)}`)),
                  ),
                ),
                td(button("Restore…", { class: "btn btn-small", "data-action": "restore", title: "Replace the current data with this backup", onclick: () => restore(b.name) })),
              ),
            ),
            { class: "table backup-list" },
          )
        : empty("No backups yet."),
    );
  }
  async function run(fn) {
    clearErrors(backupBox);
    backupBox.setAttribute("aria-busy", "true");
    try {
      await fn();
    } catch (error) {
      showError(backupBox, error);
    } finally {
      backupBox.removeAttribute("aria-busy");
    }
  }
  async function restore(name) {
    await run(async () => {
      const chosen = await api.backupPick(name || null);
      if (!chosen) return;
      const ok = await confirmDialog(
        "restore",
        "Restore this backup?",
        h(
          "div",
          {},
          h("p", {}, "Replace all of Seatbook's data with the backup ", h("strong", { "data-restore-file": chosen.name }, chosen.name), chosen.modified ? ` from ${fmt.timestamp(chosen.modified)}` : "", "?"),
          h("p", { class: "hint" }, h("code", {}, chosen.path)),
          h("p", { class: "hint" }, "Everything recorded since that backup is replaced. The current data is kept aside beside the database first, so this can be undone by restoring that file."),
        ),
        "Restore",
      );
      if (!ok) return;
      const report = await api.backupRestore();
      ctx.toast(`Restored ${chosen.name}. The data as it was is kept in ${report.kept_aside}.`);
      await ctx.refreshCompany();
      ctx.navigate("settings");
    });
  }
  add(
    backupBox,
    h(
      "div",
      { class: "inline" },
      button("Back up now", {
        class: "btn btn-primary",
        "data-action": "backup-now",
        onclick: () =>
          run(async () => {
            const v = await api.backupNow();
            drawBackups(v);
            ctx.toast(`Backed up to ${v.made ?? v.folder}.`);
          }),
      }),
      button("Save a backup as…", {
        "data-action": "save-backup",
        onclick: () =>
          run(async () => {
            const path = await api.backupSaveAs();
            if (path) ctx.toast(`Backed up to ${path}.`);
          }),
      }),
      button("Restore…", { "data-action": "restore-backup", title: "Restore from a backup file", onclick: () => restore(null) }),
    ),
    backupList,
  );
  drawBackups(await api.backupsList());

  // Export all data: every table as a CSV file, into a folder chosen in a dialog.
  const exportBox = form("export-all", { class: "form" });
  const exported = h("div", {});
  const count = (n, one, many) => `${fmt.decimal(String(n))} ${n === 1 ? one : many}`;
  add(
    exportBox,
    h("p", { class: "hint export-lead" }, "Every table as a CSV file (amounts also as decimals), for your accountant or another system. Choose an empty folder: the files are named after the tables."),
    h(
      "div",
      { class: "inline" },
      button("Export all data…", {
        "data-action": "export-all",
        onclick: async () => {
          clearErrors(exportBox);
          exportBox.setAttribute("aria-busy", "true");
          try {
            const done = await api.booksExportAll();
            if (!done) return;
            const summary = `${count(done.files.length, "file", "files")}, ${count(done.rows, "row", "rows")}`;
            replace(exported, h("p", { class: "hint" }, `Last export: ${summary} in `, h("code", { "data-export-folder": done.folder }, done.folder), "."));
            ctx.toast(`Exported ${summary} to ${done.folder}.`);
          } catch (error) {
            showError(exportBox, error);
          } finally {
            exportBox.removeAttribute("aria-busy");
          }
        },
      }),
    ),
    exported,
  );

  add(root, 
    header("Settings", "Your profile as printed on invoices, and where Seatbook keeps files."),
    h(
      "div",
      { class: "columns columns-wide" },
      h("div", {}, f, section("E-mail", mailPanel), section("Partner Center", pc.panel(ctx)), section("Message templates", templatesPanel)),
      h(
        "div",
        {},
        section("Logo", logoBox),
        section("Invoice PDFs", pdfBox),
        section("Backups", backupBox),
        section("Export all data", exportBox),
        section("Database", h("p", {}, h("code", {}, settings.database)), h("p", { class: "hint" }, "Back it up like any important file. Choose another with --db PATH or SEATBOOK_DB.")),
      ),
    ),
  );
}
