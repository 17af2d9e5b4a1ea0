#!/usr/bin/python3
"""Partner Center simulator for Seatbook's tests.

A small HTTP server that answers as Microsoft documents Partner Center and its sign-in
(DOMAIN.md §8, the samples in shared/samples/partner-center/), not as Seatbook's client happens
to ask: the client-credentials token endpoint, customers listed in pages with an
MS-ContinuationToken in `links.next.headers`, a customer's subscriptions, Microsoft's error
bodies, 429 with Retry-After (and its own body), server errors. Every request is logged and can
be read back at GET /_log.

    tests/pc/simulator.py STATE.json      # prints "READY <port>" when it listens

STATE.json:
    {"tenant": "...", "client_id": "...", "client_secret": "...",
     "page_size": 2,                       # customers per page (Microsoft's `size`, at most)
     "throttle": 1,                        # the first N Partner Center requests answer 429
     "retry_after": 1,                     # seconds, in Retry-After
     "server_errors": 0,                   # then N answers 500
     "customers": [{"id": TENANT, "domain": "...", "name": "...",
                    "subscriptions": [{"id": ..., "offerId": "PRODUCT:SKU:AVAIL", "quantity": 5,
                                       "termDuration": "P1Y", "billingCycle": "monthly",
                                       "effectiveStartDate": "2026-03-01", "commitmentEndDate": "2027-02-28",
                                       "status": "active", "autoRenewEnabled": true, ...}]}]}

Paths: the sign-in under /login/{tenant}/oauth2/token, Partner Center under /pc/v1/...; the tests
read the log at GET /_log and change the state with POST /_state (the keys given replace them).
"""
import json
import secrets
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {}
LOG = []
TOKENS = set()
LOCK = threading.RLock()
CONTINUATIONS = {}


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
        "refundableQuantity": {"totalQuantity": 0, "details": []},
        "orderId": "34b37d7340cc",
        "attributes": {"objectType": "Subscription"},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("MS-CorrelationId", self.headers.get("MS-CorrelationId", ""))
        self.send_header("MS-RequestId", self.headers.get("MS-RequestId", ""))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
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
        if not url.path.startswith("/pc/"):
            return self.error(404, 404, "Not found")
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in TOKENS:
            return self.error(401, 401, "Unauthorized: the token is missing or not valid")
        with LOCK:
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
            return self.answer(429, body, {"Retry-After": str(wait)})
        if failing:
            return self.error(500, 500, "Internal server error")
        parts = url.path[len("/pc"):].strip("/").split("/")
        customers = STATE.get("customers", [])
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
        if len(parts) == 4 and parts[:2] == ["v1", "customers"] and parts[3] == "subscriptions":
            c = next((c for c in customers if c["id"].lower() == parts[2].lower()), None)
            if c is None:
                return self.error(404, 600039, "The customer was not found.")
            items = [subscription_json(c, s) for s in c.get("subscriptions", [])]
            return self.answer(200, {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}})
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
        if len(parts) == 4 and parts[0] == "login" and parts[2:] == ["oauth2", "token"]:
            form = urllib.parse.parse_qs(body)
            get = lambda k: form.get(k, [""])[0]
            if parts[1] != STATE["tenant"]:
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS90002: Tenant '%s' not found." % parts[1]})
            if get("grant_type") != "client_credentials" or get("resource") != "https://api.partnercenter.microsoft.com":
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'grant_type'."})
            if get("client_id") != STATE["client_id"] or get("client_secret") != STATE["client_secret"]:
                return self.answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
            token = secrets.token_urlsafe(32)
            TOKENS.add(token)
            # Microsoft's documented response: every number a string.
            return self.answer(
                200,
                {
                    "token_type": "Bearer",
                    "expires_in": "3600",
                    "ext_expires_in": "3600",
                    "expires_on": "1700000000",
                    "not_before": "1699996400",
                    "resource": "https://api.partnercenter.microsoft.com",
                    "access_token": token,
                },
            )
        return self.error(404, 404, "Not found")


def main():
    with open(sys.argv[1]) as f:
        STATE.update(json.load(f))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
