//! Declaring the app's own commands makes tauri-build generate the `allow-<command>` /
//! `deny-<command>` permissions for them; a command is then only callable from a window whose
//! capability grants it (capabilities/default.json). Keep this list equal to `COMMANDS` in
//! src/lib.rs (a test checks).

const COMMANDS: &[&str] = &[
    "app_info",
    "dashboard",
    "company_get",
    "company_init",
    "company_update",
    "company_pick_logo",
    "company_clear_logo",
    "customers_list",
    "customer_get",
    "customer_add",
    "customer_update",
    "customer_close",
    "customer_note",
    "contact_log",
    "customer_account",
    "pricelist_import",
    "products_list",
    "product_quote",
    "markup_list",
    "markup_set",
    "fx_list",
    "fx_set",
    "subscriptions_list",
    "subscription_get",
    "subscription_add",
    "subscription_quantity",
    "subscription_cancel",
    "subscription_suspend",
    "subscription_reactivate",
    "subscription_auto_renew",
    "subscription_schedule",
    "subscription_upgrade",
    "billing_preview",
    "billing_issue",
    "invoices_list",
    "invoice_get",
    "invoice_credit",
    "pdfs_write_month",
    "pdf_open",
    "pdf_save_as",
    "pdf_print_combined",
    "pdf_open_folder",
    "settings_get",
    "settings_pick_pdf_dir",
    "settings_reset_pdf_dir",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("failed to run tauri-build");
}
