//! The schema as an ordered list of migrations. `PRAGMA user_version` holds how many have been
//! applied. Append only: a released migration is never edited.
//!
//! Money: prices per term are exact decimal text (they carry more digits than a currency's minor
//! unit and are never summed in SQL); amounts that are summed are integers in minor units.

pub const MIGRATIONS: &[&str] = &[
    // 1: company, customers, catalogue, markup, exchange rates, subscriptions and their history.
    r#"
CREATE TABLE company (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    vat_number TEXT NOT NULL DEFAULT '',
    registration_number TEXT NOT NULL DEFAULT '',
    bank_name TEXT NOT NULL DEFAULT '',
    bank_account_holder TEXT NOT NULL DEFAULT '',
    bank_account_number TEXT NOT NULL DEFAULT '',
    bank_branch_code TEXT NOT NULL DEFAULT '',
    bank_swift TEXT NOT NULL DEFAULT '',
    logo_path TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL,
    vat_rate TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    default_markup TEXT NOT NULL,
    market TEXT NOT NULL,
    invoice_number_format TEXT NOT NULL,
    credit_note_number_format TEXT NOT NULL,
    paper TEXT NOT NULL CHECK (paper IN ('a4', 'letter'))
) STRICT;

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    contact_person TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL,
    currency TEXT NOT NULL,
    vat_number TEXT NOT NULL DEFAULT '',
    tax_treatment TEXT NOT NULL CHECK (tax_treatment IN ('standard', 'zero-rated', 'exempt')),
    payment_terms_days INTEGER NOT NULL,
    credit_limit_minor INTEGER,
    domain TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL DEFAULT '',
    billing_alignment TEXT NOT NULL CHECK (billing_alignment IN ('microsoft', 'calendar')),
    notes TEXT NOT NULL DEFAULT '',
    closed_on TEXT,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);

CREATE TABLE contact_log (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    date TEXT NOT NULL,
    channel TEXT NOT NULL,
    summary TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX contact_log_customer ON contact_log (customer_id, date);

CREATE TABLE products (
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    title TEXT NOT NULL,
    sku_title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    description TEXT NOT NULL,
    search TEXT NOT NULL,
    PRIMARY KEY (product_id, sku_id)
) STRICT;

CREATE TABLE prices (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    term TEXT NOT NULL,
    billing_plan TEXT NOT NULL,
    market TEXT NOT NULL,
    currency TEXT NOT NULL,
    tier_min INTEGER NOT NULL DEFAULT 0,
    tier_max INTEGER,
    effective_start TEXT NOT NULL,
    effective_end TEXT,
    unit_price TEXT NOT NULL,
    erp_price TEXT,
    tags TEXT NOT NULL DEFAULT '',
    UNIQUE (product_id, sku_id, term, billing_plan, market, currency, tier_min, effective_start),
    FOREIGN KEY (product_id, sku_id) REFERENCES products (product_id, sku_id)
) STRICT;

CREATE TABLE markup_rules (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    product_id TEXT,
    sku_id TEXT,
    percent TEXT,
    price TEXT,
    price_currency TEXT,
    effective_from TEXT NOT NULL,
    CHECK ((percent IS NULL) <> (price IS NULL)),
    CHECK ((price IS NULL) = (price_currency IS NULL)),
    CHECK ((product_id IS NULL) = (sku_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX markup_rules_scope
    ON markup_rules (IFNULL(customer_id, 0), IFNULL(product_id, ''), IFNULL(sku_id, ''), effective_from);

CREATE TABLE exchange_rates (
    from_currency TEXT NOT NULL,
    to_currency TEXT NOT NULL,
    effective TEXT NOT NULL,
    rate TEXT NOT NULL,
    PRIMARY KEY (from_currency, to_currency, effective)
) STRICT;

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    product_title TEXT NOT NULL,
    term TEXT NOT NULL CHECK (term IN ('P1M', 'P1Y', 'P3Y')),
    billing TEXT NOT NULL CHECK (billing IN ('monthly', 'annual', 'triennial')),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'cancelled', 'expired')),
    auto_renew INTEGER NOT NULL CHECK (auto_renew IN (0, 1)),
    trial INTEGER NOT NULL CHECK (trial IN (0, 1)),
    purchased_on TEXT NOT NULL,
    term_start TEXT NOT NULL,
    term_end TEXT NOT NULL,
    ms_subscription_id TEXT NOT NULL DEFAULT '',
    unit_cost TEXT NOT NULL,
    cost_currency TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    price_currency TEXT NOT NULL,
    price_rule TEXT NOT NULL,
    price_override TEXT,
    sched_quantity INTEGER,
    sched_term TEXT,
    sched_billing TEXT,
    sched_product_id TEXT,
    sched_sku_id TEXT,
    ended_on TEXT,
    bill_from TEXT NOT NULL,
    CHECK (term_start <= term_end)
) STRICT;
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);
CREATE INDEX subscriptions_term_end ON subscriptions (status, term_end);

CREATE TABLE subscription_events (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    kind TEXT NOT NULL,
    effective TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    quantity_delta INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    term TEXT NOT NULL,
    billing TEXT NOT NULL,
    status TEXT NOT NULL,
    trial INTEGER NOT NULL,
    term_start TEXT NOT NULL,
    term_end TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    price_currency TEXT NOT NULL,
    unit_cost TEXT NOT NULL,
    cost_currency TEXT NOT NULL,
    description TEXT NOT NULL
) STRICT;
CREATE INDEX subscription_events_sub ON subscription_events (subscription_id, id);

-- The history is append-only: the database itself refuses to rewrite it.
CREATE TRIGGER subscription_events_no_update BEFORE UPDATE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER subscription_events_no_delete BEFORE DELETE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
"#,
    // 2: billing — the reseller's own charges, invoices and credit notes with gapless numbers.
    r#"
CREATE TABLE charges (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    date TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    currency TEXT NOT NULL
) STRICT;
CREATE INDEX charges_customer ON charges (customer_id);

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    description TEXT NOT NULL,
    basis TEXT NOT NULL CHECK (basis IN ('flat', 'per-seat')),
    subscription_id INTEGER REFERENCES subscriptions (id),
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT,
    CHECK ((basis = 'per-seat') = (subscription_id IS NOT NULL))
) STRICT;
CREATE INDEX services_customer ON services (customer_id);

CREATE TABLE instalment_plans (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    description TEXT NOT NULL,
    total TEXT NOT NULL,
    currency TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 120),
    start TEXT NOT NULL
) STRICT;
CREATE INDEX instalment_plans_customer ON instalment_plans (customer_id);

-- Gapless numbering: the last number used per document kind and year (0 = not per year).
CREATE TABLE document_series (
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit-note')),
    year INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
) STRICT;

CREATE TABLE billing_runs (
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    invoices INTEGER NOT NULL,
    problems INTEGER NOT NULL
) STRICT;

-- An invoice is written only when issued, with a snapshot of both parties as they were then.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    series_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    run_id INTEGER REFERENCES billing_runs (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    month TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    customer_name TEXT NOT NULL,
    customer_address TEXT NOT NULL,
    customer_country TEXT NOT NULL,
    customer_vat_number TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    tax_treatment TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    supplier_name TEXT NOT NULL,
    supplier_address TEXT NOT NULL,
    supplier_country TEXT NOT NULL,
    supplier_vat_number TEXT NOT NULL,
    supplier_registration_number TEXT NOT NULL,
    supplier_email TEXT NOT NULL,
    supplier_phone TEXT NOT NULL,
    bank_name TEXT NOT NULL,
    bank_account_holder TEXT NOT NULL,
    bank_account_number TEXT NOT NULL,
    bank_branch_code TEXT NOT NULL,
    bank_swift TEXT NOT NULL,
    paper TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (series_year, seq)
) STRICT;
CREATE INDEX invoices_customer ON invoices (customer_id, date);
CREATE INDEX invoices_month ON invoices (month);

CREATE TABLE invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    -- The natural key of the billed item: a second line for the same item is refused.
    item_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subscription_id INTEGER REFERENCES subscriptions (id),
    description TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    vat_rate TEXT NOT NULL,
    fx_rate TEXT,
    fx_from TEXT,
    billable_date TEXT NOT NULL
) STRICT;
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, position);
CREATE INDEX invoice_lines_billable ON invoice_lines (billable_date);
CREATE INDEX invoice_lines_subscription ON invoice_lines (subscription_id, kind, period_start);

CREATE TABLE invoice_vat (
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    rate TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, rate)
) STRICT;

CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    series_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    date TEXT NOT NULL,
    reason TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (series_year, seq)
) STRICT;
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

CREATE TABLE credit_note_lines (
    id INTEGER PRIMARY KEY,
    credit_note_id INTEGER NOT NULL REFERENCES credit_notes (id),
    position INTEGER NOT NULL,
    invoice_line_id INTEGER REFERENCES invoice_lines (id),
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    vat_rate TEXT NOT NULL
) STRICT;
CREATE INDEX credit_note_lines_note ON credit_note_lines (credit_note_id);
CREATE INDEX credit_note_lines_invoice_line ON credit_note_lines (invoice_line_id);

-- Issued documents never change: the database itself refuses.
CREATE TRIGGER invoices_immutable_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoices_immutable_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoice_lines_immutable_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_immutable_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoice_vat_immutable_update BEFORE UPDATE ON invoice_vat
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_vat_immutable_delete BEFORE DELETE ON invoice_vat
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER credit_notes_immutable_update BEFORE UPDATE ON credit_notes
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be changed'); END;
CREATE TRIGGER credit_notes_immutable_delete BEFORE DELETE ON credit_notes
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be deleted'); END;
CREATE TRIGGER credit_note_lines_immutable_update BEFORE UPDATE ON credit_note_lines
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be changed'); END;
CREATE TRIGGER credit_note_lines_immutable_delete BEFORE DELETE ON credit_note_lines
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be deleted'); END;
"#,
    // 3: receivables — payments, refunds and reversals, their allocations to invoices, reminders.
    r#"
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'reversal')),
    date TEXT NOT NULL,
    -- Always positive; the kind says which way the money went.
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('eft', 'card', 'cash', 'other')),
    reference TEXT NOT NULL DEFAULT '',
    reverses_id INTEGER UNIQUE REFERENCES payments (id),
    recorded_at TEXT NOT NULL,
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
) STRICT;
CREATE INDEX payments_customer ON payments (customer_id, date);

-- Money of a payment applied to an invoice; a reversal adds the negative of each allocation.
CREATE TABLE allocations (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    date TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0)
) STRICT;
CREATE INDEX allocations_invoice ON allocations (invoice_id);
CREATE INDEX allocations_payment ON allocations (payment_id);

CREATE TABLE reminders (
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    level INTEGER NOT NULL,
    date TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (invoice_id, level)
) STRICT;

-- Money received or paid out is never edited or deleted: a bounced payment is reversed.
CREATE TRIGGER payments_append_only_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments cannot be changed; reverse them'); END;
CREATE TRIGGER payments_append_only_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments cannot be deleted; reverse them'); END;
CREATE TRIGGER allocations_append_only_update BEFORE UPDATE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations cannot be changed'); END;
CREATE TRIGGER allocations_append_only_delete BEFORE DELETE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations cannot be deleted'); END;
"#,
    // 4: the locked cost of each invoice line, for margins (NULL where there is none).
    r#"
ALTER TABLE invoice_lines ADD COLUMN cost_minor INTEGER;
"#,
    // 5: covering indexes for aging and reminders over every invoice (no read of the wide
    // invoice rows, one pass over the allocations).
    r#"
CREATE INDEX invoices_aging ON invoices (date, customer_id, due_date, currency, total_minor, number);
CREATE INDEX allocations_money ON allocations (invoice_id, date, amount_minor);
"#,
    // 6: the supplier's logo as it was when a document was issued, kept once per distinct image,
    // so a reprint looks as the original did whatever the profile says today.
    r#"
CREATE TABLE logos (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    bytes BLOB NOT NULL
) STRICT;
CREATE TRIGGER logos_immutable_update BEFORE UPDATE ON logos
BEGIN SELECT RAISE(ABORT, 'the logo of an issued document cannot be changed'); END;
CREATE TRIGGER logos_immutable_delete BEFORE DELETE ON logos
BEGIN SELECT RAISE(ABORT, 'the logo of an issued document cannot be deleted'); END;
-- `logo_kept` tells a document issued with no logo (1, logo_id NULL) from one issued before
-- logos were kept (0), which prints today's.
ALTER TABLE invoices ADD COLUMN logo_id INTEGER REFERENCES logos (id);
ALTER TABLE invoices ADD COLUMN logo_kept INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credit_notes ADD COLUMN logo_id INTEGER REFERENCES logos (id);
ALTER TABLE credit_notes ADD COLUMN logo_kept INTEGER NOT NULL DEFAULT 0;
"#,
    // 7: numbers without gaps, kept by the book itself: a document takes the next number of its
    // series (the first one may start anywhere, as a reseller carrying on its numbers needs); one line at a time, in order, and none added to an
    // invoice or credit note issued in an earlier transaction (its lines are written with it).
    r#"
CREATE TRIGGER invoices_next_number BEFORE INSERT ON invoices
WHEN NEW.seq <> IFNULL((SELECT max(seq) FROM invoices WHERE series_year = NEW.series_year), NEW.seq - 1) + 1
BEGIN SELECT RAISE(ABORT, 'an invoice takes the next number of its series: numbers have no gaps'); END;
CREATE TRIGGER credit_notes_next_number BEFORE INSERT ON credit_notes
WHEN NEW.seq <> IFNULL((SELECT max(seq) FROM credit_notes WHERE series_year = NEW.series_year), NEW.seq - 1) + 1
BEGIN SELECT RAISE(ABORT, 'a credit note takes the next number of its series: numbers have no gaps'); END;
ALTER TABLE invoices ADD COLUMN line_count INTEGER;
CREATE TRIGGER invoice_lines_only_as_issued BEFORE INSERT ON invoice_lines
WHEN NEW.position > IFNULL((SELECT line_count FROM invoices WHERE id = NEW.invoice_id), 0)
  OR NEW.position <> IFNULL((SELECT max(position) FROM invoice_lines WHERE invoice_id = NEW.invoice_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
"#,
    // 8: Microsoft's invoice reconciliation files, kept as they came: one import per invoice and
    // file (a replaced import stays, marked replaced), its lines append-only: each row as it came
    // (`raw`, under the import's header) and the columns a reconciliation reads, checked.
    r#"
CREATE TABLE recon_imports (
    id INTEGER PRIMARY KEY,
    invoice TEXT NOT NULL,
    currency TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    header TEXT NOT NULL,
    digest TEXT NOT NULL,
    lines INTEGER NOT NULL,
    total TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    replaced_by INTEGER REFERENCES recon_imports (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE UNIQUE INDEX recon_imports_current ON recon_imports (invoice) WHERE replaced_by IS NULL;
CREATE TRIGGER recon_imports_no_delete BEFORE DELETE ON recon_imports
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept'); END;
CREATE TRIGGER recon_imports_only_replaced BEFORE UPDATE ON recon_imports
WHEN OLD.replaced_by IS NOT NULL OR NEW.replaced_by IS NULL OR NEW.id IS NOT OLD.id OR NEW.invoice IS NOT OLD.invoice
  OR NEW.currency IS NOT OLD.currency OR NEW.file_name IS NOT OLD.file_name OR NEW.format IS NOT OLD.format
  OR NEW.header IS NOT OLD.header OR NEW.digest IS NOT OLD.digest OR NEW.lines IS NOT OLD.lines
  OR NEW.total IS NOT OLD.total OR NEW.imported_at IS NOT OLD.imported_at
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept as they came'); END;

CREATE TABLE recon_lines (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES recon_imports (id) DEFERRABLE INITIALLY DEFERRED,
    line INTEGER NOT NULL,
    customer_tenant TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_domain TEXT NOT NULL,
    customer_country TEXT NOT NULL,
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    sku_name TEXT NOT NULL,
    product_name TEXT NOT NULL,
    charge_type TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    total TEXT NOT NULL,
    subscription_description TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    charge_start TEXT NOT NULL,
    charge_end TEXT NOT NULL,
    effective_unit_price TEXT NOT NULL,
    billable_quantity TEXT NOT NULL,
    billing_frequency TEXT NOT NULL,
    subscription_start TEXT,
    subscription_end TEXT,
    reference_id TEXT NOT NULL,
    raw TEXT NOT NULL,
    UNIQUE (import_id, line)
) STRICT;
CREATE TRIGGER recon_lines_no_update BEFORE UPDATE ON recon_lines
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
CREATE TRIGGER recon_lines_no_delete BEFORE DELETE ON recon_lines
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
"#,
    // 9: an issued credit note takes no line, and an issued invoice no VAT line, after the
    // transaction that wrote it (each records how many it has, as invoices do their lines).
    r#"
ALTER TABLE credit_notes ADD COLUMN line_count INTEGER;
CREATE TRIGGER credit_note_lines_only_as_issued BEFORE INSERT ON credit_note_lines
WHEN NEW.position > IFNULL((SELECT line_count FROM credit_notes WHERE id = NEW.credit_note_id), 0)
  OR NEW.position <> IFNULL((SELECT max(position) FROM credit_note_lines WHERE credit_note_id = NEW.credit_note_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be changed'); END;
ALTER TABLE invoices ADD COLUMN vat_line_count INTEGER;
CREATE TRIGGER invoice_vat_only_as_issued BEFORE INSERT ON invoice_vat
WHEN (SELECT count(*) FROM invoice_vat WHERE invoice_id = NEW.invoice_id)
  >= IFNULL((SELECT vat_line_count FROM invoices WHERE id = NEW.invoice_id), 0)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
"#,
    // 10: a reconciliation file is kept whole as it came (its bytes, in parts, compressed), and its lines as
    // a reconciliation reads them: what a subscription's lines share once per import (the
    // subject), each line with only its own values. Files imported before are kept as their rows
    // were: the header and the rows, as text.
    r#"
CREATE TABLE recon_files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- The file's size as it came.
    bytes INTEGER NOT NULL,
    -- How its parts hold it: as it came, or gzip-compressed (a file that came compressed is
    -- kept as it came).
    stored TEXT NOT NULL CHECK (stored IN ('as_is', 'gzip')),
    imported_at TEXT NOT NULL
) STRICT;
CREATE TABLE recon_file_parts (
    file_id INTEGER NOT NULL REFERENCES recon_files (id) DEFERRABLE INITIALLY DEFERRED,
    part INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (file_id, part)
) STRICT;
ALTER TABLE recon_imports ADD COLUMN file_id INTEGER REFERENCES recon_files (id) DEFERRABLE INITIALLY DEFERRED;
DROP TRIGGER recon_imports_only_replaced;
INSERT INTO recon_files (id, name, bytes, stored, imported_at)
SELECT i.id, i.file_name, 0, 'as_is', i.imported_at FROM recon_imports i;
INSERT INTO recon_file_parts (file_id, part, data)
SELECT import_id, 0, CAST((SELECT CASE WHEN header = '' THEN '' ELSE header || char(10) END FROM recon_imports WHERE id = import_id)
    || group_concat(raw, char(10) ORDER BY line) || char(10) AS BLOB)
FROM recon_lines GROUP BY import_id;
UPDATE recon_files SET bytes = (SELECT IFNULL(sum(length(data)), 0) FROM recon_file_parts WHERE file_id = recon_files.id);
UPDATE recon_imports SET file_id = id;
CREATE TRIGGER recon_files_no_update BEFORE UPDATE ON recon_files
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept as they came'); END;
CREATE TRIGGER recon_files_no_delete BEFORE DELETE ON recon_files
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept'); END;
CREATE TRIGGER recon_file_parts_no_update BEFORE UPDATE ON recon_file_parts
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept as they came'); END;
CREATE TRIGGER recon_file_parts_no_delete BEFORE DELETE ON recon_file_parts
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept'); END;

CREATE TRIGGER recon_imports_only_replaced BEFORE UPDATE ON recon_imports
WHEN OLD.replaced_by IS NOT NULL OR NEW.replaced_by IS NULL OR NEW.id IS NOT OLD.id OR NEW.invoice IS NOT OLD.invoice
  OR NEW.currency IS NOT OLD.currency OR NEW.file_name IS NOT OLD.file_name OR NEW.format IS NOT OLD.format
  OR NEW.header IS NOT OLD.header OR NEW.digest IS NOT OLD.digest OR NEW.lines IS NOT OLD.lines
  OR NEW.total IS NOT OLD.total OR NEW.imported_at IS NOT OLD.imported_at OR NEW.file_id IS NOT OLD.file_id
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept as they came'); END;

CREATE TABLE recon_subjects (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES recon_imports (id) DEFERRABLE INITIALLY DEFERRED,
    customer_tenant TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_domain TEXT NOT NULL,
    customer_country TEXT NOT NULL,
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    sku_name TEXT NOT NULL,
    product_name TEXT NOT NULL,
    subscription_description TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    billing_frequency TEXT NOT NULL,
    subscription_start TEXT,
    subscription_end TEXT
) STRICT;
CREATE INDEX recon_subjects_import ON recon_subjects (import_id);

ALTER TABLE recon_lines RENAME TO recon_lines_9;
CREATE TABLE recon_lines (
    import_id INTEGER NOT NULL REFERENCES recon_imports (id) DEFERRABLE INITIALLY DEFERRED,
    line INTEGER NOT NULL,
    -- Checked as each line is written (its subject is written first): a deferred key would have
    -- each new subject look for lines waiting for it.
    subject_id INTEGER NOT NULL REFERENCES recon_subjects (id),
    charge_type TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    total TEXT NOT NULL,
    charge_start TEXT NOT NULL,
    charge_end TEXT NOT NULL,
    effective_unit_price TEXT NOT NULL,
    billable_quantity TEXT NOT NULL,
    reference_id TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
) STRICT, WITHOUT ROWID;

INSERT INTO recon_subjects (import_id, customer_tenant, customer_name, customer_domain, customer_country, product_id, sku_id,
    sku_name, product_name, subscription_description, subscription_id, billing_frequency, subscription_start, subscription_end)
SELECT DISTINCT import_id, customer_tenant, customer_name, customer_domain, customer_country, product_id, sku_id,
    sku_name, product_name, subscription_description, subscription_id, billing_frequency, subscription_start, subscription_end
FROM recon_lines_9;
INSERT INTO recon_lines (import_id, line, subject_id, charge_type, subtotal, total, charge_start, charge_end,
    effective_unit_price, billable_quantity, reference_id)
SELECT l.import_id, l.line, s.id, l.charge_type, l.subtotal, l.total, l.charge_start, l.charge_end,
    l.effective_unit_price, l.billable_quantity, l.reference_id
FROM recon_lines_9 l JOIN recon_subjects s ON s.import_id = l.import_id AND s.customer_tenant = l.customer_tenant
    AND s.customer_name = l.customer_name AND s.customer_domain = l.customer_domain
    AND s.customer_country = l.customer_country AND s.product_id = l.product_id AND s.sku_id = l.sku_id
    AND s.sku_name = l.sku_name AND s.product_name = l.product_name
    AND s.subscription_description = l.subscription_description AND s.subscription_id = l.subscription_id
    AND s.billing_frequency = l.billing_frequency AND s.subscription_start IS l.subscription_start
    AND s.subscription_end IS l.subscription_end;
DROP TRIGGER recon_lines_no_update;
DROP TRIGGER recon_lines_no_delete;
DROP TABLE recon_lines_9;
CREATE TRIGGER recon_subjects_no_update BEFORE UPDATE ON recon_subjects
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
CREATE TRIGGER recon_subjects_no_delete BEFORE DELETE ON recon_subjects
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
CREATE TRIGGER recon_lines_no_update BEFORE UPDATE ON recon_lines
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
CREATE TRIGGER recon_lines_no_delete BEFORE DELETE ON recon_lines
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
"#,
    // 11: e-mail — how each customer wants documents, the mail server's settings (its password
    // is in the system's credential store, never here), the templates, and the outbox: every
    // message recorded with what it is about, then sent; what it carried kept beside it.
    r#"
ALTER TABLE customers ADD COLUMN delivery TEXT NOT NULL DEFAULT 'email' CHECK (delivery IN ('email', 'paper'));

CREATE TABLE mail_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL,
    port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security TEXT NOT NULL CHECK (security IN ('starttls', 'tls', 'none')),
    user TEXT NOT NULL DEFAULT '',
    from_address TEXT NOT NULL,
    from_name TEXT NOT NULL DEFAULT '',
    reply_to TEXT NOT NULL DEFAULT '',
    bcc TEXT NOT NULL DEFAULT '',
    ca_file TEXT NOT NULL DEFAULT '',
    renewal_days INTEGER NOT NULL DEFAULT 14 CHECK (renewal_days BETWEEN 0 AND 365)
) STRICT;

CREATE TABLE mail_templates (
    kind TEXT PRIMARY KEY CHECK (kind IN ('invoice', 'credit_note', 'statement', 'reminder', 'renewal')),
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL
) STRICT;

-- One row per message and recipient. `document` names what it is about: an invoice or credit
-- note number, `statement:FROM:TO`, `reminder:NUMBER:LEVEL`, `renewal:SUBSCRIPTION:DATE`.
-- An invoice's or credit note's PDF is made again when it is sent (issued documents print
-- exactly as they were issued); other attachments are kept in mail_attachments.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'statement', 'reminder', 'renewal')),
    document TEXT NOT NULL,
    attach_document TEXT NOT NULL DEFAULT '',
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'sending', 'sent', 'refused', 'unknown')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT
) STRICT;
CREATE INDEX mail_outbox_state ON mail_outbox (state, next_attempt_at, id);
CREATE INDEX mail_outbox_customer ON mail_outbox (customer_id, id);
CREATE INDEX mail_outbox_document ON mail_outbox (kind, document, to_address);

CREATE TABLE mail_attachments (
    outbox_id INTEGER NOT NULL REFERENCES mail_outbox (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (outbox_id, position)
) STRICT;

-- What a message said and to whom is kept as it was: only its state moves on.
CREATE TRIGGER mail_outbox_kept BEFORE UPDATE OF kind, document, attach_document, customer_id, to_address, subject,
    text_body, html_body, message_id, created_at ON mail_outbox
BEGIN SELECT RAISE(ABORT, 'a message in the outbox is kept as it was written'); END;
CREATE TRIGGER mail_outbox_no_delete BEFORE DELETE ON mail_outbox
BEGIN SELECT RAISE(ABORT, 'a message in the outbox is kept as it was written'); END;
CREATE TRIGGER mail_attachments_no_update BEFORE UPDATE ON mail_attachments
BEGIN SELECT RAISE(ABORT, 'a message in the outbox is kept as it was written'); END;
CREATE TRIGGER mail_attachments_no_delete BEFORE DELETE ON mail_attachments
BEGIN SELECT RAISE(ABORT, 'a message in the outbox is kept as it was written'); END;
"#,
    // 12: invoices and credit notes go to the outbox in the transaction that issues them (when
    // the reseller wants them e-mailed as they are issued).
    r#"
ALTER TABLE mail_settings ADD COLUMN send_on_issue INTEGER NOT NULL DEFAULT 1 CHECK (send_on_issue IN (0, 1));
"#,
    // 13: Azure usage. Microsoft's daily rated usage files as imported (one row each, with a
    // digest of their lines, so the same data twice adds nothing), each Azure subscription
    // (entitlement) with its tenant, and what a file's lines add up to per subscription, day,
    // meter category and whether partner-earned credit applied: exact decimal text, never summed
    // in SQL. All append-only.
    r#"
CREATE TABLE usage_imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    lines INTEGER NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE azure_subscriptions (
    id INTEGER PRIMARY KEY,
    entitlement_id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    description TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_domain TEXT NOT NULL
) STRICT;

CREATE TABLE usage_days (
    import_id INTEGER NOT NULL REFERENCES usage_imports (id),
    azure_subscription_id INTEGER NOT NULL REFERENCES azure_subscriptions (id),
    invoice TEXT NOT NULL,
    month TEXT NOT NULL,
    usage_date TEXT NOT NULL,
    meter_category TEXT NOT NULL,
    pec INTEGER NOT NULL CHECK (pec IN (0, 1)),
    lines INTEGER NOT NULL,
    retail TEXT NOT NULL,
    cost TEXT NOT NULL,
    pricing TEXT NOT NULL,
    pricing_currency TEXT NOT NULL,
    billing_currency TEXT NOT NULL,
    rate TEXT NOT NULL,
    PRIMARY KEY (import_id, azure_subscription_id, invoice, usage_date, meter_category, pec)
) STRICT, WITHOUT ROWID;
CREATE INDEX usage_days_month ON usage_days (azure_subscription_id, month, invoice, import_id);

-- What each Azure usage line of an invoice billed, as Microsoft's sums then stood: a corrected
-- or later file for a month already invoiced is billed as the difference (a correction line).
CREATE TABLE usage_billed (
    item_key TEXT PRIMARY KEY REFERENCES invoice_lines (item_key),
    retail TEXT NOT NULL,
    cost TEXT NOT NULL,
    cost_in_pricing_currency TEXT NOT NULL
) STRICT;
CREATE TRIGGER usage_billed_kept BEFORE UPDATE ON usage_billed
BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END;
CREATE TRIGGER usage_billed_no_delete BEFORE DELETE ON usage_billed
BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END;

-- A customer's monthly Azure budget, in their currency: the dashboard warns at 80 % and 100 %.
CREATE TABLE usage_budgets (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    amount TEXT NOT NULL,
    set_at TEXT NOT NULL
) STRICT;

-- How a customer's Azure usage is priced, from a day on (customer_id NULL: the default rule).
CREATE TABLE usage_rules (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    basis TEXT NOT NULL CHECK (basis IN ('retail', 'cost')),
    percent TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER usage_imports_kept BEFORE UPDATE ON usage_imports
BEGIN SELECT RAISE(ABORT, 'imported usage is kept as it was imported'); END;
CREATE TRIGGER usage_imports_no_delete BEFORE DELETE ON usage_imports
BEGIN SELECT RAISE(ABORT, 'imported usage is kept as it was imported'); END;
CREATE TRIGGER usage_days_kept BEFORE UPDATE ON usage_days
BEGIN SELECT RAISE(ABORT, 'imported usage is kept as it was imported'); END;
CREATE TRIGGER usage_days_no_delete BEFORE DELETE ON usage_days
BEGIN SELECT RAISE(ABORT, 'imported usage is kept as it was imported'); END;
"#,
    // 14: what an invoice's Azure usage line bills per meter category (the summary printed under
    // it, and what a corrected file is compared with), Azure lines found fast for the books, and
    // the retail of lines Microsoft charged nothing for (free allowances), which customers are
    // not charged for either.
    r#"
ALTER TABLE usage_days ADD COLUMN free TEXT NOT NULL DEFAULT '0';
ALTER TABLE usage_billed ADD COLUMN free TEXT NOT NULL DEFAULT '0';
CREATE TABLE usage_line_categories (
    invoice_line_id INTEGER NOT NULL REFERENCES invoice_lines (id),
    position INTEGER NOT NULL,
    meter_category TEXT NOT NULL,
    retail TEXT NOT NULL,
    free TEXT NOT NULL,
    cost TEXT NOT NULL,
    cost_in_pricing_currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (invoice_line_id, position)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER usage_line_categories_kept BEFORE UPDATE ON usage_line_categories
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER usage_line_categories_no_delete BEFORE DELETE ON usage_line_categories
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE INDEX invoice_lines_usage ON invoice_lines (invoice_id) WHERE kind = 'usage';
"#,
    // 15: what is kept cannot be replaced either. `INSERT OR REPLACE` deletes the row it replaces
    // without its delete trigger (unless recursive triggers are on, as Seatbook's own connections
    // have them): an insert that would replace a kept row, by any of its unique keys, is refused
    // before it starts. And one Microsoft subscription is one Seatbook subscription.
    r#"
CREATE TRIGGER invoices_never_replaced BEFORE INSERT ON invoices
WHEN EXISTS (SELECT 1 FROM invoices o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.number = NEW.number)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.series_year = NEW.series_year AND o.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_never_replaced BEFORE INSERT ON invoice_lines
WHEN EXISTS (SELECT 1 FROM invoice_lines o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.item_key = NEW.item_key)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_vat_never_replaced BEFORE INSERT ON invoice_vat
WHEN EXISTS (SELECT 1 FROM invoice_vat o WHERE o.invoice_id = NEW.invoice_id AND o.rate = NEW.rate)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER credit_notes_never_replaced BEFORE INSERT ON credit_notes
WHEN EXISTS (SELECT 1 FROM credit_notes o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM credit_notes o WHERE o.number = NEW.number)
        OR EXISTS (SELECT 1 FROM credit_notes o WHERE o.series_year = NEW.series_year AND o.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be changed'); END;
CREATE TRIGGER credit_note_lines_never_replaced BEFORE INSERT ON credit_note_lines
WHEN EXISTS (SELECT 1 FROM credit_note_lines o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'issued credit notes cannot be changed'); END;
CREATE TRIGGER payments_never_replaced BEFORE INSERT ON payments
WHEN EXISTS (SELECT 1 FROM payments o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM payments o WHERE o.reverses_id = NEW.reverses_id)
BEGIN SELECT RAISE(ABORT, 'payments cannot be changed; reverse them'); END;
CREATE TRIGGER allocations_never_replaced BEFORE INSERT ON allocations
WHEN EXISTS (SELECT 1 FROM allocations o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'allocations cannot be changed'); END;
CREATE TRIGGER subscription_events_never_replaced BEFORE INSERT ON subscription_events
WHEN EXISTS (SELECT 1 FROM subscription_events o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER logos_never_replaced BEFORE INSERT ON logos
WHEN EXISTS (SELECT 1 FROM logos o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM logos o WHERE o.key = NEW.key)
BEGIN SELECT RAISE(ABORT, 'the logo of an issued document cannot be changed'); END;
CREATE TRIGGER mail_outbox_never_replaced BEFORE INSERT ON mail_outbox
WHEN EXISTS (SELECT 1 FROM mail_outbox o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM mail_outbox o WHERE o.message_id = NEW.message_id)
BEGIN SELECT RAISE(ABORT, 'a message in the outbox is kept as it was written'); END;
CREATE TRIGGER mail_attachments_never_replaced BEFORE INSERT ON mail_attachments
WHEN EXISTS (SELECT 1 FROM mail_attachments o WHERE o.outbox_id = NEW.outbox_id AND o.position = NEW.position)
BEGIN SELECT RAISE(ABORT, 'a message in the outbox is kept as it was written'); END;
CREATE TRIGGER recon_imports_never_replaced BEFORE INSERT ON recon_imports
WHEN EXISTS (SELECT 1 FROM recon_imports o WHERE o.id = NEW.id)
        OR (NEW.replaced_by IS NULL AND EXISTS (SELECT 1 FROM recon_imports o WHERE o.invoice = NEW.invoice AND o.replaced_by IS NULL))
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept'); END;
CREATE TRIGGER recon_files_never_replaced BEFORE INSERT ON recon_files
WHEN EXISTS (SELECT 1 FROM recon_files o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept'); END;
CREATE TRIGGER recon_file_parts_never_replaced BEFORE INSERT ON recon_file_parts
WHEN EXISTS (SELECT 1 FROM recon_file_parts o WHERE o.file_id = NEW.file_id AND o.part = NEW.part)
BEGIN SELECT RAISE(ABORT, 'imported reconciliation files are kept'); END;
CREATE TRIGGER recon_lines_never_replaced BEFORE INSERT ON recon_lines
WHEN EXISTS (SELECT 1 FROM recon_lines o WHERE o.import_id = NEW.import_id AND o.line = NEW.line)
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
CREATE TRIGGER recon_subjects_never_replaced BEFORE INSERT ON recon_subjects
WHEN EXISTS (SELECT 1 FROM recon_subjects o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'Microsoft''s lines are kept as they came'); END;
CREATE TRIGGER usage_imports_never_replaced BEFORE INSERT ON usage_imports
WHEN EXISTS (SELECT 1 FROM usage_imports o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM usage_imports o WHERE o.digest = NEW.digest)
BEGIN SELECT RAISE(ABORT, 'imported usage is kept as it was imported'); END;
CREATE TRIGGER usage_days_never_replaced BEFORE INSERT ON usage_days
WHEN EXISTS (SELECT 1 FROM usage_days o WHERE o.import_id = NEW.import_id AND o.azure_subscription_id = NEW.azure_subscription_id AND o.invoice = NEW.invoice AND o.usage_date = NEW.usage_date AND o.meter_category = NEW.meter_category AND o.pec = NEW.pec)
BEGIN SELECT RAISE(ABORT, 'imported usage is kept as it was imported'); END;
CREATE TRIGGER usage_billed_never_replaced BEFORE INSERT ON usage_billed
WHEN EXISTS (SELECT 1 FROM usage_billed o WHERE o.item_key = NEW.item_key)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER usage_line_categories_never_replaced BEFORE INSERT ON usage_line_categories
WHEN EXISTS (SELECT 1 FROM usage_line_categories o WHERE o.invoice_line_id = NEW.invoice_line_id AND o.position = NEW.position)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE INDEX subscriptions_ms_id ON subscriptions (lower(ms_subscription_id)) WHERE ms_subscription_id <> '';
CREATE TRIGGER subscriptions_ms_id_once BEFORE INSERT ON subscriptions
WHEN NEW.ms_subscription_id <> ''
    AND EXISTS (SELECT 1 FROM subscriptions o WHERE o.ms_subscription_id <> '' AND lower(o.ms_subscription_id) = lower(NEW.ms_subscription_id))
BEGIN SELECT RAISE(ABORT, 'that Microsoft subscription is already another subscription in the book'); END;
CREATE TRIGGER subscriptions_ms_id_once_update BEFORE UPDATE OF ms_subscription_id ON subscriptions
WHEN NEW.ms_subscription_id <> OLD.ms_subscription_id AND NEW.ms_subscription_id <> ''
    AND EXISTS (SELECT 1 FROM subscriptions o WHERE o.id <> NEW.id AND o.ms_subscription_id <> ''
                AND lower(o.ms_subscription_id) = lower(NEW.ms_subscription_id))
BEGIN SELECT RAISE(ABORT, 'that Microsoft subscription is already another subscription in the book'); END;
"#,
    // 16: the connection to Partner Center: whose tenant, which application, how it signs in,
    // and when the book was last compared with Microsoft's. The secret is never here: it is in
    // the system's credential store (or the environment).
    r#"
CREATE TABLE pc_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tenant TEXT NOT NULL,
    client_id TEXT NOT NULL,
    sign_in TEXT NOT NULL CHECK (sign_in IN ('app', 'app+user')),
    connected_at TEXT NOT NULL,
    last_sync TEXT
) STRICT;
"#,
    // 17: the Partner Center outbox. Each change to a linked subscription (or purchase for a
    // linked customer) is written with an
    // entry saying what to ask of Microsoft (`change`: the values to set on Microsoft's whole
    // subscription object), what the subscription was before (`before`, to undo it should
    // Microsoft refuse), the event that made it, and the `MS-RequestId` every try reuses.
    r#"
CREATE TABLE pc_outbox (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('purchase', 'upgrade', 'seats', 'suspend', 'reactivate', 'cancel', 'auto_renew', 'schedule')),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    tenant_id TEXT NOT NULL,
    ms_subscription_id TEXT NOT NULL,
    -- The book's change it sends; none when the book's value is pushed to Microsoft as it is.
    event_id INTEGER UNIQUE REFERENCES subscription_events (id),
    change TEXT NOT NULL,
    before TEXT NOT NULL,
    ms_request_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'accepted', 'done', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT NOT NULL DEFAULT '',
    ms_code TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    finished_at TEXT,
    undo_event_id INTEGER REFERENCES subscription_events (id),
    -- A purchase: the cart made for it (checked out with the entry's request id on every try),
    -- then Microsoft's order (read again until it names the new subscription).
    ms_cart_id TEXT NOT NULL DEFAULT '',
    ms_order_id TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX pc_outbox_open ON pc_outbox (state, subscription_id, id);

-- A customer made at Microsoft by Seatbook: the Microsoft Customer Agreement as the partner
-- attested the customer accepted it (who, and on which day), kept as it was recorded.
CREATE TABLE pc_agreements (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    tenant_id TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    date_agreed TEXT NOT NULL,
    template_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;
-- The sync under way: Microsoft's customers as listed (in its order), and each one's
-- subscriptions once read. A sync cut off (offline, throttled for long) resumes from here; a
-- finished one leaves nothing.
CREATE TABLE pc_sync_read (
    position INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    customer TEXT NOT NULL,
    subscriptions TEXT,
    listed_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER pc_agreements_kept BEFORE UPDATE ON pc_agreements
BEGIN SELECT RAISE(ABORT, 'an agreement is kept as it was recorded'); END;
CREATE TRIGGER pc_agreements_no_delete BEFORE DELETE ON pc_agreements
BEGIN SELECT RAISE(ABORT, 'an agreement is kept as it was recorded'); END;

-- What was asked of Microsoft is kept as it was written: only its state moves on, and a
-- finished entry stays finished.
CREATE TRIGGER pc_outbox_kept BEFORE UPDATE OF action, customer_id, subscription_id, tenant_id, ms_subscription_id,
    event_id, change, before, ms_request_id, created_at ON pc_outbox
BEGIN SELECT RAISE(ABORT, 'a change in the Partner Center outbox is kept as it was written'); END;
CREATE TRIGGER pc_outbox_finished BEFORE UPDATE OF state ON pc_outbox
    WHEN OLD.state IN ('done', 'refused')
BEGIN SELECT RAISE(ABORT, 'a change Microsoft answered stays as it was answered'); END;
CREATE TRIGGER pc_outbox_no_delete BEFORE DELETE ON pc_outbox
BEGIN SELECT RAISE(ABORT, 'a change in the Partner Center outbox is kept as it was written'); END;
"#,
    // 18: the outbox carries changes to a linked customer too: a customer made at Microsoft
    // (`customer`: sent with the entry's request id on every try, so a crash between Microsoft
    // making it and the book linking it makes it once) and its billing profile (`billing_profile`:
    // name, contact, e-mail and phone, sent as Microsoft's whole profile with its etag). Such an
    // entry has no subscription. The table is made again: SQLite cannot widen a CHECK.
    r#"
CREATE TABLE pc_outbox_18 (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('purchase', 'upgrade', 'seats', 'suspend', 'reactivate', 'cancel', 'auto_renew', 'schedule',
                                           'customer', 'billing_profile')),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    subscription_id INTEGER REFERENCES subscriptions (id),
    tenant_id TEXT NOT NULL,
    ms_subscription_id TEXT NOT NULL,
    event_id INTEGER UNIQUE REFERENCES subscription_events (id),
    change TEXT NOT NULL,
    before TEXT NOT NULL,
    ms_request_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'accepted', 'done', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT NOT NULL DEFAULT '',
    ms_code TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    finished_at TEXT,
    undo_event_id INTEGER REFERENCES subscription_events (id),
    ms_cart_id TEXT NOT NULL DEFAULT '',
    ms_order_id TEXT NOT NULL DEFAULT '',
    CHECK ((subscription_id IS NULL) = (action IN ('customer', 'billing_profile')))
) STRICT;
INSERT INTO pc_outbox_18 SELECT * FROM pc_outbox;
DROP TABLE pc_outbox;
ALTER TABLE pc_outbox_18 RENAME TO pc_outbox;
CREATE INDEX pc_outbox_open ON pc_outbox (state, subscription_id, id);
CREATE INDEX pc_outbox_customer ON pc_outbox (customer_id, state);
CREATE TRIGGER pc_outbox_kept BEFORE UPDATE OF action, customer_id, subscription_id, tenant_id, ms_subscription_id,
    event_id, change, before, ms_request_id, created_at ON pc_outbox
BEGIN SELECT RAISE(ABORT, 'a change in the Partner Center outbox is kept as it was written'); END;
CREATE TRIGGER pc_outbox_finished BEFORE UPDATE OF state ON pc_outbox
    WHEN OLD.state IN ('done', 'refused')
BEGIN SELECT RAISE(ABORT, 'a change Microsoft answered stays as it was answered'); END;
CREATE TRIGGER pc_outbox_no_delete BEFORE DELETE ON pc_outbox
BEGIN SELECT RAISE(ABORT, 'a change in the Partner Center outbox is kept as it was written'); END;
CREATE TRIGGER pc_outbox_never_replaced BEFORE INSERT ON pc_outbox
WHEN EXISTS (SELECT 1 FROM pc_outbox o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM pc_outbox o WHERE o.ms_request_id = NEW.ms_request_id)
        OR EXISTS (SELECT 1 FROM pc_outbox o WHERE o.event_id = NEW.event_id)
BEGIN SELECT RAISE(ABORT, 'a change in the Partner Center outbox is kept as it was written'); END;
"#,
    // 19: a leaner file. A line's description is kept once in `line_texts` (a month repeats a
    // few hundred of them 50,000 times) and a line refers to it. A licence period's natural key
    // (`sub:<subscription>:licence:<start>:<end>`) is not stored: it is derived from the line's
    // subscription and period, which one unique index keeps billed once; the other lines keep
    // theirs in `own_key` (unique by its own, much smaller index). The lines are made again
    // (the book's migrations run with foreign keys checked at the end, not row by row), and
    // Azure's `usage_billed` names its line by that key with a trigger instead of a foreign key.
    r#"
CREATE TABLE line_texts (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO line_texts (text) SELECT description FROM invoice_lines GROUP BY description ORDER BY min(id);
CREATE TABLE invoice_lines_19 (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subscription_id INTEGER REFERENCES subscriptions (id),
    period_start TEXT,
    period_end TEXT,
    -- The natural key of the billed item, where it is not a licence period's (derived).
    own_key TEXT,
    text_id INTEGER NOT NULL REFERENCES line_texts (id),
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    vat_rate TEXT NOT NULL,
    fx_rate TEXT,
    fx_from TEXT,
    billable_date TEXT NOT NULL,
    cost_minor INTEGER,
    CHECK (own_key IS NOT NULL OR (kind = 'licence' AND subscription_id IS NOT NULL AND period_start IS NOT NULL AND period_end IS NOT NULL))
) STRICT;
INSERT INTO invoice_lines_19 (id, invoice_id, position, kind, subscription_id, period_start, period_end, own_key, text_id, quantity,
    unit_price, amount_minor, vat_rate, fx_rate, fx_from, billable_date, cost_minor)
SELECT l.id, l.invoice_id, l.position, l.kind, l.subscription_id, l.period_start, l.period_end,
    CASE WHEN l.kind = 'licence' AND l.item_key = 'sub:' || l.subscription_id || ':licence:' || l.period_start || ':' || l.period_end
         THEN NULL ELSE l.item_key END,
    t.id, l.quantity, l.unit_price, l.amount_minor, l.vat_rate, l.fx_rate, l.fx_from, l.billable_date, l.cost_minor
FROM invoice_lines l JOIN line_texts t ON t.text = l.description ORDER BY l.id;
DROP TABLE invoice_lines;
ALTER TABLE invoice_lines_19 RENAME TO invoice_lines;
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, position);
CREATE INDEX invoice_lines_billable ON invoice_lines (billable_date);
CREATE UNIQUE INDEX invoice_lines_subscription ON invoice_lines (subscription_id, kind, period_start, period_end, ifnull(own_key, ''));
CREATE UNIQUE INDEX invoice_lines_own_key ON invoice_lines (own_key) WHERE own_key IS NOT NULL;
CREATE INDEX invoice_lines_usage ON invoice_lines (invoice_id) WHERE kind = 'usage';
CREATE TRIGGER invoice_lines_immutable_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_immutable_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoice_lines_only_as_issued BEFORE INSERT ON invoice_lines
WHEN NEW.position > IFNULL((SELECT line_count FROM invoices WHERE id = NEW.invoice_id), 0)
  OR NEW.position <> IFNULL((SELECT max(position) FROM invoice_lines WHERE invoice_id = NEW.invoice_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_never_replaced BEFORE INSERT ON invoice_lines
WHEN EXISTS (SELECT 1 FROM invoice_lines o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.own_key = NEW.own_key)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.subscription_id = NEW.subscription_id AND o.kind = NEW.kind
                   AND o.period_start = NEW.period_start AND o.period_end = NEW.period_end
                   AND ifnull(o.own_key, '') = ifnull(NEW.own_key, ''))
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER line_texts_kept BEFORE UPDATE ON line_texts
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER line_texts_no_delete BEFORE DELETE ON line_texts
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER line_texts_never_replaced BEFORE INSERT ON line_texts
WHEN EXISTS (SELECT 1 FROM line_texts o WHERE o.id = NEW.id) OR EXISTS (SELECT 1 FROM line_texts o WHERE o.text = NEW.text)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TABLE usage_billed_19 (
    item_key TEXT PRIMARY KEY,
    retail TEXT NOT NULL,
    cost TEXT NOT NULL,
    cost_in_pricing_currency TEXT NOT NULL,
    free TEXT NOT NULL DEFAULT '0'
) STRICT;
INSERT INTO usage_billed_19 (item_key, retail, cost, cost_in_pricing_currency, free)
SELECT item_key, retail, cost, cost_in_pricing_currency, free FROM usage_billed;
DROP TABLE usage_billed;
ALTER TABLE usage_billed_19 RENAME TO usage_billed;
CREATE TRIGGER usage_billed_kept BEFORE UPDATE ON usage_billed
BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END;
CREATE TRIGGER usage_billed_no_delete BEFORE DELETE ON usage_billed
BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END;
CREATE TRIGGER usage_billed_never_replaced BEFORE INSERT ON usage_billed
WHEN EXISTS (SELECT 1 FROM usage_billed o WHERE o.item_key = NEW.item_key)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER usage_billed_of_a_line BEFORE INSERT ON usage_billed
WHEN NOT EXISTS (SELECT 1 FROM invoice_lines o WHERE o.own_key = NEW.item_key)
BEGIN SELECT RAISE(ABORT, 'what Azure usage billed belongs to an invoice line'); END;
"#,
    // 20: both parties of an invoice kept once, and renewals' words made from their rows. A month's 10,000 invoices name the same supplier
    // and bank details, and each customer as it was, again every month: an invoice now refers
    // to its two parties, kept in `parties` as they were when it was issued (never changed; a
    // changed address is a new party). The invoices are made again with the references.
    r#"
CREATE TABLE parties (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    country TEXT NOT NULL,
    vat_number TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    bank_name TEXT NOT NULL,
    bank_account_holder TEXT NOT NULL,
    bank_account_number TEXT NOT NULL,
    bank_branch_code TEXT NOT NULL,
    bank_swift TEXT NOT NULL,
    UNIQUE (name, address, country, vat_number, registration_number, email, phone, bank_name, bank_account_holder,
        bank_account_number, bank_branch_code, bank_swift)
) STRICT;
INSERT OR IGNORE INTO parties (name, address, country, vat_number, registration_number, email, phone, bank_name,
    bank_account_holder, bank_account_number, bank_branch_code, bank_swift)
SELECT supplier_name, supplier_address, supplier_country, supplier_vat_number, supplier_registration_number, supplier_email,
    supplier_phone, bank_name, bank_account_holder, bank_account_number, bank_branch_code, bank_swift
FROM invoices ORDER BY id;
INSERT OR IGNORE INTO parties (name, address, country, vat_number, registration_number, email, phone, bank_name,
    bank_account_holder, bank_account_number, bank_branch_code, bank_swift)
SELECT customer_name, customer_address, customer_country, customer_vat_number, '', customer_email, '', '', '', '', '', ''
FROM invoices ORDER BY id;
CREATE TABLE invoices_20 (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    series_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    run_id INTEGER REFERENCES billing_runs (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    month TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    -- The customer and the supplier (with its bank details) as they were when it was issued.
    customer_party_id INTEGER NOT NULL REFERENCES parties (id),
    supplier_party_id INTEGER NOT NULL REFERENCES parties (id),
    tax_treatment TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    paper TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    logo_id INTEGER REFERENCES logos (id),
    logo_kept INTEGER NOT NULL DEFAULT 0,
    line_count INTEGER,
    vat_line_count INTEGER,
    UNIQUE (series_year, seq)
) STRICT;
INSERT INTO invoices_20 (id, number, series_year, seq, run_id, customer_id, date, due_date, month, currency, net_minor, vat_minor,
    total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, logo_id, logo_kept,
    line_count, vat_line_count)
SELECT i.id, i.number, i.series_year, i.seq, i.run_id, i.customer_id, i.date, i.due_date, i.month, i.currency, i.net_minor,
    i.vat_minor, i.total_minor, c.id, s.id, i.tax_treatment, i.payment_terms_days, i.paper, i.recorded_at, i.logo_id, i.logo_kept,
    i.line_count, i.vat_line_count
FROM invoices i
JOIN parties c ON c.name = i.customer_name AND c.address = i.customer_address AND c.country = i.customer_country
    AND c.vat_number = i.customer_vat_number AND c.registration_number = '' AND c.email = i.customer_email AND c.phone = ''
    AND c.bank_name = '' AND c.bank_account_holder = '' AND c.bank_account_number = '' AND c.bank_branch_code = ''
    AND c.bank_swift = ''
JOIN parties s ON s.name = i.supplier_name AND s.address = i.supplier_address AND s.country = i.supplier_country
    AND s.vat_number = i.supplier_vat_number AND s.registration_number = i.supplier_registration_number
    AND s.email = i.supplier_email AND s.phone = i.supplier_phone AND s.bank_name = i.bank_name
    AND s.bank_account_holder = i.bank_account_holder AND s.bank_account_number = i.bank_account_number
    AND s.bank_branch_code = i.bank_branch_code AND s.bank_swift = i.bank_swift
ORDER BY i.id;
DROP TABLE invoices;
-- Other tables' triggers name `invoices`: they are to name the new table, as they are written.
PRAGMA legacy_alter_table = ON;
ALTER TABLE invoices_20 RENAME TO invoices;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX invoices_customer ON invoices (customer_id, date);
CREATE INDEX invoices_month ON invoices (month);
CREATE INDEX invoices_aging ON invoices (date, customer_id, due_date, currency, total_minor, number);
CREATE TRIGGER invoices_immutable_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoices_immutable_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoices_next_number BEFORE INSERT ON invoices
WHEN NEW.seq <> IFNULL((SELECT max(seq) FROM invoices WHERE series_year = NEW.series_year), NEW.seq - 1) + 1
BEGIN SELECT RAISE(ABORT, 'an invoice takes the next number of its series: numbers have no gaps'); END;
CREATE TRIGGER invoices_never_replaced BEFORE INSERT ON invoices
WHEN EXISTS (SELECT 1 FROM invoices o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.number = NEW.number)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.series_year = NEW.series_year AND o.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER parties_kept BEFORE UPDATE ON parties
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER parties_no_delete BEFORE DELETE ON parties
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER parties_never_replaced BEFORE INSERT ON parties
WHEN EXISTS (SELECT 1 FROM parties o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM parties o WHERE o.name = NEW.name AND o.address = NEW.address AND o.country = NEW.country
            AND o.vat_number = NEW.vat_number AND o.registration_number = NEW.registration_number AND o.email = NEW.email
            AND o.phone = NEW.phone AND o.bank_name = NEW.bank_name AND o.bank_account_holder = NEW.bank_account_holder
            AND o.bank_account_number = NEW.bank_account_number AND o.bank_branch_code = NEW.bank_branch_code
            AND o.bank_swift = NEW.bank_swift)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
-- A renewal's words in the history are its row's own but for the rule that set its price: new
-- renewals keep only that rule, and their words are made again from the row when read.
ALTER TABLE subscription_events ADD COLUMN price_rule TEXT;
"#,
    // 21: the lines' dates as day numbers. An invoice line holds three dates (its period and
    // the day it became billable), and the unique index on subscription and period two of
    // them: kept as the day's number since 1970-01-01 (2 or 3 bytes) instead of its ten
    // characters, the lines and their indexes take a third less. The store reads and writes
    // them as dates (`col::day`), and the export writes them as dates. Left out as well: the
    // covering index for aging (the invoices themselves are read as fast), the allocations'
    // index on their invoice (the first column of the one on invoice, date and amount), and the
    // row ids of the VAT lines (kept by invoice and rate, as they are looked up).
    r#"
CREATE TABLE invoice_lines_21 (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subscription_id INTEGER REFERENCES subscriptions (id),
    -- Days since 1970-01-01.
    period_start INTEGER,
    period_end INTEGER,
    -- The natural key of the billed item, where it is not a licence period's (derived).
    own_key TEXT,
    text_id INTEGER NOT NULL REFERENCES line_texts (id),
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    vat_rate TEXT NOT NULL,
    fx_rate TEXT,
    fx_from TEXT,
    billable_date INTEGER NOT NULL,
    cost_minor INTEGER,
    CHECK (own_key IS NOT NULL OR (kind = 'licence' AND subscription_id IS NOT NULL AND period_start IS NOT NULL AND period_end IS NOT NULL))
) STRICT;
INSERT INTO invoice_lines_21 (id, invoice_id, position, kind, subscription_id, period_start, period_end, own_key, text_id, quantity,
    unit_price, amount_minor, vat_rate, fx_rate, fx_from, billable_date, cost_minor)
SELECT id, invoice_id, position, kind, subscription_id, CAST(julianday(period_start) - 2440587.5 AS INTEGER),
    CAST(julianday(period_end) - 2440587.5 AS INTEGER), own_key, text_id, quantity, unit_price, amount_minor, vat_rate, fx_rate,
    fx_from, CAST(julianday(billable_date) - 2440587.5 AS INTEGER), cost_minor
FROM invoice_lines ORDER BY id;
DROP TABLE invoice_lines;
-- Other tables' triggers name `invoice_lines`: they are to name the new table, as they are written.
PRAGMA legacy_alter_table = ON;
ALTER TABLE invoice_lines_21 RENAME TO invoice_lines;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, position);
CREATE INDEX invoice_lines_billable ON invoice_lines (billable_date);
CREATE UNIQUE INDEX invoice_lines_subscription ON invoice_lines (subscription_id, kind, period_start, period_end, ifnull(own_key, ''));
CREATE UNIQUE INDEX invoice_lines_own_key ON invoice_lines (own_key) WHERE own_key IS NOT NULL;
CREATE INDEX invoice_lines_usage ON invoice_lines (invoice_id) WHERE kind = 'usage';
CREATE TRIGGER invoice_lines_immutable_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_immutable_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoice_lines_only_as_issued BEFORE INSERT ON invoice_lines
WHEN NEW.position > IFNULL((SELECT line_count FROM invoices WHERE id = NEW.invoice_id), 0)
  OR NEW.position <> IFNULL((SELECT max(position) FROM invoice_lines WHERE invoice_id = NEW.invoice_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_never_replaced BEFORE INSERT ON invoice_lines
WHEN EXISTS (SELECT 1 FROM invoice_lines o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.own_key = NEW.own_key)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.subscription_id = NEW.subscription_id AND o.kind = NEW.kind
                   AND o.period_start = NEW.period_start AND o.period_end = NEW.period_end
                   AND ifnull(o.own_key, '') = ifnull(NEW.own_key, ''))
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
DROP INDEX invoices_aging;
DROP INDEX allocations_invoice;
CREATE TABLE invoice_vat_21 (
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    rate TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, rate)
) STRICT, WITHOUT ROWID;
INSERT INTO invoice_vat_21 (invoice_id, rate, net_minor, vat_minor) SELECT invoice_id, rate, net_minor, vat_minor FROM invoice_vat;
DROP TABLE invoice_vat;
PRAGMA legacy_alter_table = ON;
ALTER TABLE invoice_vat_21 RENAME TO invoice_vat;
PRAGMA legacy_alter_table = OFF;
CREATE TRIGGER invoice_vat_immutable_update BEFORE UPDATE ON invoice_vat
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_vat_immutable_delete BEFORE DELETE ON invoice_vat
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoice_vat_only_as_issued BEFORE INSERT ON invoice_vat
WHEN (SELECT count(*) FROM invoice_vat WHERE invoice_id = NEW.invoice_id)
  >= IFNULL((SELECT vat_line_count FROM invoices WHERE id = NEW.invoice_id), 0)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_vat_never_replaced BEFORE INSERT ON invoice_vat
WHEN EXISTS (SELECT 1 FROM invoice_vat o WHERE o.invoice_id = NEW.invoice_id AND o.rate = NEW.rate)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
"#, // 22: the history leaner. A subscription's events keep their three dates (effective, the
    // term's start and end) as days, as the invoice lines do since 21, and a renewal's price rule
    // (a month renews thousands of terms under a few rules) once in `price_rules`, referred to.
    r#"
CREATE TABLE price_rules (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO price_rules (text) SELECT price_rule FROM subscription_events WHERE price_rule IS NOT NULL GROUP BY price_rule ORDER BY min(id);
CREATE TABLE subscription_events_22 (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    kind TEXT NOT NULL,
    -- Days since 1970-01-01, as the term's start and end.
    effective INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    quantity_delta INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    term TEXT NOT NULL,
    billing TEXT NOT NULL,
    status TEXT NOT NULL,
    trial INTEGER NOT NULL,
    term_start INTEGER NOT NULL,
    term_end INTEGER NOT NULL,
    unit_price TEXT NOT NULL,
    price_currency TEXT NOT NULL,
    unit_cost TEXT NOT NULL,
    cost_currency TEXT NOT NULL,
    description TEXT NOT NULL,
    -- A renewal's rule that set its price: its words are made from the row (20).
    price_rule_id INTEGER REFERENCES price_rules (id)
) STRICT;
INSERT INTO subscription_events_22 (id, subscription_id, kind, effective, recorded_at, quantity_delta, quantity, product_id, sku_id,
    term, billing, status, trial, term_start, term_end, unit_price, price_currency, unit_cost, cost_currency, description, price_rule_id)
SELECT e.id, e.subscription_id, e.kind, CAST(julianday(e.effective) - 2440587.5 AS INTEGER), e.recorded_at, e.quantity_delta,
    e.quantity, e.product_id, e.sku_id, e.term, e.billing, e.status, e.trial, CAST(julianday(e.term_start) - 2440587.5 AS INTEGER),
    CAST(julianday(e.term_end) - 2440587.5 AS INTEGER), e.unit_price, e.price_currency, e.unit_cost, e.cost_currency, e.description,
    r.id
FROM subscription_events e LEFT JOIN price_rules r ON r.text = e.price_rule ORDER BY e.id;
DROP TABLE subscription_events;
-- Other tables name `subscription_events` (the outbox's events): they are to name the new table.
PRAGMA legacy_alter_table = ON;
ALTER TABLE subscription_events_22 RENAME TO subscription_events;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX subscription_events_sub ON subscription_events (subscription_id, id);
CREATE TRIGGER subscription_events_no_update BEFORE UPDATE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER subscription_events_no_delete BEFORE DELETE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER subscription_events_never_replaced BEFORE INSERT ON subscription_events
WHEN EXISTS (SELECT 1 FROM subscription_events o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER price_rules_kept BEFORE UPDATE ON price_rules
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER price_rules_no_delete BEFORE DELETE ON price_rules
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER price_rules_never_replaced BEFORE INSERT ON price_rules
WHEN EXISTS (SELECT 1 FROM price_rules o WHERE o.id = NEW.id) OR EXISTS (SELECT 1 FROM price_rules o WHERE o.text = NEW.text)
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
"#,
    // 23: what a subscription's history repeats, once. Each event restated the subscription's
    // product, SKU, term, billing and both currencies (about 40 bytes; a month renews tens of
    // thousands of terms of a few hundred offers): kept once in `event_offers`, referred to. The
    // moment an event was recorded is kept as seconds since 1970 (4 bytes, not 20 characters)
    // where it is a UTC timestamp as Seatbook writes them, as it was otherwise; it reads the same.
    // So is the moment an invoice or a payment was recorded (their tables made again for it).
    // The unique index of what was billed keeps licence periods only (a line of another kind has
    // a key of its own, unique by `invoice_lines_own_key`), without their kind; the prorations
    // of a subscription, which the billing run looks up, get a small index of their own.
    r#"
CREATE TABLE event_offers (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    sku_id TEXT NOT NULL,
    term TEXT NOT NULL,
    billing TEXT NOT NULL,
    price_currency TEXT NOT NULL,
    cost_currency TEXT NOT NULL,
    UNIQUE (product_id, sku_id, term, billing, price_currency, cost_currency)
) STRICT;
INSERT INTO event_offers (product_id, sku_id, term, billing, price_currency, cost_currency)
SELECT product_id, sku_id, term, billing, price_currency, cost_currency FROM subscription_events
GROUP BY product_id, sku_id, term, billing, price_currency, cost_currency ORDER BY min(id);
CREATE TABLE subscription_events_23 (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    kind TEXT NOT NULL,
    -- Days since 1970-01-01, as the term's start and end.
    effective INTEGER NOT NULL,
    -- Seconds since 1970-01-01 UTC (a timestamp of another form as it was written).
    recorded_at ANY NOT NULL,
    quantity_delta INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    -- The product, SKU, term, billing and currencies.
    offer_id INTEGER NOT NULL REFERENCES event_offers (id),
    status TEXT NOT NULL,
    trial INTEGER NOT NULL,
    term_start INTEGER NOT NULL,
    term_end INTEGER NOT NULL,
    unit_price TEXT NOT NULL,
    unit_cost TEXT NOT NULL,
    description TEXT NOT NULL,
    -- A renewal's rule that set its price: its words are made from the row (20).
    price_rule_id INTEGER REFERENCES price_rules (id)
) STRICT;
INSERT INTO subscription_events_23 (id, subscription_id, kind, effective, recorded_at, quantity_delta, quantity, offer_id, status,
    trial, term_start, term_end, unit_price, unit_cost, description, price_rule_id)
SELECT e.id, e.subscription_id, e.kind, e.effective,
    CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', e.recorded_at) = e.recorded_at THEN CAST(strftime('%s', e.recorded_at) AS INTEGER)
         ELSE e.recorded_at END,
    e.quantity_delta, e.quantity, o.id, e.status, e.trial, e.term_start, e.term_end, e.unit_price, e.unit_cost, e.description,
    e.price_rule_id
FROM subscription_events e JOIN event_offers o ON o.product_id = e.product_id AND o.sku_id = e.sku_id AND o.term = e.term
    AND o.billing = e.billing AND o.price_currency = e.price_currency AND o.cost_currency = e.cost_currency
ORDER BY e.id;
DROP TABLE subscription_events;
-- Other tables name `subscription_events` (the outbox's events): they are to name the new table.
PRAGMA legacy_alter_table = ON;
ALTER TABLE subscription_events_23 RENAME TO subscription_events;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX subscription_events_sub ON subscription_events (subscription_id, id);
CREATE TRIGGER subscription_events_no_update BEFORE UPDATE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER subscription_events_no_delete BEFORE DELETE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER subscription_events_never_replaced BEFORE INSERT ON subscription_events
WHEN EXISTS (SELECT 1 FROM subscription_events o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER event_offers_kept BEFORE UPDATE ON event_offers
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER event_offers_no_delete BEFORE DELETE ON event_offers
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
CREATE TRIGGER event_offers_never_replaced BEFORE INSERT ON event_offers
WHEN EXISTS (SELECT 1 FROM event_offers o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM event_offers o WHERE o.product_id = NEW.product_id AND o.sku_id = NEW.sku_id AND o.term = NEW.term
            AND o.billing = NEW.billing AND o.price_currency = NEW.price_currency AND o.cost_currency = NEW.cost_currency)
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END;
DROP INDEX invoice_lines_subscription;
CREATE UNIQUE INDEX invoice_lines_licence ON invoice_lines (subscription_id, period_start, period_end, ifnull(own_key, ''))
WHERE kind = 'licence';
CREATE INDEX invoice_lines_proration ON invoice_lines (subscription_id, period_start) WHERE kind = 'proration';
DROP TRIGGER invoice_lines_never_replaced;
CREATE TRIGGER invoice_lines_never_replaced BEFORE INSERT ON invoice_lines
WHEN EXISTS (SELECT 1 FROM invoice_lines o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.own_key = NEW.own_key)
        OR (NEW.kind = 'licence' AND EXISTS (SELECT 1 FROM invoice_lines o WHERE o.kind = 'licence'
                   AND o.subscription_id = NEW.subscription_id AND o.period_start = NEW.period_start
                   AND o.period_end = NEW.period_end AND ifnull(o.own_key, '') = ifnull(NEW.own_key, '')))
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TABLE invoices_23 (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    series_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    run_id INTEGER REFERENCES billing_runs (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    month TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    -- The customer and the supplier (with its bank details) as they were when it was issued.
    customer_party_id INTEGER NOT NULL REFERENCES parties (id),
    supplier_party_id INTEGER NOT NULL REFERENCES parties (id),
    tax_treatment TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    paper TEXT NOT NULL,
    -- Seconds since 1970-01-01 UTC (a timestamp of another form as it was written).
    recorded_at ANY NOT NULL,
    logo_id INTEGER REFERENCES logos (id),
    logo_kept INTEGER NOT NULL DEFAULT 0,
    line_count INTEGER,
    vat_line_count INTEGER,
    UNIQUE (series_year, seq)
) STRICT;
INSERT INTO invoices_23 (id, number, series_year, seq, run_id, customer_id, date, due_date, month, currency, net_minor, vat_minor,
    total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, logo_id, logo_kept,
    line_count, vat_line_count)
SELECT id, number, series_year, seq, run_id, customer_id, date, due_date, month, currency, net_minor, vat_minor, total_minor,
    customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', recorded_at) = recorded_at THEN CAST(strftime('%s', recorded_at) AS INTEGER) ELSE recorded_at END,
    logo_id, logo_kept, line_count, vat_line_count
FROM invoices ORDER BY id;
DROP TABLE invoices;
PRAGMA legacy_alter_table = ON;
ALTER TABLE invoices_23 RENAME TO invoices;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX invoices_customer ON invoices (customer_id, date);
CREATE INDEX invoices_month ON invoices (month);
CREATE TRIGGER invoices_immutable_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoices_immutable_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoices_next_number BEFORE INSERT ON invoices
WHEN NEW.seq <> IFNULL((SELECT max(seq) FROM invoices WHERE series_year = NEW.series_year), NEW.seq - 1) + 1
BEGIN SELECT RAISE(ABORT, 'an invoice takes the next number of its series: numbers have no gaps'); END;
CREATE TRIGGER invoices_never_replaced BEFORE INSERT ON invoices
WHEN EXISTS (SELECT 1 FROM invoices o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.number = NEW.number)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.series_year = NEW.series_year AND o.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TABLE payments_23 (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'reversal')),
    date TEXT NOT NULL,
    -- Always positive; the kind says which way the money went.
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('eft', 'card', 'cash', 'other')),
    reference TEXT NOT NULL DEFAULT '',
    reverses_id INTEGER UNIQUE REFERENCES payments (id),
    -- Seconds since 1970-01-01 UTC (a timestamp of another form as it was written).
    recorded_at ANY NOT NULL,
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
) STRICT;
INSERT INTO payments_23 (id, customer_id, kind, date, amount_minor, currency, method, reference, reverses_id, recorded_at)
SELECT id, customer_id, kind, date, amount_minor, currency, method, reference, reverses_id, CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', recorded_at) = recorded_at THEN CAST(strftime('%s', recorded_at) AS INTEGER) ELSE recorded_at END
FROM payments ORDER BY id;
DROP TABLE payments;
PRAGMA legacy_alter_table = ON;
ALTER TABLE payments_23 RENAME TO payments;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX payments_customer ON payments (customer_id, date);
CREATE TRIGGER payments_append_only_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments cannot be changed; reverse them'); END;
CREATE TRIGGER payments_append_only_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments cannot be deleted; reverse them'); END;
CREATE TRIGGER payments_never_replaced BEFORE INSERT ON payments
WHEN EXISTS (SELECT 1 FROM payments o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM payments o WHERE o.reverses_id = NEW.reverses_id)
BEGIN SELECT RAISE(ABORT, 'payments cannot be changed; reverse them'); END;
"#,
    // 24: what an issued document's row can be made from is not kept beside it. A line's kind is
    // kept as a number (1 byte, not up to ten characters), read as its name (`kind`, a virtual
    // column), and the day it became billable only where it is not its period's first day
    // (`billable_date` reads either); the index of lines by that day, which only the lines of no
    // subscription need (the reconciliation finds the others by subscription), keeps those
    // alone. An invoice keeps its date as a day number, its due date only where it is not the
    // date and the payment terms, and its month only where it is not the date's; a payment and an
    // allocation keep their dates as day numbers. Each still reads as the text it was (`date`,
    // `due_date`, `month`: virtual columns), and the indexes hold the numbers. An import's words
    // in the history keep only what the row cannot give (`Store::migrate` does that after this).
    // The partial indexes name the kind by its name, as the queries do (SQLite uses a partial
    // index only where a query's terms imply its own).
    r#"
CREATE TABLE invoice_lines_24 (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    -- licence 1, proration 2, service 3, charge 4, instalment 5, usage 6 (read as `kind`).
    kind_code INTEGER NOT NULL CHECK (kind_code BETWEEN 1 AND 6),
    subscription_id INTEGER REFERENCES subscriptions (id),
    -- Days since 1970-01-01.
    period_start INTEGER,
    period_end INTEGER,
    -- The natural key of the billed item, where it is not a licence period's (derived).
    own_key TEXT,
    text_id INTEGER NOT NULL REFERENCES line_texts (id),
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    vat_rate TEXT NOT NULL,
    fx_rate TEXT,
    fx_from TEXT,
    -- The day it became billable where that is not `period_start` (read as `billable_date`).
    billable_kept INTEGER,
    cost_minor INTEGER,
    kind TEXT GENERATED ALWAYS AS (CASE kind_code WHEN 1 THEN 'licence' WHEN 2 THEN 'proration' WHEN 3 THEN 'service'
        WHEN 4 THEN 'charge' WHEN 5 THEN 'instalment' WHEN 6 THEN 'usage' END) VIRTUAL,
    billable_date INTEGER GENERATED ALWAYS AS (ifnull(billable_kept, period_start)) VIRTUAL,
    CHECK (billable_kept IS NOT NULL OR period_start IS NOT NULL),
    CHECK (own_key IS NOT NULL OR (kind_code = 1 AND subscription_id IS NOT NULL AND period_start IS NOT NULL AND period_end IS NOT NULL))
) STRICT;
INSERT INTO invoice_lines_24 (id, invoice_id, position, kind_code, subscription_id, period_start, period_end, own_key, text_id, quantity,
    unit_price, amount_minor, vat_rate, fx_rate, fx_from, billable_kept, cost_minor)
SELECT id, invoice_id, position, CASE kind WHEN 'licence' THEN 1 WHEN 'proration' THEN 2 WHEN 'service' THEN 3 WHEN 'charge' THEN 4
        WHEN 'instalment' THEN 5 WHEN 'usage' THEN 6 END,
    subscription_id, period_start, period_end, own_key, text_id, quantity, unit_price, amount_minor, vat_rate, fx_rate, fx_from,
    CASE WHEN billable_date IS period_start THEN NULL ELSE billable_date END, cost_minor
FROM invoice_lines ORDER BY id;
DROP TABLE invoice_lines;
-- Other tables' triggers name the tables made again here: they are to name the new ones.
PRAGMA legacy_alter_table = ON;
ALTER TABLE invoice_lines_24 RENAME TO invoice_lines;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, position);
CREATE INDEX invoice_lines_unsubscribed ON invoice_lines (billable_date) WHERE subscription_id IS NULL;
CREATE UNIQUE INDEX invoice_lines_own_key ON invoice_lines (own_key) WHERE own_key IS NOT NULL;
CREATE INDEX invoice_lines_usage ON invoice_lines (invoice_id) WHERE kind = 'usage';
CREATE UNIQUE INDEX invoice_lines_licence ON invoice_lines (subscription_id, period_start, period_end, ifnull(own_key, ''))
WHERE kind = 'licence';
CREATE INDEX invoice_lines_proration ON invoice_lines (subscription_id, period_start) WHERE kind = 'proration';
CREATE TRIGGER invoice_lines_immutable_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_immutable_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoice_lines_only_as_issued BEFORE INSERT ON invoice_lines
WHEN NEW.position > IFNULL((SELECT line_count FROM invoices WHERE id = NEW.invoice_id), 0)
  OR NEW.position <> IFNULL((SELECT max(position) FROM invoice_lines WHERE invoice_id = NEW.invoice_id), 0) + 1
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoice_lines_never_replaced BEFORE INSERT ON invoice_lines
WHEN EXISTS (SELECT 1 FROM invoice_lines o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoice_lines o WHERE o.own_key = NEW.own_key)
        OR (NEW.kind = 'licence' AND EXISTS (SELECT 1 FROM invoice_lines o WHERE o.kind = 'licence'
                   AND o.subscription_id = NEW.subscription_id AND o.period_start = NEW.period_start
                   AND o.period_end = NEW.period_end AND ifnull(o.own_key, '') = ifnull(NEW.own_key, '')))
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TABLE invoices_24 (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    series_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    run_id INTEGER REFERENCES billing_runs (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    -- Days since 1970-01-01 (read as `date`).
    day INTEGER NOT NULL,
    -- The due date where it is not `payment_terms_days` after the date (read as `due_date`).
    due_kept TEXT,
    -- The month billed where it is not the date's (read as `month`).
    month_kept TEXT,
    currency TEXT NOT NULL,
    net_minor INTEGER NOT NULL,
    vat_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    -- The customer and the supplier (with its bank details) as they were when it was issued.
    customer_party_id INTEGER NOT NULL REFERENCES parties (id),
    supplier_party_id INTEGER NOT NULL REFERENCES parties (id),
    tax_treatment TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    paper TEXT NOT NULL,
    -- Seconds since 1970-01-01 UTC (a timestamp of another form as it was written).
    recorded_at ANY NOT NULL,
    logo_id INTEGER REFERENCES logos (id),
    logo_kept INTEGER NOT NULL DEFAULT 0,
    line_count INTEGER,
    vat_line_count INTEGER,
    date TEXT GENERATED ALWAYS AS (date(day * 86400, 'unixepoch')) VIRTUAL,
    due_date TEXT GENERATED ALWAYS AS (ifnull(due_kept, date((day + payment_terms_days) * 86400, 'unixepoch'))) VIRTUAL,
    month TEXT GENERATED ALWAYS AS (ifnull(month_kept, strftime('%Y-%m', day * 86400, 'unixepoch'))) VIRTUAL,
    UNIQUE (series_year, seq)
) STRICT;
INSERT INTO invoices_24 (id, number, series_year, seq, run_id, customer_id, day, due_kept, month_kept, currency, net_minor, vat_minor,
    total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, logo_id, logo_kept,
    line_count, vat_line_count)
SELECT id, number, series_year, seq, run_id, customer_id, CAST(julianday(date) - 2440587.5 AS INTEGER),
    CASE WHEN due_date IS date(date, '+' || payment_terms_days || ' days') THEN NULL ELSE due_date END,
    CASE WHEN month IS substr(date, 1, 7) THEN NULL ELSE month END,
    currency, net_minor, vat_minor, total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper,
    recorded_at, logo_id, logo_kept, line_count, vat_line_count
FROM invoices ORDER BY id;
DROP TABLE invoices;
PRAGMA legacy_alter_table = ON;
ALTER TABLE invoices_24 RENAME TO invoices;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX invoices_customer ON invoices (customer_id, day);
CREATE INDEX invoices_month ON invoices (month);
CREATE TRIGGER invoices_immutable_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TRIGGER invoices_immutable_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted; issue a credit note'); END;
CREATE TRIGGER invoices_next_number BEFORE INSERT ON invoices
WHEN NEW.seq <> IFNULL((SELECT max(seq) FROM invoices WHERE series_year = NEW.series_year), NEW.seq - 1) + 1
BEGIN SELECT RAISE(ABORT, 'an invoice takes the next number of its series: numbers have no gaps'); END;
CREATE TRIGGER invoices_never_replaced BEFORE INSERT ON invoices
WHEN EXISTS (SELECT 1 FROM invoices o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.number = NEW.number)
        OR EXISTS (SELECT 1 FROM invoices o WHERE o.series_year = NEW.series_year AND o.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be changed; issue a credit note'); END;
CREATE TABLE payments_24 (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'reversal')),
    -- Days since 1970-01-01 (read as `date`).
    day INTEGER NOT NULL,
    -- Always positive; the kind says which way the money went.
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('eft', 'card', 'cash', 'other')),
    reference TEXT NOT NULL DEFAULT '',
    reverses_id INTEGER UNIQUE REFERENCES payments (id),
    -- Seconds since 1970-01-01 UTC (a timestamp of another form as it was written).
    recorded_at ANY NOT NULL,
    date TEXT GENERATED ALWAYS AS (date(day * 86400, 'unixepoch')) VIRTUAL,
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
) STRICT;
INSERT INTO payments_24 (id, customer_id, kind, day, amount_minor, currency, method, reference, reverses_id, recorded_at)
SELECT id, customer_id, kind, CAST(julianday(date) - 2440587.5 AS INTEGER), amount_minor, currency, method, reference, reverses_id,
    recorded_at
FROM payments ORDER BY id;
DROP TABLE payments;
PRAGMA legacy_alter_table = ON;
ALTER TABLE payments_24 RENAME TO payments;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX payments_customer ON payments (customer_id, day);
CREATE TRIGGER payments_append_only_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments cannot be changed; reverse them'); END;
CREATE TRIGGER payments_append_only_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments cannot be deleted; reverse them'); END;
CREATE TRIGGER payments_never_replaced BEFORE INSERT ON payments
WHEN EXISTS (SELECT 1 FROM payments o WHERE o.id = NEW.id)
        OR EXISTS (SELECT 1 FROM payments o WHERE o.reverses_id = NEW.reverses_id)
BEGIN SELECT RAISE(ABORT, 'payments cannot be changed; reverse them'); END;
CREATE TABLE allocations_24 (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    -- Days since 1970-01-01 (read as `date`).
    day INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
    date TEXT GENERATED ALWAYS AS (date(day * 86400, 'unixepoch')) VIRTUAL
) STRICT;
INSERT INTO allocations_24 (id, payment_id, invoice_id, day, amount_minor)
SELECT id, payment_id, invoice_id, CAST(julianday(date) - 2440587.5 AS INTEGER), amount_minor FROM allocations ORDER BY id;
DROP TABLE allocations;
PRAGMA legacy_alter_table = ON;
ALTER TABLE allocations_24 RENAME TO allocations;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX allocations_payment ON allocations (payment_id);
CREATE INDEX allocations_money ON allocations (invoice_id, day, amount_minor);
CREATE TRIGGER allocations_append_only_update BEFORE UPDATE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations cannot be changed'); END;
CREATE TRIGGER allocations_append_only_delete BEFORE DELETE ON allocations
BEGIN SELECT RAISE(ABORT, 'allocations cannot be deleted'); END;
CREATE TRIGGER allocations_never_replaced BEFORE INSERT ON allocations
WHEN EXISTS (SELECT 1 FROM allocations o WHERE o.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'allocations cannot be changed'); END;
"#,
    // 25: what is still owed on each invoice, kept as it changes, so that what is open today is
    // read from the invoices not yet settled instead of from every invoice, credit note and
    // allocation of the book.
    r#"
-- Every issued invoice whose total is not yet settled to the cent by its credit notes and the
-- payments allocated to it (all of them, whatever their dates), with their sums; a settled
-- invoice has no row. Kept by the triggers below, never written otherwise.
CREATE TABLE invoices_unsettled (
    invoice_id INTEGER PRIMARY KEY REFERENCES invoices (id),
    credited_minor INTEGER NOT NULL,
    paid_minor INTEGER NOT NULL
) STRICT;
-- The latest day (days since 1970-01-01) of any allocation or credit note: on that day and after,
-- `invoices_unsettled` is exactly what is open; for an earlier day every invoice is read.
CREATE TABLE money_horizon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_day INTEGER NOT NULL
) STRICT;
INSERT INTO invoices_unsettled (invoice_id, credited_minor, paid_minor)
SELECT id, credited, paid FROM (
    SELECT i.id, i.total_minor,
        (SELECT ifnull(sum(c.total_minor), 0) FROM credit_notes c WHERE c.invoice_id = i.id) AS credited,
        (SELECT ifnull(sum(a.amount_minor), 0) FROM allocations a WHERE a.invoice_id = i.id) AS paid
    FROM invoices i)
WHERE total_minor <> credited + paid
ORDER BY id;
INSERT INTO money_horizon (id, last_day)
SELECT 1, last FROM (SELECT max(d) AS last FROM (SELECT max(day) AS d FROM allocations
    UNION ALL SELECT CAST(julianday(max(date)) - 2440587.5 AS INTEGER) FROM credit_notes))
WHERE last IS NOT NULL;
CREATE TRIGGER invoices_unsettled_issued AFTER INSERT ON invoices WHEN NEW.total_minor <> 0
BEGIN
    INSERT INTO invoices_unsettled (invoice_id, credited_minor, paid_minor) VALUES (NEW.id, 0, 0);
END;
-- Money applied to an invoice (an allocation or a credit note, each an insert here): its row in
-- `invoices_unsettled` made again from all of them, gone once it is settled, and the horizon
-- moved on. A view written to only by the triggers below, so the work is written once.
CREATE VIEW invoice_money_applied (invoice_id, day) AS SELECT NULL, NULL WHERE 0;
CREATE TRIGGER invoice_money_applied INSTEAD OF INSERT ON invoice_money_applied
BEGIN
    INSERT INTO invoices_unsettled (invoice_id, credited_minor, paid_minor)
    VALUES (NEW.invoice_id, (SELECT ifnull(sum(total_minor), 0) FROM credit_notes WHERE invoice_id = NEW.invoice_id),
            (SELECT ifnull(sum(amount_minor), 0) FROM allocations WHERE invoice_id = NEW.invoice_id))
    ON CONFLICT (invoice_id) DO UPDATE SET credited_minor = excluded.credited_minor, paid_minor = excluded.paid_minor;
    DELETE FROM invoices_unsettled WHERE invoice_id = NEW.invoice_id
        AND credited_minor + paid_minor = (SELECT total_minor FROM invoices WHERE id = NEW.invoice_id);
    INSERT INTO money_horizon (id, last_day) VALUES (1, NEW.day)
    ON CONFLICT (id) DO UPDATE SET last_day = max(last_day, excluded.last_day);
END;
CREATE TRIGGER invoices_unsettled_paid AFTER INSERT ON allocations
BEGIN
    INSERT INTO invoice_money_applied (invoice_id, day) VALUES (NEW.invoice_id, NEW.day);
END;
CREATE TRIGGER invoices_unsettled_credited AFTER INSERT ON credit_notes
BEGIN
    INSERT INTO invoice_money_applied (invoice_id, day) VALUES (NEW.invoice_id, CAST(julianday(NEW.date) - 2440587.5 AS INTEGER));
END;
"#,
    // 26: the day each subscription's latest history event took effect, so that what is paid
    // for today is read from the subscriptions themselves, not from their histories.
    r#"
-- Days since 1970-01-01. Each event records the subscription as it was saved with it, so from
-- this day on the row is the subscription as its history has it; before it, the history is read.
ALTER TABLE subscriptions ADD COLUMN last_effective INTEGER;
UPDATE subscriptions SET last_effective = (SELECT e.effective FROM subscription_events e
    WHERE e.subscription_id = subscriptions.id ORDER BY e.id DESC LIMIT 1);
CREATE TRIGGER subscriptions_last_effective AFTER INSERT ON subscription_events
BEGIN
    UPDATE subscriptions SET last_effective = NEW.effective WHERE id = NEW.subscription_id;
END;
"#,
];

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    /// Through migration 26 each subscription learns the day its latest event (the last
    /// written, whatever its day) took effect; from then on each new event sets it.
    #[test]
    fn migration_26_keeps_the_day_of_each_subscription_s_latest_event() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..25] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO subscriptions (id, customer_id, product_id, sku_id, product_title, term, billing, quantity, status, auto_renew,
                trial, purchased_on, term_start, term_end, unit_cost, cost_currency, unit_price, price_currency, price_rule, bill_from)
             VALUES (1, 1, 'P', 'S', 'Basic', 'P1Y', 'monthly', 5, 'active', 1, 0, '2026-11-01', '2026-11-01', '2027-10-31', '10', 'USD',
                    '12', 'USD', 'list', '2026-11-01'),
                (2, 1, 'P', 'S', 'Basic', 'P1Y', 'monthly', 5, 'active', 1, 0, '2026-11-01', '2026-11-01', '2027-10-31', '10', 'USD',
                    '12', 'USD', 'list', '2026-11-01');
             INSERT INTO event_offers (id, product_id, sku_id, term, billing, price_currency, cost_currency)
             VALUES (1, 'P', 'S', 'P1Y', 'monthly', 'USD', 'USD');",
        )
        .unwrap();
        let event = |subscription: i64, effective: i64| {
            conn.execute(
                "INSERT INTO subscription_events (subscription_id, kind, effective, recorded_at, quantity_delta, quantity, offer_id,
                    status, trial, term_start, term_end, unit_price, unit_cost, description)
                 VALUES (?1, 'created', ?2, 1796061600, 5, 5, 1, 'active', 0, 20758, 21122, '12', '10', '')",
                rusqlite::params![subscription, effective],
            )
            .unwrap();
        };
        // The renewal written ahead, then a change dated before it: the last written counts.
        event(1, 20758);
        event(1, 20800);
        event(1, 20790);
        conn.execute_batch(MIGRATIONS[25]).unwrap();
        let days = || -> Vec<Option<i64>> {
            conn.prepare("SELECT last_effective FROM subscriptions ORDER BY id")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(days(), [Some(20790), None]);
        event(2, 20801);
        event(1, 20830);
        assert_eq!(days(), [Some(20830), Some(20801)]);
    }

    /// A book of migration 24 learns through migration 25 which invoices are not yet settled, with
    /// what was credited and paid on each (a settled one is left out, an overpaid one kept), and
    /// the latest day money was applied; from then on the triggers keep both as money comes.
    #[test]
    fn migration_25_keeps_what_is_not_yet_settled() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..24] {
            conn.execute_batch(sql).unwrap();
        }
        let invoice = |id: i64, total: i64| {
            conn.execute(
                "INSERT INTO invoices (id, number, series_year, seq, customer_id, day, currency, net_minor, vat_minor, total_minor,
                    customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, line_count, vat_line_count)
                 VALUES (?1, 'INV-2026-0000' || ?1, 2026, ?1, 1, 20758, 'ZAR', 0, 0, ?2, 1, 1, 'standard', 14, 'a4', 1796061600, 0, 0)",
                rusqlite::params![id, total],
            )
            .unwrap();
        };
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for (id, total) in [(1, 1000), (2, 500), (3, 300), (4, 0)] {
            invoice(id, total);
        }
        conn.execute_batch(
            "INSERT INTO payments (id, customer_id, kind, day, amount_minor, currency, method, recorded_at)
             VALUES (1, 1, 'payment', 20760, 1900, 'ZAR', 'eft', 1796061600);
             INSERT INTO allocations (payment_id, invoice_id, day, amount_minor) VALUES (1, 1, 20760, 1000), (1, 2, 20761, 200),
                (1, 3, 20765, 250);
             INSERT INTO credit_notes (id, number, series_year, seq, invoice_id, date, reason, currency, net_minor, vat_minor,
                total_minor, recorded_at)
             VALUES (1, 'CN-2026-00001', 2026, 1, 3, '2026-11-20', 'goodwill', 'ZAR', 87, 13, 100, '2026-11-20T09:00:00Z');",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[24]).unwrap();
        let unsettled = || -> Vec<(i64, i64, i64)> {
            conn.prepare("SELECT invoice_id, credited_minor, paid_minor FROM invoices_unsettled ORDER BY invoice_id")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let horizon = || -> i64 { conn.query_row("SELECT last_day FROM money_horizon", [], |r| r.get(0)).unwrap() };
        // 1 is paid, 4 owes nothing; 2 is partly paid; 3 is overpaid (100 credited, 250 paid of 300).
        assert_eq!(unsettled(), [(2, 0, 200), (3, 100, 250)]);
        // 2026-11-20 (the credit note) is day 20777, after the allocations.
        assert_eq!(horizon(), 20777);
        // Paid in full: 2 leaves. A new invoice comes in; one paid back (a reversal) comes back.
        conn.execute("INSERT INTO allocations (payment_id, invoice_id, day, amount_minor) VALUES (1, 2, 20790, 300)", []).unwrap();
        invoice(5, 700);
        conn.execute("INSERT INTO allocations (payment_id, invoice_id, day, amount_minor) VALUES (1, 1, 20785, -1000)", []).unwrap();
        assert_eq!(unsettled(), [(1, 0, 0), (3, 100, 250), (5, 0, 0)]);
        assert_eq!(horizon(), 20790, "the latest day, not the last written");
    }

    /// A book of migration 23 keeps its documents through migration 24: each invoice reads the
    /// same date, due date and month, each line the same kind and billable day, each payment and
    /// allocation the same date, while only what cannot be made from the row is kept (a month
    /// billed in another month's invoice, a due date not on the terms, a line billable on another
    /// day than its period's first). What was billed stays unique, and nothing can be changed.
    #[test]
    fn issued_documents_read_the_same_through_migration_24() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..23] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO line_texts (id, text) VALUES (1, 'Basic');
             INSERT INTO invoices (id, number, series_year, seq, customer_id, date, due_date, month, currency, net_minor, vat_minor,
                total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, line_count,
                vat_line_count)
             VALUES (1, 'INV-2026-00001', 2026, 1, 1, '2026-11-30', '2026-12-14', '2026-11', 'ZAR', 0, 0, 100, 1, 1, 'standard', 14,
                    'a4', 1796061600, 3, 0),
                (2, 'INV-2026-00002', 2026, 2, 1, '2026-12-31', '2027-01-30', '2027-01', 'ZAR', 0, 0, 100, 1, 1, 'standard', 7,
                    'a4', 1796061600, 0, 0);
             INSERT INTO invoice_lines (invoice_id, position, kind, subscription_id, period_start, period_end, own_key, text_id,
                quantity, unit_price, amount_minor, vat_rate, billable_date)
             VALUES (1, 1, 'licence', 7, 20758, 20787, NULL, 1, '5', '10', 5000, '15', 20758),
                (1, 2, 'usage', NULL, 20727, 20757, 'usage:a:2026-10', 1, '1', '9', 900, '15', 20758),
                (1, 3, 'instalment', NULL, NULL, NULL, 'instalment:1', 1, '1', '9', 900, '15', 20760);
             INSERT INTO payments (id, customer_id, kind, date, amount_minor, currency, method, reference, recorded_at)
             VALUES (1, 1, 'payment', '2026-12-19', 100, 'ZAR', 'eft', 'INV-2026-00001', 1796025600);
             INSERT INTO allocations (payment_id, invoice_id, date, amount_minor) VALUES (1, 1, '2026-12-19', 100);",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[23]).unwrap();
        type Dates = (String, String, String, Option<String>, Option<String>);
        let invoices: Vec<Dates> = conn
            .prepare("SELECT date, due_date, month, due_kept, month_kept FROM invoices ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            invoices,
            [
                ("2026-11-30".into(), "2026-12-14".into(), "2026-11".into(), None, None),
                ("2026-12-31".into(), "2027-01-30".into(), "2027-01".into(), Some("2027-01-30".into()), Some("2027-01".into())),
            ]
        );
        let lines: Vec<(String, i64, i64, Option<i64>)> = conn
            .prepare("SELECT kind, kind_code, billable_date, billable_kept FROM invoice_lines ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            lines,
            [("licence".into(), 1, 20758, None), ("usage".into(), 6, 20758, Some(20758)), ("instalment".into(), 5, 20760, Some(20760))]
        );
        let paid: (String, String) = conn
            .query_row("SELECT p.date, a.date FROM payments p JOIN allocations a ON a.payment_id = p.id", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(paid, ("2026-12-19".into(), "2026-12-19".into()));
        // The same licence period is billed once; a line cannot be added to an issued invoice;
        // nothing issued can be changed or deleted.
        let line = |invoice: i64, position: i64| {
            conn.execute(
                "INSERT INTO invoice_lines (invoice_id, position, kind_code, subscription_id, period_start, period_end, text_id,
                    quantity, unit_price, amount_minor, vat_rate)
                 VALUES (?1, ?2, 1, 7, 20758, 20787, 1, '5', '10', 5000, '15')",
                rusqlite::params![invoice, position],
            )
        };
        conn.execute_batch(
            "INSERT INTO invoices (id, number, series_year, seq, customer_id, day, currency, net_minor, vat_minor, total_minor,
                customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, line_count, vat_line_count)
             VALUES (3, 'INV-2026-00003', 2026, 3, 1, 20788, 'ZAR', 0, 0, 0, 1, 1, 'standard', 14, 'a4', 1796061600, 1, 0)",
        )
        .unwrap();
        assert!(line(3, 1).unwrap_err().to_string().contains("cannot be changed"), "the same licence period twice");
        assert!(line(1, 4).unwrap_err().to_string().contains("cannot be changed"), "a line added to an issued invoice");
        for sql in [
            "UPDATE invoices SET day = day + 1",
            "UPDATE invoice_lines SET kind_code = 2",
            "DELETE FROM invoice_lines",
            "UPDATE payments SET day = day + 1",
            "UPDATE allocations SET day = day + 1",
        ] {
            assert!(conn.execute(sql, []).is_err(), "{sql}");
        }
    }

    /// A book of migration 22 keeps its history through migration 23: each event's product,
    /// SKU, term, billing and currencies are kept once per offer and read back the same, and
    /// the moment it was recorded too (as seconds where Seatbook wrote it, as text otherwise).
    /// What was billed stays unique: a licence period cannot be billed twice, nor a line's key.
    #[test]
    fn the_history_keeps_its_offers_and_moments_through_migration_23() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..22] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let event = |sku: &str, recorded: &str, currency: &str| {
            conn.execute(
                "INSERT INTO subscription_events (subscription_id, kind, effective, recorded_at, quantity_delta, quantity, product_id,
                    sku_id, term, billing, status, trial, term_start, term_end, unit_price, price_currency, unit_cost, cost_currency,
                    description)
                 VALUES (7, 'purchased', 20758, ?2, 5, 5, 'CFQ7TTC0LH18', ?1, 'P1Y', 'monthly', 'active', 0, 20758, 21122, '1632.96',
                    ?3, '1360.80', 'USD', 'purchased: 5 seats')",
                rusqlite::params![sku, recorded, currency],
            )
            .unwrap();
        };
        event("0001", "2026-11-01T08:00:00Z", "ZAR");
        event("0001", "2026-11-02T09:30:15Z", "ZAR");
        event("0002", "2026-11-03 10:00:00 UTC", "ZAR");
        event("0001", "2026-02-30T08:00:00Z", "EUR");
        conn.execute_batch(MIGRATIONS[22]).unwrap();
        type Row = (String, String, String, String, String, String, String, String);
        let rows: Vec<Row> = conn
            .prepare(
                "SELECT typeof(e.recorded_at), CASE typeof(e.recorded_at) WHEN 'integer'
                    THEN strftime('%Y-%m-%dT%H:%M:%SZ', e.recorded_at, 'unixepoch') ELSE e.recorded_at END,
                    o.product_id, o.sku_id, o.term, o.billing, o.price_currency, o.cost_currency
                 FROM subscription_events e JOIN event_offers o ON o.id = e.offer_id ORDER BY e.id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let row = |kind: &str, at: &str, sku: &str, currency: &str| {
            (kind.into(), at.into(), "CFQ7TTC0LH18".into(), sku.into(), "P1Y".into(), "monthly".into(), currency.into(), "USD".into())
        };
        assert_eq!(
            rows,
            [
                row("integer", "2026-11-01T08:00:00Z", "0001", "ZAR"),
                row("integer", "2026-11-02T09:30:15Z", "0001", "ZAR"),
                row("text", "2026-11-03 10:00:00 UTC", "0002", "ZAR"),
                row("text", "2026-02-30T08:00:00Z", "0001", "EUR"),
            ]
        );
        let offers: i64 = conn.query_row("SELECT count(*) FROM event_offers", [], |r| r.get(0)).unwrap();
        assert_eq!(offers, 3, "each offer is kept once");
        assert!(conn.execute("UPDATE event_offers SET term = 'P1M'", []).is_err());
        assert!(conn.execute("DELETE FROM event_offers", []).is_err());
        assert!(conn.execute("UPDATE subscription_events SET offer_id = 2", []).is_err());
        // A licence period is billed once; other lines once by their own key.
        conn.execute_batch(
            "INSERT INTO invoices (id, number, series_year, seq, customer_id, date, due_date, month, currency, net_minor, vat_minor,
                total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, line_count,
                vat_line_count)
             VALUES (1, 'INV-2026-00001', 2026, 1, 1, '2026-11-01', '2026-11-15', '2026-11', 'ZAR', 0, 0, 0, 1, 1, 'standard', 14,
                'a4', '2026-11-01T08:00:00Z', 9, 0);
             INSERT INTO line_texts (id, text) VALUES (1, 'Basic');",
        )
        .unwrap();
        let line = |position: i64, kind: &str, key: Option<&str>| {
            conn.execute(
                "INSERT INTO invoice_lines (invoice_id, position, kind, subscription_id, period_start, period_end, own_key, text_id,
                    quantity, unit_price, amount_minor, vat_rate, billable_date)
                 VALUES (1, ?1, ?2, 7, 20758, 20787, ?3, 1, '5', '10', 5000, '15', 20758)",
                rusqlite::params![position, kind, key],
            )
        };
        line(1, "licence", None).unwrap();
        assert!(line(2, "licence", None).is_err(), "the same licence period twice");
        line(2, "proration", Some("sub:7:proration:1")).unwrap();
        assert!(line(3, "proration", Some("sub:7:proration:1")).is_err(), "the same key twice");
        line(3, "proration", Some("sub:7:proration:2")).unwrap();
        line(4, "licence", Some("sub:7:licence:corrected")).unwrap();
    }

    /// A book of migration 21 keeps its history through migration 22: the dates become days
    /// of the same dates, and a renewal's price rule is kept once and referred to; the history
    /// and its rules cannot be changed afterwards.
    #[test]
    fn the_history_keeps_its_dates_and_rules_through_migration_22() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..21] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let event = |kind: &str, effective: &str, rule: Option<&str>| {
            conn.execute(
                "INSERT INTO subscription_events (subscription_id, kind, effective, recorded_at, quantity_delta, quantity, product_id,
                    sku_id, term, billing, status, trial, term_start, term_end, unit_price, price_currency, unit_cost, cost_currency,
                    description, price_rule)
                 VALUES (7, ?1, ?2, '2026-11-01T08:00:00Z', 0, 5, 'CFQ7TTC0LH18', '0001', 'P1Y', 'monthly', 'active', 0, ?2,
                    '2027-10-31', '1632.96', 'ZAR', '1360.80', 'ZAR', ?3, ?4)",
                rusqlite::params![kind, effective, if rule.is_some() { "" } else { "purchased: 5 seats" }, rule],
            )
            .unwrap();
        };
        event("purchased", "2026-11-01", None);
        event("renewed", "2027-11-01", Some("default markup 20% (company profile)"));
        event("renewed", "2028-11-01", Some("default markup 20% (company profile)"));
        conn.execute_batch(MIGRATIONS[21]).unwrap();
        let rows: Vec<(String, String, String, String, Option<String>)> = conn
            .prepare(
                "SELECT e.kind, date(e.effective * 86400, 'unixepoch'), date(e.term_start * 86400, 'unixepoch'),
                    date(e.term_end * 86400, 'unixepoch'), r.text
                 FROM subscription_events e LEFT JOIN price_rules r ON r.id = e.price_rule_id ORDER BY e.id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let rule = Some("default markup 20% (company profile)".to_string());
        assert_eq!(
            rows,
            [
                ("purchased".into(), "2026-11-01".into(), "2026-11-01".into(), "2027-10-31".into(), None),
                ("renewed".into(), "2027-11-01".into(), "2027-11-01".into(), "2027-10-31".into(), rule.clone()),
                ("renewed".into(), "2028-11-01".into(), "2028-11-01".into(), "2027-10-31".into(), rule),
            ]
        );
        let rules: i64 = conn.query_row("SELECT count(*) FROM price_rules", [], |r| r.get(0)).unwrap();
        assert_eq!(rules, 1, "the rule is kept once");
        assert!(conn.execute("UPDATE price_rules SET text = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM price_rules", []).is_err());
        assert!(conn.execute("UPDATE subscription_events SET effective = 0", []).is_err());
        assert!(conn.execute("DELETE FROM subscription_events", []).is_err());
    }

    /// A book of migration 17 with a change waiting for Microsoft keeps it, as it was, through
    /// migration 18 (the outbox made again to carry changes to customers).
    #[test]
    fn the_outbox_keeps_its_entries_through_migration_18() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..17] {
            conn.execute_batch(sql).unwrap();
        }
        // (The customer and subscription it names are not needed here.)
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        conn.execute_batch(
            "INSERT INTO pc_outbox (action, customer_id, subscription_id, tenant_id, ms_subscription_id, change, before,
                ms_request_id, state, attempts, last_error, created_at, next_attempt_at)
             VALUES ('seats', 1, 7, 'T', 'S', '{\"set\":\"quantity\",\"quantity\":3}', '{}', 'R1', 'waiting', 2, 'offline',
                '2026-12-01T10:00:00Z', '2026-12-01T10:01:00Z')",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[17]).unwrap();
        let row: (String, Option<i64>, String, i64, String) = conn
            .query_row("SELECT action, subscription_id, ms_request_id, attempts, last_error FROM pc_outbox", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap();
        assert_eq!(row, ("seats".into(), Some(7), "R1".into(), 2, "offline".into()));
        // Still kept as written, and now a change to a customer has no subscription.
        assert!(conn.execute("DELETE FROM pc_outbox", []).is_err());
        assert!(conn.execute("UPDATE pc_outbox SET ms_request_id = 'R2'", []).is_err());
        assert!(conn
            .execute(
                "INSERT OR REPLACE INTO pc_outbox (id, action, customer_id, tenant_id, ms_subscription_id, change, before, ms_request_id,
                    state, created_at, next_attempt_at) VALUES (1, 'billing_profile', 1, 'T', '', '{}', '{}', 'R9', 'waiting', 'x', 'x')",
                [],
            )
            .is_err());
        conn.execute(
            "INSERT INTO pc_outbox (action, customer_id, tenant_id, ms_subscription_id, change, before, ms_request_id, state, created_at,
                next_attempt_at) VALUES ('billing_profile', 1, 'T', '', '{}', '{}', 'R3', 'waiting', 'x', 'x')",
            [],
        )
        .unwrap();
        assert!(
            conn.execute(
                "INSERT INTO pc_outbox (action, customer_id, tenant_id, ms_subscription_id, change, before, ms_request_id, state,
                    created_at, next_attempt_at) VALUES ('seats', 1, 'T', '', '{}', '{}', 'R4', 'waiting', 'x', 'x')",
                [],
            )
            .is_err(),
            "a change to a subscription names it"
        );
    }
}
