#!/usr/bin/env bash
# Writes tests/data/book-v18.db: a small book made by Seatbook at schema version 18 (the last
# before the lean lines of migration 19), with every kind of invoice line, a credit note and
# Azure usage, and tests/data/book-v18-invoices.json and book-v18-NUMBER.pdf: its invoices as that
# version showed and printed them.
# The migration test opens the book with today's Seatbook and expects the same invoices.
#
#   tests/data/book-v18.sh PATH/TO/seatbook-of-version-18
#
# (Made on 3 Dec 2026 with the `seatbook` of commit 3c8ff5d, schema 18.)
set -euo pipefail
seatbook=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/book.db
sb() { SEATBOOK_TODAY=${TODAY:-2026-11-01} "$seatbook" --db "$db" "$@" > /dev/null; }

TODAY=2026-11-01
sb init --name "Cloudwise (Pty) Ltd" --country ZA --currency ZAR --vat-rate 15 --default-markup 20 \
  --address $'1 Loop Street\nCape Town 8001' --vat-number 4123456789 --bank-name "First National Bank" \
  --bank-account-holder "Cloudwise (Pty) Ltd" --bank-account-number 62812345678 --bank-branch-code 250655
sb pricelist import "$here/nce-pricelist-sample.csv"
sb fx set --from USD --to ZAR --rate 18.25 --on 2026-11-01
sb customer add --name "Contoso (Pty) Ltd" --domain contoso.onmicrosoft.com --tenant-id 11111111-2222-3333-4444-555555555555 \
  --address $'2 Long Street\nCape Town' --email billing@contoso.example
sb customer add --name "Fabrikam CC" --domain fabrikam.onmicrosoft.com --email accounts@fabrikam.example
# Licences: monthly and annual terms, a seat increase mid-cycle (a proration line).
sb subscription add --customer 1 --product CFQ7TTC0LH18:0001 --term P1M --billing monthly --quantity 10 --start 2026-11-01
sb subscription add --customer 1 --product CFQ7TTC0LH18:0001 --term P1Y --billing monthly --quantity 3 --start 2026-11-01
sb subscription add --customer 2 --product CFQ7TTC0LH18:0001 --term P1Y --billing monthly --quantity 5 --start 2026-11-10
TODAY=2026-11-15 sb subscription quantity 2 --quantity 6 --on 2026-11-15
# A one-time charge.
sb charge add --customer 2 --date 2026-11-20 --description "Migration of 5 mailboxes" --quantity 5 --amount 250
# Azure usage of October for Contoso, billed in arrears in November.
header="CustomerId,InvoiceNumber,EntitlementId,EntitlementDescription,ChargeStartDate,ChargeEndDate,UsageDate,MeterCategory,UnitPrice,Quantity,EffectiveUnitPrice,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PCToBCExchangeRate,PartnerEarnedCreditPercentage"
printf '%s\n%s\n%s\n' "$header" \
  "11111111-2222-3333-4444-555555555555,G000333444,e-1,Contoso production,10/01/2026,10/31/2026,10/30/2026,Virtual Machines,0.1,720,0.085,1116.9,ZAR,61.2,USD,18.25,15" \
  "11111111-2222-3333-4444-555555555555,G000333444,e-1,Contoso production,10/01/2026,10/31/2026,10/15/2026,Storage,0.033333,100,0.033333,60.832725,ZAR,3.3333,USD,18.25," \
  > "$work/usage.csv"
sb usage import "$work/usage.csv"
TODAY=2026-11-30 sb bill --month 2026-11 --issue --date 2026-11-30
TODAY=2026-12-01 sb invoice credit INV-2026-00002 --lines 2 --reason "Migration not done" --date 2026-12-01
TODAY=2026-12-01 sb bill --month 2026-12 --issue --date 2026-12-01

sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" > /dev/null
cp "$db" "$here/book-v18.db"
{
  printf '['
  first=1
  for n in $(sqlite3 "$db" "SELECT number FROM invoices ORDER BY id"); do
    [ $first = 1 ] || printf ','
    first=0
    SEATBOOK_TODAY=2026-12-01 "$seatbook" --db "$db" --json invoice show "$n"
    SEATBOOK_TODAY=2026-12-01 "$seatbook" --db "$db" invoice pdf "$n" --out "$here/book-v18-$n.pdf" > /dev/null
  done
  printf ']\n'
} > "$here/book-v18-invoices.json"
echo "wrote $here/book-v18.db ($(stat -c %s "$here/book-v18.db") bytes) and book-v18-invoices.json"
