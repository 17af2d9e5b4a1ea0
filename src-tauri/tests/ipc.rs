//! The app's commands over IPC, without a display: Tauri's mock runtime, the real invoke
//! handler and a database in a temporary folder. Each command family is driven the way the page
//! drives it (JSON arguments in, JSON out), and each error code is checked for the
//! `{code, message, field}` shape the page relies on.
//!
//! File dialogs are answered from the automation folder (`SEATBOOK_AUTOMATION_DIR`), which also
//! keeps PDFs from being opened in outside programs.

use seatbook::store::Store;
use seatbook_desktop_lib::{invoke_handler, AppState, Launch, COMMANDS};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::{Listener, WebviewWindow};

struct Fixture {
    dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    progress: Arc<Mutex<Vec<Value>>>,
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample_pricelist() -> PathBuf {
    manifest_dir().join("../tests/data/nce-pricelist-sample.csv")
}

/// An app over `store` (opened from `db`), with today fixed to 24 November 2026.
fn app_with(dir: tempfile::TempDir, db: PathBuf, store: seatbook::Result<Store>) -> Fixture {
    let automation = dir.path().join("dialogs");
    std::fs::create_dir_all(&automation).unwrap();
    let launch = Launch {
        settings_file: Some(dir.path().join("config/settings.json")),
        default_pdf_dir: dir.path().join("pdf"),
        automation_dir: Some(automation),
        today: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
        smtp_password: None,
        pc_client_secret: None,
        pc_refresh_token: None,
        pc_endpoints: Default::default(),
    };
    let app = mock_builder()
        .manage(AppState::new(db, store, launch, None))
        .invoke_handler(invoke_handler())
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    app.listen_any("progress", move |event| {
        seen.lock().unwrap().push(serde_json::from_str::<Value>(event.payload()).unwrap());
    });
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Fixture { dir, _app: app, window, progress }
}

fn fresh() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seatbook.db");
    let store = Store::open(&db);
    app_with(dir, db, store)
}

impl Fixture {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            tauri::webview::InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    /// The error of a call that must fail, checked for the exact `{code, message, field}` shape.
    fn err(&self, cmd: &str, args: Value) -> Value {
        let e = self.call(cmd, args).expect_err(cmd);
        let mut keys: Vec<&str> = e.as_object().expect("an error object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["code", "field", "message"], "{e}");
        assert!(e["code"].is_string() && e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        assert!(e["field"].is_null() || e["field"].is_string(), "{e}");
        e
    }

    fn dialogs(&self) -> PathBuf {
        self.dir.path().join("dialogs")
    }

    /// Set up as a South African reseller with the sample price list and a USD→ZAR rate.
    fn reseller(&self) {
        self.ok(
            "company_init",
            json!({"fields": {"name": "Cloudwise (Pty) Ltd", "country": "ZA", "currency": "ZAR", "vat_rate": "15",
                              "address": "12 Loop Street\nCape Town", "bank_name": "FNB"}}),
        );
        std::fs::copy(sample_pricelist(), self.dialogs().join("pricelist.csv")).unwrap();
        let report = self.ok("pricelist_import", json!({}));
        assert_eq!(report["summary"]["added"], json!(28));
        self.ok("fx_set", json!({"from": "USD", "to": "ZAR", "rate": "18.25", "on": "2025-01-01"}));
    }

    fn customer(&self, name: &str, domain: &str) -> i64 {
        self.ok("customer_add", json!({"fields": {"name": name, "domain": domain}}))["id"].as_i64().unwrap()
    }

    fn subscription(&self, customer: i64, quantity: &str, start: &str) -> i64 {
        let input = json!({"customer": customer, "product": "CFQ7TTC0LCHC:0002", "term": "P1Y", "billing": "monthly",
                           "quantity": quantity, "start": start});
        self.ok("subscription_add", json!({ "input": input }))["id"].as_i64().unwrap()
    }
}

/// Every amount crosses IPC as a decimal string, never a float.
fn is_decimal_string(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.parse::<rust_decimal::Decimal>().is_ok())
}

#[test]
fn every_command_is_declared_and_granted() {
    // build.rs declares exactly `COMMANDS` (it includes the same file); each must be granted.
    let mut generated: Vec<String> = std::fs::read_dir(manifest_dir().join("permissions/autogenerated"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".toml").to_string())
        .collect();
    generated.sort();
    let mut declared: Vec<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    declared.sort();
    assert_eq!(generated, declared, "one generated permission per declared command, and none left over");
    let caps: Value = serde_json::from_str(&std::fs::read_to_string(manifest_dir().join("capabilities/default.json")).unwrap()).unwrap();
    let granted: Vec<String> = caps["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    for c in COMMANDS {
        assert!(granted.contains(&format!("allow-{}", c.replace('_', "-"))), "{c} is not granted");
    }
    // Nothing else: listening to progress events and the app's own commands, no plugin's API.
    let others: Vec<&String> = granted.iter().filter(|p| !p.starts_with("allow-")).collect();
    assert_eq!(others, ["core:event:allow-listen", "core:event:allow-unlisten"]);
    assert_eq!(granted.len(), COMMANDS.len() + 2);
}

#[test]
fn partner_center_status_and_a_refused_connection() {
    let f = fresh();
    f.ok("company_init", json!({"fields": {"name": "Cloudwise", "country": "ZA", "currency": "ZAR", "vat_rate": "15"}}));
    let s = f.ok("pc_status", json!({}));
    assert_eq!((s["connected"].as_bool(), s["secret"].as_str()), (Some(false), Some("missing")));
    // A tenant that is not a GUID names the input, before anything goes over the network.
    let e = f.err("pc_connect", json!({"tenant": "contoso", "client_id": "22222222-0000-4000-8000-0000000000bb", "secret": "x"}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("tenant")));
    assert_eq!(f.ok("pc_status", json!({}))["connected"], false);
}

#[test]
fn first_run_then_profile() {
    let f = fresh();
    let info = f.ok("app_info", json!({}));
    assert_eq!((info["company"].clone(), info["today"].clone()), (Value::Null, json!("2026-11-24")));
    assert_eq!(f.ok("company_get", json!({})), Value::Null);
    // The essentials are required, and the error names the input.
    let e = f.err("company_init", json!({"fields": {"name": "Cloudwise", "country": "ZA"}}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("currency")));
    let c = f.ok("company_init", json!({"fields": {"name": "Cloudwise", "country": "ZA", "currency": "ZAR", "vat_rate": "15"}}));
    assert_eq!((c["currency"].as_str(), c["vat_rate"].as_str()), (Some("ZAR"), Some("15")));
    // A second set-up is a conflict.
    assert_eq!(f.err("company_init", json!({"fields": {"name": "Again"}}))["code"], "conflict");
    let c =
        f.ok("company_update", json!({"fields": {"vat_number": "4123456789", "invoice_format": "F{year}-{seq:04}", "paper": "letter"}}));
    assert_eq!(
        (c["invoice_number_format"].as_str(), c["paper"].as_str(), c["name"].as_str()),
        (Some("F{year}-{seq:04}"), Some("letter"), Some("Cloudwise"))
    );
    let e = f.err("company_update", json!({"fields": {"vat_rate": "150"}}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("vat_rate")));
    // A logo chosen in a dialog is applied by the next save; the page never sends a path.
    std::fs::write(f.dialogs().join("logo.png"), b"\x89PNG\r\n\x1a\n....").unwrap();
    assert_eq!(f.ok("company_pick_logo", json!({})), json!("logo.png"));
    let c = f.ok("company_update", json!({"fields": {}}));
    assert!(c["logo_path"].as_str().unwrap().ends_with("logo.png"));
    assert_eq!(f.ok("company_clear_logo", json!({}))["logo_path"], "");
    assert_eq!(f.ok("app_info", json!({}))["company"], "Cloudwise");
}

#[test]
fn customers_list_edit_log_and_close() {
    let f = fresh();
    f.reseller();
    let acme = f.customer("Acme Holdings", "acme.onmicrosoft.com");
    let xss = f.customer("<img src=x onerror=alert(1)>", "xss.onmicrosoft.com");
    let list = f.ok("customers_list", json!({"search": "ACME"}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], acme);
    // A first page: the first customers by name.
    let first = f.ok("customers_list", json!({"limit": 1}));
    assert_eq!(first.as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), [xss], "'<' sorts before 'A'");
    assert_eq!(f.ok("customers_list", json!({"limit": 5})).as_array().unwrap().len(), 2);
    // Names come back exactly as typed; the page shows them as text.
    assert_eq!(f.ok("customer_get", json!({"id": xss}))["name"], "<img src=x onerror=alert(1)>");
    let c = f.ok("customer_update", json!({"id": acme, "fields": {"email": "it@acme.example", "payment_terms_days": "14"}}));
    assert_eq!(
        (c["email"].as_str(), c["payment_terms_days"].as_i64(), c["name"].as_str()),
        (Some("it@acme.example"), Some(14), Some("Acme Holdings"))
    );
    let note = f.ok("customer_note", json!({"id": acme, "channel": "phone", "summary": "Wants 5 more seats", "on": null}));
    assert_eq!(note["date"], "2026-11-24");
    assert_eq!(f.ok("contact_log", json!({"id": acme})).as_array().unwrap().len(), 1);
    let e = f.err("customer_note", json!({"id": acme, "channel": "pigeon", "summary": "x"}));
    assert_eq!(e["field"], "channel");
    let account = f.ok("customer_account", json!({"id": acme}));
    assert_eq!((account["balance"].as_str(), account["currency"].as_str()), (Some("0.00"), Some("ZAR")));
    f.ok("customer_close", json!({"id": xss}));
    assert_eq!(f.ok("customers_list", json!({})).as_array().unwrap().len(), 1);
    assert_eq!(f.ok("customers_list", json!({"include_closed": true})).as_array().unwrap().len(), 2);
}

#[test]
fn catalogue_import_products_quotes_markup_and_rates() {
    let f = fresh();
    f.reseller();
    // The import reported its progress as the `import` job, ending at total.
    let events = f.progress.lock().unwrap().clone();
    let import: Vec<&Value> = events.iter().filter(|e| e["job"] == "import").collect();
    assert!(import.len() >= 2, "{events:?}");
    assert_eq!(import.last().unwrap()["done"], import.last().unwrap()["total"]);
    // Importing the same file again changes nothing.
    let again = f.ok("pricelist_import", json!({"market": "za"}));
    assert_eq!((again["summary"]["unchanged"].as_i64(), again["file"].as_str()), (Some(28), Some("pricelist.csv")));
    // A cancelled dialog (nothing to pick) is not an error.
    std::fs::remove_file(f.dialogs().join("pricelist.csv")).unwrap();
    assert_eq!(f.ok("pricelist_import", json!({})), Value::Null);
    assert_eq!(f.err("pricelist_import", json!({"market": "Narnia"}))["field"], "market");

    let products = f.ok("products_list", json!({"search": "premium"}));
    assert_eq!(products.as_array().unwrap().len(), 1);
    assert!(is_decimal_string(&products[0]["prices"][0]["unit_price"]));
    let acme = f.customer("Acme", "acme.onmicrosoft.com");
    let input = json!({"customer": acme, "product": "CFQ7TTC0LCHC:0002", "term": "P1Y", "billing": "monthly", "start": "2026-11-24"});
    let q = f.ok("product_quote", json!({ "input": input }));
    // 277.20 USD a year + 15 % = 318.78, 26.565 a month; cancellable on days 1–7.
    assert_eq!((q["quote"]["price"]["unit_price"].as_str(), q["quote"]["price_per_cycle"].as_str()), (Some("318.78"), Some("26.565")));
    assert_eq!((q["cancellable_until"].as_str(), q["term_end"].as_str()), (Some("2026-11-30"), Some("2027-11-23")));
    let bad = json!({"customer": acme, "product": "CFQ7TTC0LCHC:0002", "term": "P1M", "billing": "annual"});
    assert_eq!(f.err("product_quote", json!({ "input": bad }))["field"], "billing");

    let rule = f.ok("markup_set", json!({"input": {"customer": acme.to_string(), "percent": "20"}}));
    assert!(rule["description"].as_str().unwrap().starts_with("markup 20% for customer"));
    assert_eq!(f.ok("markup_list", json!({})).as_array().unwrap().len(), 1);
    assert_eq!(f.err("markup_set", json!({"input": {"price": "10"}}))["field"], "price");
    assert_eq!(f.ok("fx_list", json!({})).as_array().unwrap().len(), 1);
    assert_eq!(f.err("fx_set", json!({"from": "USD", "to": "USD", "rate": "1", "on": "2026-01-01"}))["field"], "to");
}

#[test]
fn subscriptions_every_change_and_history() {
    let f = fresh();
    f.reseller();
    let acme = f.customer("Acme", "acme.onmicrosoft.com");
    let id = f.subscription(acme, "10", "2026-11-20");
    let view = f.ok("subscription_get", json!({"id": id}));
    assert_eq!((view["subscription"]["quantity"].as_i64(), view["cancellable_until"].as_str()), (Some(10), Some("2026-11-26")));
    // Seats added on the 24th can come off within their window.
    f.ok("subscription_quantity", json!({"id": id, "quantity": "12", "on": "2026-11-24"}));
    f.ok("subscription_quantity", json!({"id": id, "quantity": "11", "on": "2026-11-25"}));
    f.ok("subscription_schedule", json!({"id": id, "changes": {"quantity": "8"}}));
    let s = f.ok("subscription_auto_renew", json!({"id": id, "enabled": false}));
    assert_eq!(s["auto_renew"], false);
    f.ok("subscription_auto_renew", json!({"id": id, "enabled": true}));
    f.ok("subscription_suspend", json!({"id": id, "on": "2026-11-26"}));
    f.ok("subscription_reactivate", json!({"id": id, "on": "2026-11-27"}));
    // Business Premium is the dearest product of the sample: nothing to upgrade to.
    assert_eq!(f.err("subscription_upgrade", json!({"id": id, "product": "CFQ7TTC0LH18:0001", "on": "2026-11-27"}))["code"], "refused");
    let list = f.ok("subscriptions_list", json!({"customer_id": acme, "status": "active"}));
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Each row names its customer (the list does not load every customer for that).
    assert_eq!((list[0]["customer_id"].as_i64(), list[0]["customer_name"].as_str()), (Some(acme), Some("Acme")));
    let history = f.ok("subscription_get", json!({"id": id, "as_of": "2026-11-27"}))["history"].clone();
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "purchased",
            "quantity-changed",
            "quantity-changed",
            "renewal-scheduled",
            "auto-renew-off",
            "auto-renew-on",
            "suspended",
            "reactivated"
        ]
    );
    let trial = f.ok(
        "subscription_add",
        json!({"input": {"customer": acme, "product": "CFQ7TTC0LH18:0001", "term": "P1Y", "billing": "monthly", "quantity": "3", "start": "2026-11-24", "trial": true}}),
    );
    f.ok("subscription_cancel", json!({"id": trial["id"], "on": "2026-11-25"}));
    assert_eq!(f.ok("subscriptions_list", json!({"status": "cancelled"})).as_array().unwrap().len(), 1);
}

#[test]
fn billing_preview_issue_invoices_credit_notes_and_pdfs() {
    let f = fresh();
    f.reseller();
    let acme = f.customer("Acme", "acme.onmicrosoft.com");
    f.subscription(acme, "10", "2026-11-01");
    let preview = f.ok("billing_preview", json!({"month": "2026-11", "date": "2026-11-24"}));
    assert_eq!((preview["preview"].as_bool(), preview["invoices"].as_array().unwrap().len()), (Some(true), 1));
    assert!(preview["invoices"][0]["number"].is_null());
    assert!(is_decimal_string(&preview["invoices"][0]["total"]));

    let report = f.ok("billing_issue", json!({"month": "2026-11", "date": null}));
    let number = report["run"]["invoices"][0]["number"].as_str().unwrap().to_string();
    assert_eq!(number, "INV-2026-00001");
    let files = report["pdfs"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert!(Path::new(files[0].as_str().unwrap()).starts_with(f.dir.path().join("pdf/2026-11")));
    assert!(std::fs::read(files[0].as_str().unwrap()).unwrap().starts_with(b"%PDF"));
    let events = f.progress.lock().unwrap().clone();
    assert!(events.iter().any(|e| e["job"] == "billing" && e["done"] == 1));
    assert!(events.iter().any(|e| e["job"] == "pdf" && e["done"] == 1 && e["total"] == 1));
    // Issuing again bills nothing new.
    assert_eq!(f.ok("billing_issue", json!({"month": "2026-11"}))["run"]["invoices"], json!([]));

    let list = f.ok("invoices_list", json!({"month": "2026-11", "customer_id": acme, "status": "unpaid"}));
    assert_eq!(list["total"], 1);
    assert_eq!((list["rows"][0]["number"].as_str(), list["rows"][0]["status"].as_str()), (Some(number.as_str()), Some("open")));
    assert_eq!(f.ok("invoices_list", json!({"status": "paid"})), json!({"total": 0, "rows": []}));
    // A page: the newest first, and how many there are in all.
    let page = f.ok("invoices_list", json!({"rows": 0}));
    assert_eq!((page["total"].as_u64(), page["rows"].as_array().map(Vec::len)), (Some(1), Some(0)));
    assert_eq!(f.err("invoices_list", json!({"month": "November"}))["field"], "month");
    let inv = f.ok("invoice_get", json!({"number": number}));
    assert_eq!(inv["open"], inv["total"]);

    let cn = f.ok("invoice_credit", json!({"input": {"number": number, "mode": "amount", "amount": "100", "reason": "Goodwill"}}));
    assert_eq!((cn["number"].as_str(), cn["net"].as_str(), cn["total"].as_str()), (Some("CN-2026-00001"), Some("100.00"), Some("115.00")));
    let e = f.err("invoice_credit", json!({"input": {"number": number, "mode": "lines", "lines": [], "reason": "x"}}));
    assert_eq!(e["field"], "lines");
    assert_eq!(f.err("invoice_credit", json!({"input": {"number": number, "mode": "whole", "reason": " "}}))["field"], "reason");

    // PDFs: open (written to the month's folder), save as (where the dialog says), all of the
    // month in one file, the folder.
    let opened = f.ok("pdf_open", json!({"number": number}));
    assert!(opened.as_str().unwrap().ends_with("INV-2026-00001_Acme.pdf"));
    let cn_pdf = f.ok("pdf_open", json!({"number": "CN-2026-00001"}));
    assert!(Path::new(cn_pdf.as_str().unwrap()).starts_with(f.dir.path().join("pdf/2026-11")));
    let saved = f.ok("pdf_save_as", json!({"number": number}));
    assert_eq!(PathBuf::from(saved.as_str().unwrap()), f.dialogs().join("INV-2026-00001_Acme.pdf"));
    let combined = f.ok("pdf_print_combined", json!({"month": "2026-11"}));
    assert!(std::fs::read(combined.as_str().unwrap()).unwrap().starts_with(b"%PDF"));
    assert_eq!(f.ok("pdfs_write_month", json!({"month": "2026-11"}))["files"].as_array().unwrap().len(), 1);
    assert_eq!(f.ok("pdf_open_folder", json!({"month": "2026-11"})), json!(f.dir.path().join("pdf/2026-11").display().to_string()));
    assert_eq!(f.err("pdfs_write_month", json!({"month": "2027-01"}))["code"], "not_found");

    let dash = f.ok("dashboard", json!({}));
    assert!(is_decimal_string(&dash["recurring"]["amount"]) && is_decimal_string(&dash["receivables"]["open_total"]));
    assert_eq!((dash["customers"].as_i64(), dash["last_run"]["month"].as_str()), (Some(1), Some("2026-11")));
}

#[test]
fn settings_choose_and_reset_the_pdf_folder() {
    let f = fresh();
    let s = f.ok("settings_get", json!({}));
    assert_eq!((s["pdf_dir_is_default"].as_bool(), s["pdf_dir"].as_str()), (Some(true), Some(f.dir.path().join("pdf").to_str().unwrap())));
    let s = f.ok("settings_pick_pdf_dir", json!({}));
    assert_eq!((s["pdf_dir_is_default"].as_bool(), s["pdf_dir"].as_str()), (Some(false), Some(f.dialogs().to_str().unwrap())));
    // Kept in the shell's own settings file.
    let saved: Value = serde_json::from_slice(&std::fs::read(f.dir.path().join("config/settings.json")).unwrap()).unwrap();
    assert_eq!(saved["pdf_dir"].as_str(), Some(f.dialogs().to_str().unwrap()));
    assert_eq!(f.ok("settings_reset_pdf_dir", json!({}))["pdf_dir_is_default"], true);
}

// One test per error code ----------------------------------------------------------------------

#[test]
fn invalid_input_names_the_field() {
    let f = fresh();
    f.reseller();
    let e = f.err("customer_add", json!({"fields": {"name": "Acme", "domain": "acme.onmicrosoft.com", "email": "not-an-email"}}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("email")));
    let acme = f.customer("Acme", "acme.onmicrosoft.com");
    let id = f.subscription(acme, "5", "2026-11-01");
    let e = f.err("subscription_quantity", json!({"id": id, "quantity": "five", "on": "2026-11-24"}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("quantity")));
    let e = f.err("subscription_quantity", json!({"id": id, "quantity": "6", "on": "24/11/2026"}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("on")));
}

#[test]
fn refused_carries_the_rule_and_the_date() {
    let f = fresh();
    f.reseller();
    let acme = f.customer("Acme", "acme.onmicrosoft.com");
    let id = f.subscription(acme, "10", "2026-11-01");
    let e = f.err("subscription_quantity", json!({"id": id, "quantity": "8", "on": "2026-11-24"}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("quantity")));
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("7 days") && message.contains("2026-11-07"), "{message}");
    let e = f.err("subscription_cancel", json!({"id": id, "on": "2026-11-24"}));
    assert_eq!(e["code"], "refused");
    assert!(e["message"].as_str().unwrap().contains("2026-11-07"));
}

#[test]
fn not_found_for_what_does_not_exist() {
    let f = fresh();
    f.reseller();
    let e = f.err("customer_get", json!({"id": 999}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("customer")));
    assert_eq!(f.err("subscription_get", json!({"id": 42}))["code"], "not_found");
    assert_eq!(f.err("pdf_open", json!({"number": "INV-1999-00001"}))["code"], "not_found");
}

#[test]
fn conflict_when_a_tenant_domain_is_taken() {
    let f = fresh();
    f.reseller();
    f.customer("Acme", "acme.onmicrosoft.com");
    let e = f.err("customer_add", json!({"fields": {"name": "Acme again", "domain": "ACME.onmicrosoft.com"}}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("conflict"), Some("domain")));
    assert!(e["message"].as_str().unwrap().contains("acme.onmicrosoft.com"));
}

#[test]
fn newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.db");
    Store::open(&db).unwrap().execute_raw_for_tests("PRAGMA user_version = 999").unwrap();
    let before = std::fs::read(&db).unwrap();
    let store = Store::open(&db);
    let f = app_with(dir, db.clone(), store);
    let e = f.err("app_info", json!({}));
    assert_eq!((e["code"].as_str(), e["field"].clone()), (Some("newer_database"), Value::Null));
    assert_eq!(f.err("customers_list", json!({}))["code"], "newer_database");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn database_error_for_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.db");
    std::fs::write(&db, "these are my notes, not a database ".repeat(200)).unwrap();
    let store = Store::open(&db);
    let f = app_with(dir, db, store);
    let e = f.err("company_get", json!({}));
    assert_eq!((e["code"].as_str(), e["field"].clone()), (Some("database"), Value::Null));
}

impl Fixture {
    /// A reseller with one customer billed for November 2026: (customer id, invoice number).
    fn billed(&self) -> (i64, String) {
        self.reseller();
        let acme = self.customer("Acme", "acme.onmicrosoft.com");
        self.subscription(acme, "10", "2026-11-01");
        let report = self.ok("billing_issue", json!({"month": "2026-11", "date": "2026-11-01"}));
        (acme, report["run"]["invoices"][0]["number"].as_str().unwrap().to_string())
    }
}

fn dec(v: &Value) -> rust_decimal::Decimal {
    assert!(is_decimal_string(v), "{v} is not a decimal string");
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn payments_reversals_refunds_statement_and_credit_stop() {
    let f = fresh();
    let (acme, number) = f.billed();
    let total = dec(&f.ok("invoice_get", json!({"number": number}))["open"]);

    let input = |amount: &str, method: &str| json!({"input": {"customer_id": acme, "amount": amount, "date": "2026-11-10", "method": method, "reference": "EFT 1", "invoices": [number]}});
    assert_eq!(f.err("payment_add", input("", "eft"))["field"], "amount");
    assert_eq!(f.err("payment_add", input("12,5x", "eft"))["field"], "amount");
    assert_eq!(f.err("payment_add", input("10", "cheque"))["field"], "method");
    let e = f.err("payment_add", json!({"input": {"customer_id": 999, "amount": "10", "method": "eft"}}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("customer")));

    let first = f.ok("payment_add", input("50", "eft"));
    assert_eq!((first["kind"].as_str(), first["amount"].as_str(), first["method"].as_str()), (Some("payment"), Some("50.00"), Some("eft")));
    assert_eq!(f.ok("invoice_get", json!({"number": number}))["status"], "partly-paid");
    let account = f.ok("customer_account", json!({"id": acme}));
    assert_eq!(dec(&account["balance"]), total - rust_decimal::Decimal::from(50));
    assert_eq!(account["invoices"][0]["status"], "partly-paid");

    // Paying the whole total again leaves 50 over as credit; part of it is refunded.
    f.ok("payment_add", input(&total.to_string(), "card"));
    let account = f.ok("customer_account", json!({"id": acme}));
    assert_eq!((account["credit"].as_str(), account["invoices"].as_array().unwrap().len()), (Some("50.00"), 0));
    let e = f.err("credit_refund", json!({"customer_id": acme, "amount": "80", "date": "2026-11-12", "method": "eft"}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("amount")));
    let refund =
        f.ok("credit_refund", json!({"customer_id": acme, "amount": "20", "date": "2026-11-12", "method": "eft", "reference": "back"}));
    assert_eq!((refund["kind"].as_str(), refund["amount"].as_str()), (Some("refund"), Some("20.00")));

    // A bounced payment is reversed by a new entry, once.
    let id = first["id"].as_i64().unwrap();
    let reversal = f.ok("payment_reverse", json!({"id": id, "date": "2026-11-20", "reference": "bounced"}));
    assert_eq!((reversal["kind"].as_str(), reversal["reverses"].as_i64()), (Some("reversal"), Some(id)));
    let e = f.err("payment_reverse", json!({"id": id}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("id")));
    assert_eq!(f.err("payment_reverse", json!({"id": id, "date": "2026-11-01"}))["code"], "refused");
    let list = f.ok("payments_list", json!({"customer_id": acme}));
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["payment", "payment", "refund", "reversal"]);
    assert_eq!(list[0]["reversed_by"], reversal["id"]);
    assert_eq!(f.err("payments_list", json!({"customer_id": 999}))["code"], "not_found");

    // The statement PDF goes where the save dialog says.
    let path = f.ok("statement_save_as", json!({"customer_id": acme, "from": "2026-11-01", "to": "2026-11-30"}));
    let path = PathBuf::from(path.as_str().unwrap());
    assert!(path.starts_with(f.dialogs()) && std::fs::read(&path).unwrap().starts_with(b"%PDF"), "{}", path.display());
    assert_eq!(f.err("statement_save_as", json!({"customer_id": acme, "from": "2026-12-01", "to": "2026-11-30"}))["field"], "from");

    // Credit stop: none while within the limit; a reason once the balance is over it.
    assert_eq!(f.ok("customer_credit_stop", json!({"customer_id": acme})), Value::Null);
    f.ok("customer_update", json!({"id": acme, "fields": {"credit_limit": "1"}}));
    assert!(f.ok("customer_credit_stop", json!({"customer_id": acme})).as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(f.err("customer_credit_stop", json!({"customer_id": 999}))["code"], "not_found");
}

#[test]
fn reports_charts_tables_and_csv_exports() {
    let f = fresh();
    f.billed();
    let mrr = f.ok("report_mrr", json!({}));
    let months: Vec<&str> = mrr.as_array().unwrap().iter().map(|r| r["month"].as_str().unwrap()).collect();
    assert_eq!((months.len(), months[0], months[11]), (12, "2025-12", "2026-11"));
    assert!(dec(&mrr[11]["mrr"]) > rust_decimal::Decimal::ZERO && is_decimal_string(&mrr[11]["arr"]));
    let aging = f.ok("report_aging", json!({"as_of": "2027-01-15"}));
    assert_eq!(aging["rows"][0]["customer_name"], "Acme");
    assert!(aging["totals"][0]["buckets"].as_array().unwrap().iter().all(is_decimal_string));
    assert_eq!(f.err("report_aging", json!({"as_of": "15/01/2027"}))["field"], "as_of");

    for report in ["mrr", "revenue", "margin", "aging", "renewals", "exposure", "churn"] {
        let t = f.ok("report_table", json!({"report": report, "params": {"as_of": "2027-01-15"}}));
        let width = t["columns"].as_array().unwrap().len();
        assert!(t["rows"].as_array().unwrap().iter().all(|r| r.as_array().unwrap().len() == width), "{report}");
    }
    let revenue = f.ok("report_table", json!({"report": "revenue", "params": {"from": "2026-11-01", "to": "2026-11-30"}}));
    assert_eq!((revenue["rows"][0][0].as_str(), revenue["rows"].as_array().unwrap().len()), (Some("2026-11"), 1));
    let by_product = f.ok("report_table", json!({"report": "margin", "params": {"by": "product"}}));
    assert_eq!(by_product["columns"][0]["label"], "Product");

    let path = f.ok("report_export_csv", json!({"report": "revenue", "params": {"from": "2026-11-01", "to": "2026-11-30"}}));
    assert_eq!(PathBuf::from(path.as_str().unwrap()), f.dialogs().join("seatbook-revenue-2026-11-24.csv"));
    let csv = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "month,currency,invoiced,credited,net,azure");
    assert!(lines[1].starts_with("2026-11,ZAR,"), "{csv}");
    assert_eq!(lines.len(), 2);
    // The core's table and CSV, the same that `seatbook report revenue --csv` writes: CRLF.
    let store = Store::open(&f.dir.path().join("seatbook.db")).unwrap();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let core =
        seatbook::app::reports::make(&store, seatbook::report_table::Report::Revenue { from: day("2026-11-01"), to: day("2026-11-30") });
    assert_eq!(csv, core.unwrap().to_csv());
    assert!(csv.ends_with("\r\n"), "{csv:?}");
    // No churn yet: the header alone.
    let path = f.ok("report_export_csv", json!({"report": "churn", "params": {}}));
    assert_eq!(std::fs::read_to_string(path.as_str().unwrap()).unwrap(), "month,cancelled,expired,seats_lost\r\n");

    assert_eq!(f.err("report_table", json!({"report": "profit"}))["field"], "report");
    assert_eq!(f.err("report_table", json!({"report": "margin", "params": {"by": "month"}}))["field"], "by");
    assert_eq!(f.err("report_table", json!({"report": "renewals", "params": {"days": "soon"}}))["field"], "days");
    assert_eq!(
        f.err("report_export_csv", json!({"report": "churn", "params": {"from": "2026-12-01", "to": "2026-11-01"}}))["field"],
        "from"
    );
    assert_eq!(f.err("report_mrr", json!({"params": {"to": "tomorrow"}}))["field"], "to");
}

#[test]
fn backups_list_now_save_as_and_restore() {
    let f = fresh();
    f.reseller();
    f.customer("Acme", "acme.onmicrosoft.com");
    let list = f.ok("backups_list", json!({}));
    assert!(list["folder"].as_str().unwrap().ends_with("backups"));
    let after = f.ok("backup_now", json!({}));
    let backups = after["backups"].as_array().unwrap();
    assert_eq!(backups.len(), list["backups"].as_array().unwrap().len() + 1);
    let name = backups[0]["name"].as_str().unwrap().to_string();
    assert!(name.starts_with("seatbook-2026-11-24") && name.ends_with(".db"), "{name}");
    assert_eq!(after["made"], backups[0]["path"], "the backup made is named, and listed first");
    assert_eq!(list["made"], Value::Null);
    // One more right after (most likely in the same second) is another file, not the first overwritten.
    let again = f.ok("backup_now", json!({}));
    assert_ne!(again["made"], after["made"]);
    assert_eq!(again["backups"].as_array().unwrap().len(), backups.len() + 1);

    let saved = f.ok("backup_save_as", json!({}));
    assert!(PathBuf::from(saved.as_str().unwrap()).starts_with(f.dialogs()));

    // Nothing chosen yet: nothing to restore.
    assert_eq!(f.err("backup_restore", json!({}))["code"], "refused");
    assert_eq!(f.err("backup_pick", json!({"name": "../seatbook.db"}))["field"], "name");
    assert_eq!(f.err("backup_pick", json!({"name": "seatbook-1999-01-01.db"}))["code"], "not_found");

    // A damaged file (first by name in the dialog folder) is refused and changes nothing.
    std::fs::write(f.dialogs().join("a-damaged.db"), "not a database ".repeat(300)).unwrap();
    let e = f.err("backup_pick", json!({}));
    assert!(e["message"].as_str().unwrap().len() > 5, "{e}");
    assert_eq!(f.err("backup_restore", json!({}))["code"], "refused");
    std::fs::remove_file(f.dialogs().join("a-damaged.db")).unwrap();

    // A customer added after the backup is gone once it is restored; the app keeps working.
    f.customer("Globex", "globex.onmicrosoft.com");
    assert_eq!(f.ok("customers_list", json!({})).as_array().unwrap().len(), 2);
    let chosen = f.ok("backup_pick", json!({"name": name}));
    assert_eq!(chosen["name"].as_str(), Some(name.as_str()));
    let report = f.ok("backup_restore", json!({}));
    assert!(Path::new(report["kept_aside"].as_str().unwrap()).exists());
    let names: Vec<String> =
        f.ok("customers_list", json!({})).as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["Acme"]);
    // Restoring from the dialog (the file saved as) works the same way.
    assert!(f.ok("backup_pick", json!({})).is_object());
    f.ok("backup_restore", json!({}));
    assert_eq!(f.ok("company_get", json!({}))["name"], "Cloudwise (Pty) Ltd");
}

#[test]
fn books_trial_balance_journal_exports_and_all_data() {
    let f = fresh();
    // No books yet: nothing to balance.
    let empty = f.ok("books_trial_balance", json!({}));
    assert_eq!((empty["rows"].clone(), empty["totals"].clone(), empty["entries"].clone()), (json!([]), json!([]), json!(0)));

    let (acme, number) = f.billed();
    f.ok(
        "payment_add",
        json!({"input": {"customer_id": acme, "amount": "5000", "date": "2026-11-10", "method": "eft", "reference": "EFT; 1"}}),
    );
    f.ok("invoice_credit", json!({"input": {"number": number, "mode": "amount", "amount": "10", "reason": "Goodwill"}}));

    // The trial balance: every account of the journal, each currency summing to zero.
    let tb = f.ok("books_trial_balance", json!({}));
    let rows = tb["rows"].as_array().unwrap();
    let sum: rust_decimal::Decimal = rows.iter().map(|r| dec(&r["balance"])).sum();
    assert_eq!(sum, rust_decimal::Decimal::ZERO);
    assert_eq!(tb["totals"], json!([{"currency": "ZAR", "total": "0.00"}]));
    let accounts: Vec<&str> = rows.iter().map(|r| r["account"].as_str().unwrap()).collect();
    assert_eq!(
        accounts,
        ["Assets:Bank", "Assets:Receivables:C00001", "Income:Sales", "Liabilities:CustomerCredit:C00001", "Liabilities:VAT:Output"]
    );
    assert_eq!((rows[1]["customer_name"].as_str(), rows[1]["customer_id"].as_i64()), (Some("Acme"), Some(acme)));
    assert_eq!((rows[0]["customer_name"].clone(), rows[0]["currency"].as_str()), (Value::Null, Some("ZAR")));
    assert_eq!(dec(&rows[0]["balance"]), rust_decimal::Decimal::from(5000));
    // The same figures as the core's trial balance (what `seatbook report trial-balance` prints).
    let store = Store::open(&f.dir.path().join("seatbook.db")).unwrap();
    let journal = store.journal().unwrap();
    let core = seatbook::books::trial_balance(&journal);
    assert_eq!(rows.len(), core.len());
    for (row, ((account, currency), balance)) in rows.iter().zip(&core) {
        assert_eq!((row["account"].as_str(), row["currency"].as_str()), (Some(account.as_str()), Some(currency.to_string().as_str())));
        assert_eq!(dec(&row["balance"]), *balance, "{account}");
    }
    assert_eq!(tb["entries"].as_u64(), Some(journal.len() as u64));

    // The journal in each format, where the save dialog says: the core's bytes, as
    // `seatbook export journal --format F` prints them.
    for (format, ext, body) in [
        ("csv", "csv", seatbook::books::to_csv(&journal)),
        ("hledger", "journal", seatbook::books::to_hledger(&journal)),
        ("beancount", "beancount", seatbook::books::to_beancount(&journal)),
    ] {
        let saved = f.ok("books_export_journal", json!({ "format": format }));
        let path = f.dialogs().join(format!("seatbook-journal-2026-11-24.{ext}"));
        assert_eq!(saved, json!({"file": path.display().to_string(), "entries": journal.len()}), "{format}");
        assert_eq!(std::fs::read(&path).unwrap(), body.into_bytes(), "{format}");
    }
    let e = f.err("books_export_journal", json!({"format": "ledger"}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("format")));

    // Every table as CSV into the folder the dialog answers: the core's files and rows.
    let all = f.ok("books_export_all", json!({}));
    assert_eq!(all["folder"].as_str(), Some(f.dialogs().to_str().unwrap()));
    let elsewhere = f.dir.path().join("cli-export");
    let core = store.export_all(&elsewhere).unwrap();
    let files = all["files"].as_array().unwrap();
    assert_eq!(files.len(), core.len());
    for (file, (path, rows)) in files.iter().zip(&core) {
        let name = Path::new(path).file_name().unwrap();
        assert_eq!(file["file"].as_str(), Some(f.dialogs().join(name).to_str().unwrap()));
        assert_eq!(file["rows"].as_u64(), Some(*rows as u64), "{}", name.to_string_lossy());
        assert_eq!(std::fs::read(f.dialogs().join(name)).unwrap(), std::fs::read(path).unwrap(), "{}", name.to_string_lossy());
    }
    assert_eq!(all["rows"].as_u64(), Some(core.iter().map(|(_, n)| *n as u64).sum()));
    assert!(files.iter().any(|x| x["file"].as_str().unwrap().ends_with("/invoices.csv") && x["rows"] == 1));
}

/// The `seatbook` command line built beside this test (`target/<profile>/seatbook`).
fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let cli = dir.join(format!("seatbook{}", std::env::consts::EXE_SUFFIX));
    assert!(cli.is_file(), "{} is built by `cargo test --workspace` (the core's tests need it)", cli.display());
    cli
}

/// With the default filters, the app's Export CSV and `seatbook report NAME --csv` write the same
/// bytes for every report: both fronts take their defaults from the core.
#[test]
fn default_report_csvs_are_the_command_lines_byte_for_byte() {
    let f = fresh();
    f.billed();
    let db = f.dir.path().join("seatbook.db");
    for report in seatbook::report_table::REPORTS {
        let path = f.ok("report_export_csv", json!({"report": report, "params": {}}));
        let app = std::fs::read(path.as_str().unwrap()).unwrap();
        let file = f.dir.path().join(format!("cli-{report}.csv"));
        let out = std::process::Command::new(cli_binary())
            .args(["--db", db.to_str().unwrap(), "--today", "2026-11-24", "report", report, "--csv", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{report}: {}", String::from_utf8_lossy(&out.stderr));
        let cli = std::fs::read(&file).unwrap();
        assert_eq!(String::from_utf8(app).unwrap(), String::from_utf8(cli).unwrap(), "{report}");
    }
}

/// Microsoft's documented header of the reconciliation file, and one of its rows (Business
/// Standard, tax at 15 %): the values that vary, the rest as Partner Center writes them.
const RECON_HEADER: &str = "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MPNID,ResellerMPNID,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceID,ProductQualifiers,PromotionID";

fn recon_row((tenant, domain, name): (&str, &str, &str), sub: &str, qty: u32, subtotal: &str) -> String {
    let subtotal: rust_decimal::Decimal = subtotal.parse().unwrap();
    let tax = (subtotal * rust_decimal::Decimal::new(15, 2)).round_dp(2);
    let total = subtotal + tax;
    format!(
        "p1,{tenant},{name},{domain},ZA,G000001010,1234567,,order-{sub},10/1/2026,CFQ7TTC0LDPB,1,CFQ7TTC0LDPB0001,Microsoft 365 Business Standard,Microsoft 365 Business Standard,new,15.00,{qty},{subtotal},{tax},{total},USD,,Microsoft Corporation,,Business Standard,{sub},10/1/2026,10/31/2026,One-Month commitment for monthly/yearly billing,15.00,Licenses,alt,{qty},Monthly,USD,1,10/1/2026,,,,10/1/2026,10/31/2026,,[],"
    )
}

/// Reconcile: the file chosen in the dialog and read with progress; another file for the same
/// invoice refused as a conflict and kept, so "Replace" imports that same file; the list, the
/// report, the findings as the CLI's CSV bytes, a fix, and the dashboard's figure.
#[test]
fn recon_import_replace_report_export_fix_and_last_leak() {
    let f = fresh();
    f.reseller();
    let contoso = f.ok(
        "customer_add",
        json!({"fields": {"name": "Contoso", "domain": "contoso.onmicrosoft.com", "tenant_id": "aaaaaaaa-0000-4000-8000-00000000000a"}}),
    )["id"]
        .as_i64()
        .unwrap();
    let input = json!({"customer": contoso, "product": "CFQ7TTC0LDPB:0001", "term": "P1M", "billing": "monthly", "quantity": "10",
                       "start": "2026-10-01", "ms_subscription_id": "a1"});
    let sub = f.ok("subscription_add", json!({ "input": input }))["id"].as_i64().unwrap();
    f.ok("billing_issue", json!({"month": "2026-10", "date": "2026-10-31"}));
    assert_eq!(f.ok("recon_last_leak", json!({})), Value::Null, "nothing reconciled yet");

    // Microsoft charged 12 seats (Seatbook billed 10); the file sorts before the price list.
    let a1 = recon_row(("aaaaaaaa-0000-4000-8000-00000000000a", "contoso.onmicrosoft.com", "Contoso"), "a1", 12, "180.00");
    std::fs::write(f.dialogs().join("G1.csv"), format!("\u{feff}{RECON_HEADER}\r\n{a1}\r\n")).unwrap();
    let got = f.ok("recon_import", json!({}));
    assert_eq!((got["file"].as_str(), got["invoices"][0]["status"].as_str()), (Some("G1.csv"), Some("imported")));
    // From nothing read to both passes over the file's bytes (events reach listeners on their own thread).
    let mut recon: Vec<Value> = Vec::new();
    for _ in 0..200 {
        recon = f.progress.lock().unwrap().iter().filter(|e| e["job"] == "recon").cloned().collect();
        if recon.last().is_some_and(|e| e["done"] == e["total"]) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(recon.iter().all(|e| e["unit"] == "bytes"), "{recon:?}");
    assert!(recon.first().is_some_and(|e| e["done"] == 0) && recon.last().is_some_and(|e| e["done"] == e["total"]), "{recon:?}");

    // Microsoft's corrected file adds a customer Seatbook lacks: refused until replaced.
    let e1 = recon_row(("aaaaaaaa-0000-4000-8000-00000000000e", "wingtip.onmicrosoft.com", "Wingtip"), "e1", 2, "30.00");
    std::fs::write(f.dialogs().join("G0.csv"), format!("{RECON_HEADER}\r\n{a1}\r\n{e1}\r\n")).unwrap();
    let e = f.err("recon_import", json!({"replace": false}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("conflict"), Some("replace")), "{e}");
    assert!(e["message"].as_str().unwrap().starts_with("Microsoft's invoice G000001010 was imported"), "{e}");
    // "Replace" takes the file refused, not whatever the dialog would give now.
    std::fs::write(f.dialogs().join("A.csv"), "not this one").unwrap();
    let got = f.ok("recon_import", json!({"replace": true}));
    assert_eq!(
        (got["file"].as_str(), got["invoices"][0]["status"].as_str(), got["invoices"][0]["lines"].as_i64()),
        (Some("G0.csv"), Some("replaced"), Some(2))
    );
    std::fs::remove_file(f.dialogs().join("A.csv")).unwrap();
    let list = f.ok("recon_list", json!({}));
    assert_eq!(
        (list.as_array().unwrap().len(), list[0]["invoice"].as_str(), list[0]["file"].as_str()),
        (1, Some("G000001010"), Some("G0.csv"))
    );
    assert!(is_decimal_string(&list[0]["total"]));

    let r = f.ok("recon_report", json!({"invoice": "G000001010"}));
    let kinds: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"quantity_mismatch") && kinds.contains(&"not_in_seatbook"), "{kinds:?}");
    for key in ["microsoft_total", "matched", "leaked", "unmatched_billed"] {
        assert!(is_decimal_string(&r[key]), "{key}: {}", r[key]);
    }
    assert_eq!(r["leaked"], "60.00", "2 more seats (30.00) and Wingtip's 30.00");
    assert_eq!(f.err("recon_report", json!({"invoice": "G999"}))["field"], "invoice");

    // Export CSV: the bytes of `seatbook recon report G000001010 --csv FILE`.
    let saved = f.ok("recon_export_csv", json!({"invoice": "G000001010"}));
    let saved = PathBuf::from(saved.as_str().unwrap());
    assert_eq!(saved, f.dialogs().join("seatbook-recon-G000001010-2026-11-24.csv"));
    let db = f.dir.path().join("seatbook.db");
    let file = f.dir.path().join("cli-recon.csv");
    let out = std::process::Command::new(cli_binary())
        .args(["--db", db.to_str().unwrap(), "--today", "2026-11-24", "recon", "report", "G000001010", "--csv", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(std::fs::read(&saved).unwrap()).unwrap(), String::from_utf8(std::fs::read(&file).unwrap()).unwrap());

    let seats = r["findings"].as_array().unwrap().iter().find(|x| x["kind"] == "quantity_mismatch").unwrap();
    let done = f.ok("recon_fix", json!({"finding": seats["id"]}));
    assert_eq!((done["subscription"]["id"].as_i64(), done["subscription"]["quantity"].as_i64()), (Some(sub), Some(12)));
    assert!(done["done"].as_str().unwrap().contains("12 seats"), "{done}");
    let e = f.err("recon_fix", json!({"finding": seats["id"]}));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("finding")), "fixed already");
    let leak = f.ok("recon_last_leak", json!({}));
    assert_eq!(
        (leak["invoice"].as_str(), leak["currency"].as_str(), leak["leaked"].as_str()),
        (Some("G000001010"), Some("USD"), Some("30.00"))
    );
}
