// The only module that talks to the Rust side of the app (Tauri's IPC). Every other module
// imports the functions below: one per command, with the command's snake_case arguments.
//
// Every failure rejects with {code, message, field}: `code` is one of invalid_input, refused,
// not_found, conflict, newer_database, database, io (or `unavailable` when the page runs
// outside the app); `field` names the form input the error concerns, or is null.

function tauri() {
  const t = window.__TAURI__;
  return t && t.core && typeof t.core.invoke === "function" ? t : null;
}

function asError(e) {
  if (e && typeof e === "object" && typeof e.code === "string") {
    return { code: e.code, message: String(e.message ?? ""), field: e.field ?? null };
  }
  // Tauri's own refusals (a command not granted, a bad argument) arrive as plain text.
  return { code: "io", message: String(e), field: null };
}

async function call(command, args) {
  const t = tauri();
  if (t === null) {
    throw { code: "unavailable", message: "Seatbook's backend is not available: open this page inside the desktop app.", field: null };
  }
  try {
    return await t.core.invoke(command, args);
  } catch (e) {
    throw asError(e);
  }
}

/** Calls `handler({job, done, total})` for every progress event of a long job. */
export async function onProgress(handler) {
  const t = tauri();
  if (t === null || !t.event) return () => {};
  return t.event.listen("progress", (event) => handler(event.payload));
}

// The app and its dashboard.

/** The page's timing marks of its start, until they are sent (`sendMarks`). */
let marks = [];

/** Note a moment of the page's start (`SEATBOOK_TRACE=1` writes them out with the app's). */
export function mark(what) {
  if (marks) marks.push([what, Math.round(performance.timeOrigin + performance.now())]);
}

/** Send the start's marks, once (after the first screen is painted). */
export function sendMarks() {
  const sent = marks;
  marks = null;
  if (sent && sent.length) call("app_marks", { marks: sent }).catch(() => {});
}
export const appInfo = () => call("app_info");
/** The dashboard; its long lists (renewals, credit stops) cut to their first `rows` (all for null), with totals. */
export const dashboard = (rows = null) => call("dashboard", { rows });

// The reseller's profile.
export const companyGet = () => call("company_get");
export const companyInit = (fields) => call("company_init", { fields });
export const companyUpdate = (fields) => call("company_update", { fields });
/** Opens a file dialog; resolves to the chosen file's name, or null if cancelled. */
export const companyPickLogo = () => call("company_pick_logo");
export const companyClearLogo = () => call("company_clear_logo");

// Customers.
/** Customers by name; `limit` returns only the first ones (a list's first page). */
export const customersList = (search, includeClosed, limit) =>
  call("customers_list", { search: search || null, include_closed: !!includeClosed, limit: limit ?? null });
export const customerGet = (id) => call("customer_get", { id });
export const customerAdd = (fields) => call("customer_add", { fields });
/** Saves a customer: the customer, with `pending` and `microsoft` (its billing profile sent to Microsoft when linked). */
export const customerUpdate = (id, fields) => call("customer_update", { id, fields });
export const customerClose = (id, on) => call("customer_close", { id, on: on || null });
export const customerNote = (id, channel, summary, on) => call("customer_note", { id, channel, summary, on: on || null });
export const contactLog = (id) => call("contact_log", { id });
export const customerAccount = (id) => call("customer_account", { id });

// Catalogue.
/** Opens a file dialog, then imports (progress job `import`); null if cancelled. */
export const pricelistImport = (market, currency) => call("pricelist_import", { market: market || null, currency: currency || null });
export const productsList = (search, on) => call("products_list", { search: search || null, on: on || null });
export const productQuote = (input) => call("product_quote", { input });
export const markupList = () => call("markup_list");
export const markupSet = (input) => call("markup_set", { input });
export const fxList = () => call("fx_list");
export const fxSet = (from, to, rate, on) => call("fx_set", { from, to, rate, on });

// Subscriptions.
/** Subscriptions by customer; `limit` returns only the first ones (a list's first page). */
export const subscriptionsList = (customerId, status, limit) =>
  call("subscriptions_list", { customer_id: customerId ?? null, status: status || null, limit: limit ?? null });
export const subscriptionGet = (id, asOf) => call("subscription_get", { id, as_of: asOf || null });
export const subscriptionAdd = (input) => call("subscription_add", { input });
export const subscriptionQuantity = (id, quantity, on) => call("subscription_quantity", { id, quantity, on });
export const subscriptionCancel = (id, on) => call("subscription_cancel", { id, on });
export const subscriptionSuspend = (id, on) => call("subscription_suspend", { id, on });
export const subscriptionReactivate = (id, on) => call("subscription_reactivate", { id, on });
export const subscriptionAutoRenew = (id, enabled) => call("subscription_auto_renew", { id, enabled });
export const subscriptionSchedule = (id, changes) => call("subscription_schedule", { id, changes });
export const subscriptionUpgrade = (id, product, on) => call("subscription_upgrade", { id, product, on });

// Billing and invoices.
export const billingPreview = (month, date) => call("billing_preview", { month, date: date || null });
/** Issues the month (progress job `billing`), then writes its PDFs (progress job `pdf`). */
export const billingIssue = (month, date) => call("billing_issue", { month, date: date || null });
/** Issued invoices, newest first: `{ total, rows }`, the first `rows` of them (all for none). */
export const invoicesList = (month, customerId, status, rows) =>
  call("invoices_list", { month: month || null, customer_id: customerId ?? null, status: status || null, rows: rows ?? null });
export const invoiceGet = (number) => call("invoice_get", { number });
export const invoiceCredit = (input) => call("invoice_credit", { input });

// PDFs.
export const pdfsWriteMonth = (month) => call("pdfs_write_month", { month });
export const pdfOpen = (number) => call("pdf_open", { number });
/** Opens a save dialog; resolves to the saved path, or null if cancelled. */
export const pdfSaveAs = (number) => call("pdf_save_as", { number });
export const pdfPrintCombined = (month) => call("pdf_print_combined", { month });
export const pdfOpenFolder = (month) => call("pdf_open_folder", { month: month || null });

// The app's own settings.
export const settingsGet = () => call("settings_get");
/** Opens a folder dialog; resolves to the new settings, or null if cancelled. */
export const settingsPickPdfDir = () => call("settings_pick_pdf_dir");
export const settingsResetPdfDir = () => call("settings_reset_pdf_dir");
// Payments, reversals and refunds of credit.
export const paymentAdd = (input) => call("payment_add", { input });
export const paymentReverse = (id, date, reference) => call("payment_reverse", { id, date: date || null, reference: reference || null });
export const creditRefund = (customerId, amount, date, method, reference) =>
  call("credit_refund", { customer_id: customerId, amount, date: date || null, method: method || null, reference: reference || null });
export const paymentsList = (customerId) => call("payments_list", { customer_id: customerId });
// Reports: the charts' data, any report as a table of strings, and its CSV (saved through a dialog).
export const reportMrr = (params) => call("report_mrr", { params: params || null });
export const reportAging = (asOf) => call("report_aging", { as_of: asOf || null });
export const reportTable = (report, params) => call("report_table", { report, params: params || null });
/** Opens a save dialog; resolves to the saved path, or null if cancelled. */
export const reportExportCsv = (report, params) => call("report_export_csv", { report, params: params || null });
// Backups.
export const backupsList = () => call("backups_list");
export const backupNow = () => call("backup_now");
/** Opens a save dialog; resolves to the saved path, or null if cancelled. */
export const backupSaveAs = () => call("backup_save_as");
/** Chooses (and checks) the backup to restore: one of the list by name, or through an open dialog (no name). Null if cancelled. */
export const backupPick = (name) => call("backup_pick", { name: name || null });
/** Restores the backup chosen with backupPick, then reopens the database. */
export const backupRestore = () => call("backup_restore");
// Statements and the credit stop.
/** Why the customer is on credit stop today, or null. */
export const customerCreditStop = (customerId) => call("customer_credit_stop", { customer_id: customerId });
/** Opens a save dialog for the statement PDF; resolves to the saved path, or null if cancelled. */
export const statementSaveAs = (customerId, from, to) => call("statement_save_as", { customer_id: customerId, from: from || null, to: to || null });
/** The overdue reminders due today (nothing recorded). */
export const remindersDue = () => call("reminders_due");
/** Send today's reminders: letters written to the PDF folder, each reminder recorded once. */
export const remindersSend = () => call("reminders_send");
/** Open the folder of today's letters; resolves to its path. */
export const remindersOpenFolder = () => call("reminders_open_folder");
// The books: the trial balance, the journal for the accountant, every table as CSV.
/** Every account's balance per currency, from the whole journal, with a total per currency. */
export const booksTrialBalance = () => call("books_trial_balance");
/** Opens a save dialog; resolves to {file, entries}, or null if cancelled. `format`: csv, hledger or beancount. */
export const booksExportJournal = (format) => call("books_export_journal", { format });
/** Opens a folder dialog and writes every table there as CSV; resolves to {folder, files: [{file, rows}], rows}, or null if cancelled. */
export const booksExportAll = () => call("books_export_all");
// Reconciling Microsoft's invoice with what was billed.
/**
 * Opens a file dialog, then imports Microsoft's reconciliation file (progress job `recon`, in
 * bytes); null if cancelled. Another file for an invoice imported before is refused with
 * `conflict` (field `replace`) and kept aside: `reconImport(true)` then imports that same file,
 * replacing the earlier one, without asking for it again.
 */
/** Import Microsoft's daily rated usage (a file dialog); `null` when cancelled. */
export const usageImport = () => call("usage_import");
/** Azure usage per customer (or unknown tenant), subscription and month. */
export const usageList = (month, customerId, estimates) => call("usage_list", { month: month || null, customer_id: customerId ?? null, estimates: !!estimates });
export const usageRules = () => call("usage_rules");
export const usageBudget = (customerId) => call("usage_budget", { customer_id: customerId });
export const usageBudgetSet = (customerId, amount) => call("usage_budget_set", { customer_id: customerId, amount });
export const usageRuleSet = (customerId, basis, percent, on) => call("usage_rule_set", { customer_id: customerId ?? null, basis, percent, on: on || null });
export const reconImport = (replace) => call("recon_import", { replace: !!replace });
/** Microsoft's invoices imported, the latest first. */
export const reconList = () => call("recon_list");
/** One invoice reconciled: totals, findings, margin (amounts as decimal strings). */
export const reconReport = (invoice) => call("recon_report", { invoice });
/** Opens a save dialog; resolves to the saved path, or null if cancelled. */
export const reconExportCsv = (invoice) => call("recon_export_csv", { invoice });
/** Puts right what a finding says; resolves to {finding, done, subscription}. */
export const reconFix = (finding) => call("recon_fix", { finding });
/** The money leaked on the invoice reconciled last: {invoice, currency, leaked}, or null. */
export const reconLastLeak = () => call("recon_last_leak");
// E-mail to customers: the server (password to the system's credential store), the templates,
// sending through the outbox (progress job `mail`), the outbox and what went to whom.
// Partner Center: the connection, its status, the sync (apply: take in what is only at Microsoft).
export const pcStatus = () => call("pc_status");
/** The comparison made when the app started: null, a sync result, or {error}. */
export const pcOnStart = () => call("pc_on_start");
/** Calls `handler()` when the comparison made on start is ready. */
export async function onPcCompared(handler) {
  const t = tauri();
  if (t === null || !t.event) return () => {};
  return t.event.listen("pc-compared", () => handler());
}
export const pcConnect = (tenant, clientId, secret) => call("pc_connect", { tenant, client_id: clientId, secret: secret || null });
export const pcSync = (apply) => call("pc_sync", { apply: !!apply });
/** Sign in as application and user: Microsoft's device code ({user_code, verification_url, message, …}). */
export const pcDeviceStart = (tenant, clientId) => call("pc_device_start", { tenant, client_id: clientId });
/** Waits for the user to sign in with `code`; resolves to the status, connected as app+user. */
export const pcDeviceFinish = (tenant, clientId, code) => call("pc_device_finish", { tenant, client_id: clientId, code });
/**
 * Changes sent to Microsoft, the latest first: `send` "all" sends what waits now, "due" what
 * has waited out its back-off; without it, only the list.
 */
export const pcOutbox = (send) => call("pc_outbox", { send: send || null });
/** Microsoft's seats, status and auto-renew into the book, for a subscription that differs. */
export const pcTake = (id) => call("pc_take", { id });
/** The book's seats, status and auto-renew to Microsoft, for a subscription that differs. */
export const pcPush = (id) => call("pc_push", { id });
/** Makes a customer at Microsoft with its agreement: {customer, agreement (null while pending), pending, microsoft}. */
export const customerProvision = (id, request) => call("customer_provision", { id, request });
export const mailSettings = () => call("mail_settings");
/** `password`: typed in the form (empty: keep the one stored). */
export const mailSet = (fields, password) => call("mail_set", { fields, password: password || null });
export const mailTest = (to) => call("mail_test", { to });
/** E-mails the month's invoices not e-mailed yet: {queued, skipped, delivery}. */
export const mailSendMonth = (month) => call("mail_send_month", { month });
export const mailSendDocuments = (numbers, again) => call("mail_send_documents", { numbers, again: again ?? true });
export const mailSendStatement = (customerId, from, to) => call("mail_send_statement", { customer_id: customerId, from: from || null, to: to || null });
/** The renewal notices due ({notices}), or send them ({notices, delivery}). */
export const mailRenewals = (preview) => call("mail_renewals", { preview: !!preview });
export const mailOutbox = () => call("mail_outbox");
export const mailRetry = () => call("mail_retry");
export const mailResend = (id) => call("mail_resend", { id });
/** {waiting, attention}: messages waiting, and refused or unknown ones. */
export const mailBadge = () => call("mail_badge");
export const mailLog = (customerId) => call("mail_log", { customer_id: customerId ?? null });
export const mailTemplates = () => call("mail_templates");
export const mailTemplateSet = (kind, subject, text, html) => call("mail_template_set", { kind, subject, text, html: html || null });
export const mailTemplateReset = (kind) => call("mail_template_reset", { kind });
export const mailTemplatePreview = (kind, subject, text, html) => call("mail_template_preview", { kind, subject, text, html: html || null });
/** Calls `handler({waiting, attention})` whenever the outbox changes. */
export async function onOutbox(handler) {
  const t = tauri();
  if (t === null || !t.event) return () => {};
  return t.event.listen("outbox", (event) => handler(event.payload));
}
