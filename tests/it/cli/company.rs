//! `init` and `company`: the essentials, and every field checked.

use super::*;

#[test]
fn init_requires_the_essentials_and_runs_once() {
    let book = Book::empty();
    // Only init sets up a book: another command given a file that holds none (missing, or
    // empty) says so and leaves no book behind.
    assert!(!book.path().exists());
    for args in [&["customer", "list"][..], &["report", "mrr"], &["company", "show"]] {
        let e = book.fails(args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("--db")), "{e}");
        assert!(text(&e["message"]).contains("there is no Seatbook book at") && text(&e["message"]).contains("seatbook init"), "{e}");
        assert!(!book.path().exists(), "{args:?} made no file");
    }
    std::fs::write(book.path(), b"").unwrap();
    let e = book.fails(&["customer", "list"], 2);
    assert_eq!(e["code"], "not_found", "{e}");
    assert_eq!(std::fs::metadata(book.path()).unwrap().len(), 0, "an empty file is left as it was");
    std::fs::remove_file(book.path()).unwrap();
    let base = ["init", "--name", "Cloudwise (Pty) Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"];
    for (missing, flag, what) in [(3, "--country", "the country"), (5, "--currency", "the currency"), (7, "--vat-rate", "the VAT rate")] {
        let args: Vec<&str> = base.iter().enumerate().filter(|(i, _)| *i != missing && *i != missing + 1).map(|(_, a)| *a).collect();
        let e = book.fails(&args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some(flag)), "{e}");
        assert_eq!(e["message"], format!("{what} is required"));
    }
    let e = book.fails(&["init", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"], 2);
    assert_eq!(e["field"], "--name");
    let e = book.fails(&["init", "--name", "X", "--country", "ZAF", "--currency", "ZAR", "--vat-rate", "15"], 2);
    assert_eq!(e["field"], "--country");
    // A refused init leaves no book behind for a later command to take for a set-up one.
    assert!(!book.path().exists(), "a refused init made no file");
    let e = book.fails(&["customer", "add", "--name", "A", "--domain", "a.onmicrosoft.com"], 2);
    assert!(text(&e["message"]).contains("there is no Seatbook book at"), "{e}");
    // Given an empty file, a refused init leaves it empty (and nothing beside it).
    std::fs::write(book.path(), b"").unwrap();
    book.fails(&["init", "--name", "X", "--country", "ZA", "--currency", "ZAR"], 2);
    assert_eq!(std::fs::metadata(book.path()).unwrap().len(), 0, "the empty file is left empty");
    let dir: Vec<String> =
        std::fs::read_dir(book.path().parent().unwrap()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!dir.iter().any(|n| n.ends_with("-wal") || n.ends_with("-shm")), "{dir:?}");
    std::fs::remove_file(book.path()).unwrap();

    let out = book.ok(&base);
    assert!(out.starts_with("Seatbook is set up for Cloudwise (Pty) Ltd in "), "{out}");
    assert!(out.contains("  VAT rate               15%\n"), "{out}");
    assert!(out.contains("  Invoice numbers        INV-{year}-{seq:05}\n"), "{out}");

    let e = book.fails(&["init", "--name", "Someone Else", "--country", "GB", "--currency", "GBP", "--vat-rate", "20"], 2);
    assert_eq!(e["code"], "conflict");
    assert!(text(&e["message"]).contains("already set up"), "{e}");
    let c = book.json(&["company", "show"]);
    assert_eq!((text(&c["name"]), text(&c["country"]), text(&c["currency"])), ("Cloudwise (Pty) Ltd".into(), "ZA".into(), "ZAR".into()));
    assert_eq!((text(&c["vat_rate"]), text(&c["market"]), c["payment_terms_days"].as_u64()), ("15".into(), "ZA".into(), Some(30)));
    assert_eq!(text(&c["default_markup"]), "15", "the default markup when init does not give one");
}

#[test]
fn company_set_validates_each_field_and_changes_nothing_on_error() {
    let book = Book::reseller();
    for bad in ["101", "--vat-rate=-1", "fifteen"] {
        let args: Vec<&str> = if bad.starts_with("--") { vec!["company", "set", bad] } else { vec!["company", "set", "--vat-rate", bad] };
        let e = book.fails(&args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--vat-rate")), "{bad}: {e}");
    }
    let e = book.fails(&["company", "set", "--vat-rate", "101"], 2);
    assert_eq!(e["message"], "--vat-rate: 101% is out of range (0 to 100)");
    for bad in ["INV-{year}", "INV-{seq}-{seq}", "INV-{month}-{seq}", "INV-{seq"] {
        let e = book.fails(&["company", "set", "--invoice-format", bad, "--vat-rate", "14"], 2);
        assert_eq!(e["field"], "--invoice-format", "{bad}: {e}");
    }
    let e = book.fails(&["company", "set", "--currency", "RAND"], 2);
    assert_eq!(e["field"], "--currency");
    let c = book.json(&["company", "show"]);
    assert_eq!((text(&c["vat_rate"]), text(&c["invoice_number_format"])), ("15".into(), "INV-{year}-{seq:05}".into()));

    let c = book.json(&["company", "set", "--invoice-format", "F{year}/{seq:04}", "--vat-number", "4000111222", "--vat-rate", "15.5"]);
    assert_eq!(text(&c["invoice_number_format"]), "F{year}/{seq:04}");
    let out = book.ok(&["company", "show"]);
    assert!(out.starts_with("Cloudwise (Pty) Ltd\n"), "{out}");
    for line in [
        "  VAT number             4000111222\n",
        "  VAT rate               15.5%\n",
        "  Invoice numbers        F{year}/{seq:04}\n",
        "  Currency               ZAR\n",
    ] {
        assert!(out.contains(line), "{line:?} missing from\n{out}");
    }
}
