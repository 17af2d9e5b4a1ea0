#!/usr/bin/python3
"""Partner Center simulator for Seatbook's tests.

A small HTTP server that answers as Microsoft documents Partner Center and its sign-in
(DOMAIN.md §8, the samples in shared/samples/partner-center/), not as Seatbook's client happens
to ask: the client-credentials token endpoint, customers listed in pages with an
MS-ContinuationToken in `links.next.headers`, a customer's subscriptions, Microsoft's error
bodies, 429 with Retry-After (and its own body), server errors. Every request is logged and can
be read back at GET /_log.

    tests/pc/simulator.py STATE.json [PORT]   # prints "READY <port>" when it listens

STATE.json:
    {"tenant": "...", "client_id": "...", "client_secret": "...",
     "page_size": 2,                       # customers per page (Microsoft's `size`, at most)
     "throttle": 1,                        # the first N Partner Center requests answer 429
     "retry_after": 1,                     # seconds, in Retry-After
     "server_errors": 0,                   # then N answers 500
     "customers": [{"id": TENANT, "domain": "...", "name": "...", "agreement": true,
                    "subscriptions": [{"id": ..., "offerId": "PRODUCT:SKU:AVAIL", "quantity": 5,
                                       "termDuration": "P1Y", "billingCycle": "monthly",
                                       "effectiveStartDate": "2026-03-01", "commitmentEndDate": "2027-02-28",
                                       "status": "active", "autoRenewEnabled": true, ...}]}]}

Changes (DOMAIN §8): GET one subscription (with `attributes.etag`); PATCH it with the whole
object and `If-Match: <etag>` (a stale or missing etag answers 400 with Microsoft's code 2055).
Microsoft's rules as it applies them: seats can be reduced only by what is still refundable
(seats added within 168 hours: 400 900214 otherwise), a subscription cancelled (`status:
deleted`) only until its `cancellationAllowedUntilDate` (400 900213), and nothing changed on a
subscription that is not active or suspended. Each applied PATCH is remembered by its
`MS-RequestId`: a retry with the same id gets the first answer again and changes nothing.

Buying (DOMAIN §8): GET a SKU's availabilities in a country (its `catalogItemId`); POST a cart of
line items {catalogItemId, quantity, termDuration, billingCycle} (an unknown catalog item answers
404 400019, as an availability that changed); POST its checkout → 201 CartCheckoutResult
{orders, orderErrors} (a quantity over the seat limit is an order error 800088; a cart checked
out twice, 400 800064); the new subscription is listed under the customer, and the order names
it (`lineItems[0].subscriptionId`), or, while provisioning lasts, only on a later GET of the order.

Customers (DOMAIN §8): HEAD /v1/domains/{domain} (200 taken, 404 free); POST /v1/customers with
CompanyProfile.Domain and BillingProfile (e-mail, company name, DefaultAddress) → 201 with the
new tenant's `id`; GET /v1/agreements (the Microsoft Customer Agreement's template); POST
/v1/customers/{id}/agreements (primaryContact, templateId, dateAgreed, type). A customer made
here has no agreement until it is attested, and its checkout answers 403 13605 until then.
GET /_customer/{domain} answers a customer as made here, with its agreements and billing profile.
A customer's billing profile: GET /v1/customers/{id}/profiles/billing (the whole
CustomerBillingProfile with `attributes.etag`); PUT it back whole with `If-Match: <etag>` (a
stale etag answers 400 2055; a body without the profile's id, company name, e-mail or default
address is refused 400 800002, as is a phone number with letters in it); the same MS-RequestId
again gets the first answer.

Upgrades (DOMAIN §8): GET …/subscriptions/{id}/transitionEligibilities?eligibilityType=immediate
lists the catalog items the subscription may move to ("upgrades": {"FROMPRODUCT:SKU":
["TOPRODUCT:SKU", …]}, eligible; "ineligible": [["FROM:SKU", "TO:SKU", code, description]],
listed with the reason); POST …/subscriptions/{id}/transitions {toCatalogItemId, quantity,
transitionType} moves the whole subscription to the new product (refused 400 with Microsoft's
code when not eligible; the same MS-RequestId again gets the first answer).

More keys in STATE.json (and POST /_state):
     "clock_offset_days": 0,               # Microsoft's clock ahead of the real one (windows pass)
     "patch_accepted": 0,                  # the next N PATCHes answer 202 Accepted + Location,
                                           #   the change showing on a later GET
     "drop_after_apply": 0,                # the next N PATCHes (or customers made) are applied,
                                           #   then the connection is closed without an answer
     "slow_seconds": 0,                    # every Partner Center answer waits this long first
     "availability_id": "CFQ7TTC0K971",    # the availability every SKU is sold under now
     "unsold": ["PRODUCT:SKU"],             # SKUs with no availability
     "seat_limit": 300,                    # seats one subscription may have
     "provisioning": 0,                    # the next N orders are provisioned on a later read
     "throttle_after": null,               # after N more Partner Center requests, every one answers
                                           #   429 with "retry_after" (a long outage of capacity)
     "concurrent_changes": 0,              # the next N reads of one subscription are followed by
                                           #   someone else's change to it (its etag moves on)
Per subscription: "refundable": [{"quantity": 2, "until": EPOCH}], "cancellationAllowedUntilDate".
GET /_state answers the whole state (with the MS-RequestIds applied, "_applied"): a simulator
started again from it on the same port is Microsoft back online after an outage.
GET /_subscription/{id} answers a subscription as Microsoft now has it, and how many times a
change was applied to it ("applied").

Sign-in as application and user (Microsoft's Secure Application Model): POST
/login/{tenant}/oauth2/devicecode (client_id, resource) gives a user code, a device code, its
address, `interval` and `expires_in` as strings; the token endpoint answers a device-code grant
(`grant_type=device_code`, `code`) with 400 `authorization_pending` until the user signs in
(POST /_approve {"user_code"}: the test plays the user), then with an access token and a refresh
token; a refresh-token grant answers a new access token and a new refresh token (the old one
stays valid, as Microsoft's do). GET /_refresh_tokens lists the refresh tokens given out.

Paths: the sign-in under /login/{tenant}/oauth2/token, Partner Center under /pc/v1/...; the tests
read the log at GET /_log and change the state with POST /_state (the keys given replace them).
"""
import base64
import datetime
import json
import secrets
import time
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {}
LOG = []
TOKENS = set()
LOCK = threading.RLock()
CONTINUATIONS = {}
CARTS = {}  # cart id -> {"customer", "lineItems", "checked_out"}
ORDERS = {}  # order id -> {"customer", "order", "pending": subscription to add on a later read}
DEVICE_CODES = {}  # device code -> {"user_code", "approved"}
REFRESH_TOKENS = []
APPLIED = {}  # MS-RequestId -> (status, body, headers) of a PATCH that was applied


def now():
    return time.time() + STATE.get("clock_offset_days", 0) * 86400


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def find_subscription(customer_id, sub_id):
    for c in STATE.get("customers", []):
        if c["id"].lower() == customer_id.lower():
            for s in c.get("subscriptions", []):
                if s["id"].lower() == sub_id.lower():
                    return c, s
            return c, None
    return None, None


def etag_of(s):
    return base64.b64encode(json.dumps({"id": s["id"], "version": s.get("version", 1)}).encode()).decode()


def refundable_now(s):
    return [r for r in s.get("refundable", []) if r["until"] > now()]


def billing_profile(c):
    # Microsoft's CustomerBillingProfile (update-a-customer-s-billing-profile), made for a
    # customer listed in the state without one.
    p = c.setdefault("billingProfile", {})
    p.setdefault("email", "")
    p.setdefault("companyName", c["name"])
    p.setdefault("culture", "EN-US")
    p.setdefault("language", "en")
    p.setdefault("defaultAddress", {"country": "US", "city": "Redmond", "state": "WA", "addressLine1": "One Microsoft Way",
                                    "postalCode": "98052", "firstName": "", "lastName": ""})
    p["id"] = p.get("id") or c["id"]
    p["firstName"] = p.get("firstName") or p["defaultAddress"].get("firstName", "")
    p["lastName"] = p.get("lastName") or p["defaultAddress"].get("lastName", "")
    version = c.setdefault("profile_version", 1)
    return dict(p, links={"self": {"uri": "/customers/%s/profiles/billing" % c["id"], "method": "GET", "headers": []}},
                attributes={"etag": "profile-%s-%d" % (c["id"][:8], version), "objectType": "CustomerBillingProfile"})


def customer_json(c):
    # Microsoft's documented shape (get-a-list-of-customers).
    return {
        "id": c["id"],
        "commerceId": c.get("commerceId", "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4"),
        "companyProfile": {
            "tenantId": c["id"],
            "domain": c["domain"],
            "companyName": c["name"],
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "relationshipToPartner": "reseller",
        "attributes": {"objectType": "Customer"},
    }


def subscription_json(customer, s):
    # Microsoft's documented new-commerce subscription (derived-pc-subscription-get-nce-fixed.json).
    product, sku = s["offerId"].split(":")[:2]
    start = s.get("effectiveStartDate", "2026-01-01")
    end = s.get("commitmentEndDate", "2026-12-31")
    return {
        "id": s["id"],
        "offerId": s["offerId"],
        "offerName": s.get("offerName", "Microsoft 365 Business Basic"),
        "friendlyName": s.get("friendlyName", s.get("offerName", "Microsoft 365 Business Basic")),
        "productType": {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"},
        "quantity": s.get("quantity", 1),
        "unitType": "Licenses",
        "hasPurchasableAddons": False,
        "creationDate": start + "T16:57:15.0966728Z",
        "effectiveStartDate": start + "T16:57:14.498252Z",
        "commitmentEndDate": end + "T00:00:00Z",
        "commitmentEndDateTime": end + "T23:59:59Z",
        "status": s.get("status", "active"),
        "autoRenewEnabled": s.get("autoRenewEnabled", True),
        "isTrial": False,
        "billingType": "license",
        "billingCycle": s.get("billingCycle", "monthly"),
        "termDuration": s.get("termDuration", "P1Y"),
        "renewalTermDuration": "",
        "refundOptions": [],
        "isMicrosoftProduct": True,
        "partnerId": "",
        "attentionNeeded": False,
        "actionTaken": False,
        "contractType": "subscription",
        "links": {
            "product": {"uri": f"/products/{product}?country=US", "method": "GET", "headers": []},
            "sku": {"uri": f"/products/{product}/skus/{sku}?country=US", "method": "GET", "headers": []},
            "self": {"uri": f"/customers/{customer['id']}/subscriptions/{s['id']}", "method": "GET", "headers": []},
        },
        "publisherName": "Microsoft Corporation",
        "refundableQuantity": {
            "totalQuantity": sum(r["quantity"] for r in refundable_now(s)),
            "details": [{"quantity": r["quantity"], "allowedUntilDateTime": iso(r["until"])} for r in refundable_now(s)],
        },
        "cancellationAllowedUntilDate": s.get("cancellationAllowedUntilDate", start + "T00:00:00Z"),
        "scheduledNextTermInstructions": s.get("scheduledNextTermInstructions"),
        "orderId": "34b37d7340cc",
        "attributes": {"etag": etag_of(s), "objectType": "Subscription"},
    }


def apply_change(sub, change):
    sub["quantity"] = change["quantity"]
    sub["status"] = change["status"]
    sub["autoRenewEnabled"] = change["autoRenewEnabled"]
    if change.get("scheduledNextTermInstructions") is not None:
        sub["scheduledNextTermInstructions"] = change["scheduledNextTermInstructions"]
    sub["version"] = sub.get("version", 1) + 1
    sub["applied"] = sub.get("applied", 0) + 1


def eligibilities(sub):
    """The transitions Microsoft offers a subscription now: eligible ones and refused ones."""
    current = ":".join(sub["offerId"].split(":")[:2])
    avail = STATE.get("availability_id", "CFQ7TTC0K971")
    items = []
    for to in STATE.get("upgrades", {}).get(current, []):
        items.append({"catalogItemId": "%s:%s" % (to, avail), "title": "Upgraded to %s" % to, "quantity": sub.get("quantity", 1),
                      "eligibilities": [{"isEligible": True, "transitionType": "transition_only", "errors": []}]})
    for frm, to, code, description in STATE.get("ineligible", []):
        if frm == current:
            items.append({"catalogItemId": "%s:%s" % (to, avail), "title": to, "quantity": sub.get("quantity", 1),
                          "eligibilities": [{"isEligible": False, "transitionType": "transition_only",
                                             "errors": [{"code": code, "description": description}]}]})
    return items


def provision(o):
    """An order's subscription made: listed under the customer, named by the order."""
    new = o.pop("pending")
    c = next(c for c in STATE["customers"] if c["id"].lower() == o["customer"].lower())
    c.setdefault("subscriptions", []).append(new)
    o["order"]["lineItems"][0]["subscriptionId"] = new["id"]
    o["order"]["status"] = "completed"


def settle():
    """Changes Microsoft accepted (202) are done by the next read."""
    for c in STATE.get("customers", []):
        for sub in c.get("subscriptions", []):
            if "accepted" in sub:
                apply_change(sub, sub.pop("accepted"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("MS-CorrelationId", self.headers.get("MS-CorrelationId", ""))
        self.send_header("MS-RequestId", self.headers.get("MS-RequestId", ""))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        replayed, self.replayed = getattr(self, "replayed", False), False
        sent, self.sent = getattr(self, "sent", None), None
        with LOCK:
            LOG.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "status": status,
                    "request_id": self.headers.get("MS-RequestId"),
                    "correlation_id": self.headers.get("MS-CorrelationId"),
                    "continuation": self.headers.get("MS-ContinuationToken"),
                    "authorization": (self.headers.get("Authorization") or "").split(" ")[0],
                    "if_match": self.headers.get("If-Match"),
                    "replayed": replayed,
                    "body": sent,
                    "time": __import__("time").time(),
                }
            )

    def error(self, status, code, description):
        # Microsoft's error body: {"code", "description", "data", "source"}.
        self.answer(status, {"code": code, "description": description, "data": [], "source": "PartnerFD"})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/_log":
            with LOCK:
                log = list(LOG)
            return self.answer(200, log)
        if url.path == "/_refresh_tokens":
            with LOCK:
                return self.answer(200, list(REFRESH_TOKENS))
        if url.path.startswith("/_customer/"):
            with LOCK:
                c = next((c for c in STATE.get("customers", []) if c["domain"].lower() == url.path.rsplit("/", 1)[1].lower()), None)
            return self.answer(200 if c else 404, c or {})
        if url.path == "/_state":
            with LOCK:
                return self.answer(200, dict(STATE, _applied={k: list(v) for k, v in APPLIED.items()}))
        if url.path.startswith("/_subscription/"):
            with LOCK:
                settle()
                for c in STATE.get("customers", []):
                    for sub in c.get("subscriptions", []):
                        if sub["id"].lower() == url.path.rsplit("/", 1)[1].lower():
                            return self.answer(200, dict(subscription_json(c, sub), applied=sub.get("applied", 0)))
            return self.error(404, 20003, "not found")
        if not url.path.startswith("/pc/"):
            return self.error(404, 404, "Not found")
        if not self.gate():
            return
        parts = url.path[len("/pc"):].strip("/").split("/")
        customers = STATE.get("customers", [])
        return self.get_pc(url, query, parts, customers)

    def gate(self):
        """Authorisation, slowness, throttling and server errors, as for every Partner Center call;
        False when it answered already."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in TOKENS:
            self.error(401, 401, "Unauthorized: the token is missing or not valid")
            return False
        if STATE.get("slow_seconds", 0):
            time.sleep(STATE["slow_seconds"])
        with LOCK:
            if STATE.get("throttle_after") is not None:
                if STATE["throttle_after"] > 0:
                    STATE["throttle_after"] -= 1
                else:
                    STATE["throttle"] = 1
            if STATE.get("throttle", 0) > 0:
                STATE["throttle"] -= 1
                wait = STATE.get("retry_after", 1)
                body = {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {wait} seconds."}
                throttled = True
            else:
                throttled = False
            if not throttled and STATE.get("server_errors", 0) > 0:
                STATE["server_errors"] -= 1
                failing = True
            else:
                failing = False
        if throttled:
            self.answer(429, body, {"Retry-After": str(wait)})
            return False
        if failing:
            self.error(500, 500, "Internal server error")
            return False
        return True

    def get_pc(self, url, query, parts, customers):
        if len(parts) == 5 and parts[:2] == ["v1", "customers"] and parts[3:] == ["profiles", "billing"]:
            with LOCK:
                c = next((c for c in customers if c["id"].lower() == parts[2].lower()), None)
                if c is None:
                    return self.error(404, 60003, "Tenant not found")
                return self.answer(200, billing_profile(c))
        if parts == ["v1", "customers"]:
            size = STATE.get("page_size", 100)
            if query.get("seekOperation", [""])[0].lower() == "next":
                token = self.headers.get("MS-ContinuationToken")
                if token not in CONTINUATIONS:
                    return self.error(400, 800002, "The continuation token is not valid.")
                start = CONTINUATIONS.pop(token)
            else:
                if "size" not in query:
                    return self.error(400, 800002, "The size parameter is required.")
                size = min(size, int(query["size"][0]))
                start = 0
            page = customers[start : start + size]
            links = {"self": {"uri": "/v1/customers?size=%d" % size, "method": "GET", "headers": []}}
            if start + size < len(customers):
                token = secrets.token_urlsafe(24)
                CONTINUATIONS[token] = start + size
                links["next"] = {
                    "uri": "/customers?size=%d&seekOperation=Next" % size,
                    "method": "GET",
                    "headers": [{"key": "MS-ContinuationToken", "value": token}],
                }
            return self.answer(
                200,
                {"totalCount": len(page), "items": [customer_json(c) for c in page], "links": links, "attributes": {"objectType": "Collection"}},
            )
        if len(parts) == 6 and parts[0:2] == ["v1", "products"] and parts[3] == "skus" and parts[5] == "availabilities":
            if "country" not in query:
                return self.error(400, 800002, "The country parameter is required.")
            product, sku = parts[2], parts[4]
            if "%s:%s" % (product, sku) in STATE.get("unsold", []):
                items = []
            else:
                avail = STATE.get("availability_id", "CFQ7TTC0K971")
                terms = [{"duration": d, "billingCycle": b, "description": "%s %s" % (d, b)}
                         for d in ("P1M", "P1Y", "P3Y") for b in ("monthly", "annual", "triennial")
                         if not (d == "P1M" and b != "monthly") and not (d == "P1Y" and b == "triennial")]
                items = [{"id": avail, "productId": product, "skuId": sku, "catalogItemId": "%s:%s:%s" % (product, sku, avail),
                          "country": query["country"][0], "segment": "commercial", "terms": terms,
                          "attributes": {"objectType": "Availability"}}]
            return self.answer(200, {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}})
        if parts == ["v1", "agreements"]:
            item = {"templateId": "117a15ac-5e7c-4ec7-a8a4-5a7fc7e6f2c3", "agreementType": "MicrosoftCustomerAgreement",
                    "agreementLink": "https://aka.ms/customeragreement", "attributes": {"objectType": "AgreementMetaData"}}
            return self.answer(200, {"totalCount": 1, "items": [item], "attributes": {"objectType": "Collection"}})
        if len(parts) == 5 and parts[:2] == ["v1", "customers"] and parts[3] == "orders":
            with LOCK:
                o = ORDERS.get(parts[4])
                if o is None or o["customer"].lower() != parts[2].lower():
                    return self.error(404, 20000, "Order ID not found")
                if o.get("pending") is not None:
                    provision(o)
                return self.answer(200, o["order"])
        if len(parts) == 6 and parts[:2] == ["v1", "customers"] and parts[3] == "subscriptions" and parts[5] == "transitionEligibilities":
            with LOCK:
                c, sub = find_subscription(parts[2], parts[4])
                if sub is None:
                    return self.error(404, 20003, "Subscription with ID %s not found." % parts[4])
                if query.get("eligibilityType", [""])[0] != "immediate":
                    return self.error(400, 800002, "The eligibility type is required.")
                return self.answer(200, {"totalCount": 0, "items": eligibilities(sub), "attributes": {"objectType": "Collection"}})
        if len(parts) == 5 and parts[:2] == ["v1", "customers"] and parts[3] == "subscriptions":
            with LOCK:
                settle()
                c, sub = find_subscription(parts[2], parts[4])
                if sub is None:
                    return self.error(404, 20003, "Subscription with ID %s not found." % parts[4])
                answer = subscription_json(c, sub)
                if STATE.get("concurrent_changes", 0) > 0:
                    # Someone changes it in Partner Center right after this read.
                    STATE["concurrent_changes"] -= 1
                    sub["friendlyName"] = "Renamed in Partner Center"
                    sub["version"] = sub.get("version", 1) + 1
                return self.answer(200, answer)
        if len(parts) == 4 and parts[:2] == ["v1", "customers"] and parts[3] == "subscriptions":
            c = next((c for c in customers if c["id"].lower() == parts[2].lower()), None)
            if c is None:
                return self.error(404, 600039, "The customer was not found.")
            items = [subscription_json(c, s) for s in c.get("subscriptions", [])]
            return self.answer(200, {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}})
        return self.error(404, 404, "Not found")

    def do_HEAD(self):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path[len("/pc"):].strip("/").split("/")
        if not url.path.startswith("/pc/") or not self.gate():
            return
        if len(parts) == 3 and parts[:2] == ["v1", "domains"]:
            taken = any(c["domain"].lower() == parts[2].lower() for c in STATE.get("customers", []))
            return self.answer(200 if taken else 404, None)
        return self.answer(404, None)

    def body_of(self):
        """A Partner Center request's path parts and its body as sent (None when it answered
        already: not Partner Center's, signed out, throttled, failing)."""
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        if not url.path.startswith("/pc/"):
            self.error(404, 404, "Not found")
            return None, None
        if not self.gate():
            return None, None
        try:
            self.sent = json.loads(raw)
        except ValueError:
            self.sent = raw
        return url.path[len("/pc"):].strip("/").split("/"), raw

    def do_PUT(self):
        parts, raw = self.body_of()
        if parts is None:
            return
        if not (len(parts) == 5 and parts[:2] == ["v1", "customers"] and parts[3:] == ["profiles", "billing"]):
            return self.error(404, 404, "Not found")
        request_id = self.headers.get("MS-RequestId", "")
        with LOCK:
            if request_id and request_id in APPLIED:
                status, body, headers = APPLIED[request_id]
                self.replayed = True
                return self.answer(status, body, headers)
            c = next((c for c in STATE.get("customers", []) if c["id"].lower() == parts[2].lower()), None)
            if c is None:
                return self.error(404, 60003, "Tenant not found")
            current = billing_profile(c)
            if self.headers.get("If-Match") != current["attributes"]["etag"]:
                return self.error(400, 2055, "Etag is no longer valid")
            try:
                new = {k[0].lower() + k[1:]: v for k, v in json.loads(raw).items()}
                address = {k[0].lower() + k[1:]: v for k, v in new["defaultAddress"].items()}
            except (ValueError, KeyError, AttributeError):
                return self.error(400, 800002, "The billing profile in the body is not complete.")
            if str(new.get("id", "")).lower() != current["id"].lower() or not new.get("companyName") or not new.get("email") \
                    or not address.get("addressLine1") or not address.get("country"):
                return self.error(400, 800002, "The billing profile in the body is not complete.")
            phone = address.get("phoneNumber") or ""
            if any(ch.isalpha() for ch in phone):
                return self.error(400, 800002, "The phone number %s is not valid." % phone)
            if address.get("country", "").upper() != current["defaultAddress"].get("country", "").upper():
                return self.error(400, 800002, "A customer's country cannot change.")
            new.pop("attributes", None)
            new.pop("links", None)
            new["defaultAddress"] = address
            c["billingProfile"] = new
            c["name"] = new["companyName"]
            c["profile_version"] = c.get("profile_version", 1) + 1
            c["profile_applied"] = c.get("profile_applied", 0) + 1
            answer = billing_profile(c)
            APPLIED[request_id] = (200, answer, {})
            return self.answer(200, answer)

    def do_PATCH(self):
        parts, raw = self.body_of()
        if parts is None:
            return
        if not (len(parts) == 5 and parts[:2] == ["v1", "customers"] and parts[3] == "subscriptions"):
            return self.error(404, 404, "Not found")
        request_id = self.headers.get("MS-RequestId", "")
        with LOCK:
            if request_id and request_id in APPLIED:
                # Microsoft's idempotency: the same request again gets the same answer.
                status, body, headers = APPLIED[request_id]
                self.replayed = True
                return self.answer(status, body, headers)
            c, sub = find_subscription(parts[2], parts[4])
            if sub is None:
                return self.error(404, 20003, "Subscription with ID %s not found." % parts[4])
            try:
                patch = {k[0].lower() + k[1:]: v for k, v in json.loads(raw).items()}
            except (ValueError, AttributeError):
                return self.error(400, 800002, "The request body is not valid.")
            if self.headers.get("If-Match") != etag_of(sub):
                return self.error(400, 2055, "Etag is no longer valid")
            # A whole object, as fetched: a body without the fields Microsoft needs is refused
            # the way Microsoft does, and one that drops auto-renew turns it off.
            if patch.get("id", "").lower() != sub["id"].lower() or "offerId" not in patch:
                return self.error(400, 800002, "The subscription in the body is not complete.")
            if sub.get("status", "active") not in ("active", "suspended"):
                return self.error(400, 800002, "The subscription is %s and cannot be changed." % sub.get("status"))
            new_status = patch.get("status", sub.get("status", "active"))
            quantity = int(patch.get("quantity", sub.get("quantity", 1)))
            old = sub.get("quantity", 1)
            if new_status == "deleted":
                until = sub.get("cancellationAllowedUntilDate", sub.get("effectiveStartDate", "2026-01-01") + "T00:00:00Z")
                if iso(now()) > until:
                    return self.error(400, 900213, "You have passed your 168-hour cancellation window. We are unable to cancel your purchase")
            elif quantity < old:
                if old - quantity > sum(r["quantity"] for r in refundable_now(sub)):
                    return self.error(400, 900214, "You have passed your 168-hour window for reducing seats for this subscription.")
                left = old - quantity
                for r in sorted(refundable_now(sub), key=lambda r: -r["until"]):
                    take = min(left, r["quantity"])
                    r["quantity"] -= take
                    left -= take
                sub["refundable"] = [r for r in sub.get("refundable", []) if r["quantity"] > 0]
            elif quantity > old:
                sub.setdefault("refundable", []).append({"quantity": quantity - old, "until": now() + 168 * 3600})
            change = {
                "quantity": quantity,
                "status": new_status,
                "autoRenewEnabled": bool(patch.get("autoRenewEnabled", False)),
                "scheduledNextTermInstructions": patch.get("scheduledNextTermInstructions"),
            }
            if STATE.get("patch_accepted", 0) > 0:
                STATE["patch_accepted"] -= 1
                # Accepted: done on a later read.
                sub["accepted"] = change
                headers = {"Location": "/customers/%s/subscriptions/%s" % (c["id"], sub["id"])}
                APPLIED[request_id] = (202, {}, headers)
                return self.answer(202, {}, headers)
            apply_change(sub, change)
            answer = subscription_json(c, sub)
            APPLIED[request_id] = (200, answer, {})
            if self.dropped(request_id):
                return
            return self.answer(200, answer)

    def dropped(self, request_id):
        """Applied, and then the connection closed without an answer ("drop_after_apply")."""
        if STATE.get("drop_after_apply", 0) <= 0:
            return False
        STATE["drop_after_apply"] -= 1
        LOG.append({"method": self.command, "path": self.path, "status": 0, "request_id": request_id, "dropped": True, "time": time.time()})
        self.close_connection = True
        self.connection.shutdown(2)
        return True

    def post_pc(self, parts, body):
        try:
            self.sent = json.loads(body) if body else None
        except ValueError:
            self.sent = body
        with LOCK:
            request_id = self.headers.get("MS-RequestId", "")
            if request_id and request_id in APPLIED:
                status, answer, headers = APPLIED[request_id]
                self.replayed = True
                return self.answer(status, answer, headers)
            customer = next((c for c in STATE.get("customers", []) if len(parts) > 2 and c["id"].lower() == parts[2].lower()), None)
            if parts == ["v1", "customers"]:
                try:
                    made = {k[0].lower() + k[1:]: v for k, v in json.loads(body).items()}
                    profile = {k[0].lower() + k[1:]: v for k, v in made["companyProfile"].items()}
                    billing = {k[0].lower() + k[1:]: v for k, v in made["billingProfile"].items()}
                    address = {k[0].lower() + k[1:]: v for k, v in billing["defaultAddress"].items()}
                except (ValueError, KeyError, AttributeError):
                    return self.error(400, 800002, "The customer is not valid.")
                missing = [k for k in ("firstName", "lastName", "addressLine1", "city", "postalCode", "country") if not address.get(k)]
                if missing or not billing.get("email") or not billing.get("companyName") or not profile.get("domain"):
                    return self.error(400, 800002, "The customer is not valid: %s is required." % ", ".join(missing or ["email"]))
                if any(c["domain"].lower() == profile["domain"].lower() for c in STATE["customers"]):
                    return self.error(409, 800002, "The domain %s is not available." % profile["domain"])
                tenant = str(__import__("uuid").uuid4())
                billing["defaultAddress"] = address
                new = {"id": tenant, "domain": profile["domain"], "name": billing["companyName"], "agreement": False, "agreements": [],
                       "billingProfile": billing, "subscriptions": []}
                STATE["customers"].append(new)
                answer = dict(customer_json(new), billingProfile=dict(billing, attributes={"etag": "5920358838484612121", "objectType": "CustomerBillingProfile"}))
                APPLIED[request_id] = (201, answer, {})
                if self.dropped(request_id):
                    return
                return self.answer(201, answer)
            if len(parts) == 4 and parts[:2] == ["v1", "customers"] and parts[3] == "agreements":
                if customer is None:
                    return self.error(404, 60003, "Tenant not found")
                try:
                    agreement = json.loads(body)
                    contact = agreement["primaryContact"]
                except (ValueError, KeyError, TypeError):
                    return self.error(400, 800002, "The agreement is not valid.")
                if agreement.get("templateId") != "117a15ac-5e7c-4ec7-a8a4-5a7fc7e6f2c3" or agreement.get("type") != "MicrosoftCustomerAgreement" \
                        or not contact.get("email") or not contact.get("firstName") or not contact.get("lastName") or not agreement.get("dateAgreed"):
                    return self.error(400, 800002, "The agreement needs the template, its type, a primary contact and the date agreed.")
                customer["agreement"] = True
                customer.setdefault("agreements", []).append(agreement)
                APPLIED[request_id] = (201, agreement, {})
                return self.answer(201, agreement)
            if len(parts) >= 4 and parts[:2] == ["v1", "customers"] and parts[3] == "carts" and customer is None:
                return self.error(404, 60003, "Tenant not found")
            if len(parts) == 6 and parts[:2] == ["v1", "customers"] and parts[3] == "subscriptions" and parts[5] == "transitions":
                c, sub = find_subscription(parts[2], parts[4])
                if sub is None:
                    return self.error(404, 20003, "Subscription with ID %s not found." % parts[4])
                try:
                    t = {k[0].lower() + k[1:]: v for k, v in json.loads(body).items()}
                except (ValueError, AttributeError):
                    return self.error(400, 800002, "The transition is not valid.")
                target = next((i for i in eligibilities(sub) if i["catalogItemId"] == t.get("toCatalogItemId")), None)
                if target is None:
                    return self.error(400, 800002, "The catalog item is not a transition of this subscription.")
                if not target["eligibilities"][0]["isEligible"]:
                    err = target["eligibilities"][0]["errors"][0]
                    return self.error(400, err["code"], err["description"])
                if int(t.get("quantity", 0)) != sub.get("quantity", 1) or t.get("transitionType") != "transition_only":
                    return self.error(400, 800002, "A whole-subscription transition needs its quantity and transition_only.")
                answer = {"fromCatalogItemId": sub["offerId"], "toCatalogItemId": t["toCatalogItemId"], "fromSubscriptionId": sub["id"],
                          "toSubscriptionId": sub["id"], "quantity": sub.get("quantity", 1), "transitionType": "transition_only",
                          "status": "complete", "attributes": {"objectType": "Transition"}}
                sub["offerId"] = t["toCatalogItemId"]
                sub["offerName"] = sub["friendlyName"] = target["title"]
                sub["version"] = sub.get("version", 1) + 1
                sub["applied"] = sub.get("applied", 0) + 1
                APPLIED[request_id] = (200, answer, {})
                return self.answer(200, answer)
            if len(parts) == 4 and parts[:2] == ["v1", "customers"] and parts[3] == "carts":
                try:
                    cart = {k[0].lower() + k[1:]: v for k, v in json.loads(body).items()}
                    lines = [{k[0].lower() + k[1:]: v for k, v in l.items()} for l in cart["lineItems"]]
                except (ValueError, KeyError, AttributeError):
                    return self.error(400, 800002, "The cart is not valid.")
                avail = STATE.get("availability_id", "CFQ7TTC0K971")
                for l in lines:
                    item = l.get("catalogItemId", "")
                    if item.count(":") != 2 or item.split(":")[2] != avail or ":".join(item.split(":")[:2]) in STATE.get("unsold", []):
                        return self.error(404, 400019, "Availability not found. Issue a new GET to get the current availability ID.")
                    if not l.get("termDuration") or not l.get("billingCycle") or int(l.get("quantity", 0)) < 1:
                        return self.error(400, 800002, "A line item needs a quantity, a term duration and a billing cycle.")
                cart_id = secrets.token_hex(16)
                CARTS[cart_id] = {"customer": customer["id"], "lineItems": lines, "checked_out": False}
                answer = {"id": cart_id, "status": "Active", "lineItems": [dict(l, id=i, orderGroup="0") for i, l in enumerate(lines)],
                          "attributes": {"objectType": "Cart"}}
                return self.answer(201, answer)
            if len(parts) == 6 and parts[:2] == ["v1", "customers"] and parts[3] == "carts" and parts[5] == "checkout":
                cart = CARTS.get(parts[4])
                if cart is None or cart["customer"].lower() != customer["id"].lower():
                    return self.error(404, 1000, "Not found")
                if cart["checked_out"]:
                    return self.error(400, 800064, "The cart is being processed or was checked out already.")
                if not customer.get("agreement", True):
                    return self.error(403, 13605, "Either a partner confirmation of the customer acceptance of the Microsoft Customer Agreement must be provided or the customer must accept the Microsoft Customer Agreement in the Microsoft Admin Center before you can complete this purchase")
                cart["checked_out"] = True
                orders, errors = [], []
                for l in cart["lineItems"]:
                    if int(l["quantity"]) > STATE.get("seat_limit", 300):
                        errors.append({"orderGroupId": "0", "code": 800088,
                                       "description": "The requested number of %s seat/s exceeded the remaining limit of %d seats allowed per subscription for the CatalogID - %s"
                                       % (l["quantity"], STATE.get("seat_limit", 300), l["catalogItemId"])})
                        continue
                    sub_id = str(__import__("uuid").uuid4())
                    start = datetime.datetime.fromtimestamp(now(), datetime.timezone.utc).date()
                    months = {"P1M": 1, "P1Y": 12, "P3Y": 36}.get(l["termDuration"], 12)
                    y, m = divmod(start.month - 1 + months, 12)
                    last = (datetime.date(start.year + y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - datetime.timedelta(days=1)).day
                    end = datetime.date(start.year + y, m + 1, min(start.day, last)) - datetime.timedelta(days=1)
                    new = {"id": sub_id, "offerId": l["catalogItemId"], "quantity": int(l["quantity"]), "termDuration": l["termDuration"],
                           "billingCycle": l["billingCycle"].lower(), "effectiveStartDate": start.isoformat(), "commitmentEndDate": end.isoformat(),
                           "cancellationAllowedUntilDate": iso(now() + 168 * 3600), "autoRenewEnabled": True,
                           "refundable": [{"quantity": int(l["quantity"]), "until": now() + 168 * 3600}]}
                    order_id = secrets.token_hex(6)
                    line = {"lineItemNumber": 0, "offerId": l["catalogItemId"], "termDuration": l["termDuration"], "transactionType": "New",
                            "friendlyName": "Microsoft 365 Business Basic", "quantity": int(l["quantity"])}
                    order = {"id": order_id, "alternateId": order_id, "referenceCustomerId": customer["id"], "billingCycle": l["billingCycle"].lower(),
                             "currencyCode": "USD", "lineItems": [line], "creationDate": iso(now()), "status": "pending",
                             "transactionType": "UserPurchase", "attributes": {"objectType": "Order"}}
                    ORDERS[order_id] = {"customer": customer["id"], "order": order, "pending": new}
                    if STATE.get("provisioning", 0) > 0:
                        STATE["provisioning"] -= 1
                    else:
                        provision(ORDERS[order_id])
                    orders.append(json.loads(json.dumps(order)))
                answer = {"orders": orders, "orderErrors": errors, "attributes": {"objectType": "CartCheckoutResult"}}
                APPLIED[request_id] = (201, answer, {})
                return self.answer(201, answer)
        return self.error(404, 404, "Not found")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        parts = url.path.strip("/").split("/")
        if url.path == "/_state":
            # The tests change what Microsoft has (seats added in Partner Center, say).
            with LOCK:
                STATE.update(json.loads(body))
            return self.answer(200, {})
        if parts[:1] == ["pc"]:
            if not self.gate():
                return
            return self.post_pc(parts[1:], body)
        if url.path == "/_approve":
            # The user signs in at Microsoft's page with the code Seatbook showed.
            code = json.loads(body).get("user_code")
            with LOCK:
                for d in DEVICE_CODES.values():
                    if d["user_code"] == code:
                        d["approved"] = True
                        return self.answer(200, {})
            return self.answer(404, {"error": "no such code"})
        if len(parts) == 4 and parts[0] == "login" and parts[2:] == ["oauth2", "devicecode"]:
            form = urllib.parse.parse_qs(body)
            get = lambda k: form.get(k, [""])[0]
            if parts[1] != STATE["tenant"]:
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS90002: Tenant '%s' not found." % parts[1]})
            if get("client_id") != STATE["client_id"] or get("resource") != "https://api.partnercenter.microsoft.com":
                return self.answer(400, {"error": "invalid_client", "error_description": "AADSTS700016: Application not found in the directory."})
            user_code = "%s-%s" % (secrets.token_hex(2).upper(), secrets.token_hex(2).upper())
            device_code = secrets.token_urlsafe(24)
            with LOCK:
                DEVICE_CODES[device_code] = {"user_code": user_code, "approved": False}
            url_ = "https://microsoft.com/devicelogin"
            return self.answer(200, {"user_code": user_code, "device_code": device_code, "verification_url": url_, "expires_in": "900",
                                     "interval": "1", "message": "To sign in, use a web browser to open the page %s and enter the code %s to authenticate." % (url_, user_code)})
        if len(parts) == 4 and parts[0] == "login" and parts[2:] == ["oauth2", "token"]:
            form = urllib.parse.parse_qs(body)
            get = lambda k: form.get(k, [""])[0]
            self.sent = {"grant_type": get("grant_type")}
            if parts[1] != STATE["tenant"]:
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS90002: Tenant '%s' not found." % parts[1]})
            if get("resource") != "https://api.partnercenter.microsoft.com" or get("client_id") != STATE["client_id"]:
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'resource'."})
            grant = get("grant_type")
            refresh = None
            if grant == "client_credentials":
                if get("client_secret") != STATE["client_secret"]:
                    return self.answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
            elif grant == "device_code":
                with LOCK:
                    d = DEVICE_CODES.get(get("code"))
                if d is None:
                    return self.answer(400, {"error": "expired_token", "error_description": "AADSTS70019: Verification code expired."})
                if not d["approved"]:
                    return self.answer(400, {"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."})
                refresh = secrets.token_urlsafe(40)
            elif grant == "refresh_token":
                if get("refresh_token") not in REFRESH_TOKENS:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "AADSTS70000: The provided refresh token is not valid."})
                refresh = secrets.token_urlsafe(40)
            else:
                return self.answer(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003: The app requested an unsupported grant type."})
            token = secrets.token_urlsafe(32)
            TOKENS.add(token)
            # Microsoft's documented response: every number a string.
            answer = {
                "token_type": "Bearer",
                "expires_in": "3600",
                "ext_expires_in": "3600",
                "expires_on": "1700000000",
                "not_before": "1699996400",
                "resource": "https://api.partnercenter.microsoft.com",
                "access_token": token,
            }
            if refresh:
                with LOCK:
                    REFRESH_TOKENS.append(refresh)
                answer["refresh_token"] = refresh
            return self.answer(200, answer)
        return self.error(404, 404, "Not found")


class Server(ThreadingHTTPServer):
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that went away (killed by a test, or a connection dropped on purpose) is
        # part of the play, not an error of the simulator's.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def main():
    with open(sys.argv[1]) as f:
        STATE.update(json.load(f))
    for k, v in STATE.pop("_applied", {}).items():
        APPLIED[k] = tuple(v)
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = Server(("127.0.0.1", port), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
