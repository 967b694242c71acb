#!/usr/bin/env python3
"""Sends signed store-platform order deliveries to the gateway as fast as it acknowledges them, and times each.

usage: driver.py BASE_URL SHOP_DOMAIN SECRET COUNT CONCURRENCY RUN_ID [WOO_SOURCE WOO_SECRET]

Every delivery is a distinct order of one of COUNT/10 customers. Without WOO_SOURCE every delivery is a Shopify
orders/create (distinct X-Shopify-Webhook-Id), signed as Shopify signs (X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of
the raw body). With WOO_SOURCE (the WooCommerce store's site URL, as in X-WC-Webhook-Source) every second delivery is
a WooCommerce order.updated instead (distinct id and date_modified_gmt, so a distinct de-duplication key), signed as
WooCommerce signs (X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw body under WOO_SECRET). Bodies and
signatures are prepared before the clock starts.

The acknowledgement latency of a delivery is the time from sending its request to having read the whole response,
on a kept-alive connection, at CONCURRENCY requests in flight; every request counts, acknowledged or not.

Prints key=value lines: sent, shopify_sent, woocommerce_sent, acknowledged, shopify_acknowledged,
woocommerce_acknowledged, failed, seconds, ack_rate, ack_p50_ms, ack_p90_ms, ack_p99_ms, ack_max_ms.
"""
import base64
import hashlib
import hmac
import http.client
import json
import math
import sys
import threading
import time
from urllib.parse import urlparse


def customer_of(index: int) -> int:
    return index % max(1, COUNT // 10)


def shopify_body(run: str, index: int) -> bytes:
    order_id = 7_000_000_000_000_000_000 + index  # 64-bit, beyond 2^53 on purpose
    customer = customer_of(index)
    return json.dumps({
        "id": order_id,
        "name": f"#B{index}",
        "email": f"bench-{run}-{customer}@example.com",
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": None,
        "subtotal_price": "90.00",
        "total_tax": "10.00",
        "total_discounts": "0.00",
        "total_price": "100.00",
        "created_at": "2025-01-01T12:00:00Z",
        "updated_at": "2025-01-01T12:00:00Z",
        "customer": {"id": 8_000_000_000_000_000_000 + customer, "email": f"bench-{run}-{customer}@example.com",
                     "first_name": "Bench", "last_name": str(customer)},
        "line_items": [{"id": order_id + 1, "sku": "BENCH-1", "title": "Bench mug", "quantity": 2,
                        "price": "45.00", "total_discount": "0.00"}],
    }, separators=(",", ":")).encode()


def woocommerce_body(run: str, index: int) -> bytes:
    """A WooCommerce REST v3 order as its order.updated webhook sends it (amounts as decimal strings)."""
    order_id = 500_000 + index
    customer = customer_of(index)
    # Distinct per delivery, so the de-duplication key (topic, id, date_modified_gmt) is distinct too.
    modified = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1_735_732_800 + index))
    email = f"bench-{run}-{customer}@example.com"
    return json.dumps({
        "id": order_id,
        "parent_id": 0,
        "number": f"W{index}",
        "status": "processing",
        "currency": "USD",
        "date_created_gmt": "2025-01-01T12:00:00",
        "date_modified_gmt": modified,
        "date_paid_gmt": "2025-01-01T12:00:00",
        "discount_total": "0.00",
        "shipping_total": "0.00",
        "total": "100.00",
        "total_tax": "10.00",
        "customer_id": 9_000 + customer,
        "billing": {"first_name": "Bench", "last_name": str(customer), "email": email, "country": "US"},
        "shipping": {},
        "payment_method": "bacs",
        "meta_data": [],
        "line_items": [{"id": order_id * 10 + 1, "name": "Bench mug", "product_id": 93, "variation_id": 0,
                        "quantity": 2, "sku": "BENCH-W", "subtotal": "90.00", "subtotal_tax": "10.00",
                        "total": "90.00", "total_tax": "10.00", "price": 45.0}],
        "refunds": [],
    }, separators=(",", ":")).encode()


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def percentile(sorted_values: list, fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def main() -> None:
    global COUNT
    if len(sys.argv) not in (7, 9):
        sys.exit(__doc__)
    base, shop, secret, count, concurrency, run = sys.argv[1:7]
    woo_source, woo_secret = (sys.argv[7], sys.argv[8]) if len(sys.argv) == 9 else (None, None)
    COUNT = int(count)
    concurrency = int(concurrency)
    url = urlparse(base)
    prepared = []  # (platform, path, body, headers)
    for i in range(COUNT):
        if woo_source and i % 2 == 1:
            body = woocommerce_body(run, i)
            prepared.append(("woocommerce", "/webhooks/woocommerce", body, {
                "Content-Type": "application/json",
                "User-Agent": "WooCommerce/9.5.1 Hookshot (WordPress/6.7.1)",
                "X-WC-Webhook-Source": woo_source,
                "X-WC-Webhook-Topic": "order.updated",
                "X-WC-Webhook-Resource": "order",
                "X-WC-Webhook-Event": "updated",
                "X-WC-Webhook-ID": "7",
                "X-WC-Webhook-Delivery-ID": str(100_000 + i),
                "X-WC-Webhook-Signature": sign(woo_secret, body),
            }))
        else:
            body = shopify_body(run, i)
            prepared.append(("shopify", "/webhooks/shopify", body, {
                "Content-Type": "application/json",
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": shop,
                "X-Shopify-Hmac-Sha256": sign(secret, body),
                "X-Shopify-Webhook-Id": f"{run}-{i}",
                "X-Shopify-Triggered-At": "2025-01-01T12:00:00.000Z",
            }))
    acknowledged = {"shopify": 0, "woocommerce": 0}
    failed = [0]
    latencies = []
    lock = threading.Lock()
    next_index = [0]

    def worker() -> None:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= COUNT:
                break
            platform, path, body, headers = prepared[index]
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            elapsed_ms = (time.perf_counter() - sent) * 1000
            with lock:
                latencies.append(elapsed_ms)
                if ok:
                    acknowledged[platform] += 1
                else:
                    failed[0] += 1
        connection.close()

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    latencies.sort()
    total_ok = acknowledged["shopify"] + acknowledged["woocommerce"]
    print(f"sent={COUNT}")
    print(f"shopify_sent={sum(1 for p in prepared if p[0] == 'shopify')}")
    print(f"woocommerce_sent={sum(1 for p in prepared if p[0] == 'woocommerce')}")
    print(f"acknowledged={total_ok}")
    print(f"shopify_acknowledged={acknowledged['shopify']}")
    print(f"woocommerce_acknowledged={acknowledged['woocommerce']}")
    print(f"failed={failed[0]}")
    print(f"seconds={elapsed:.3f}")
    print(f"ack_rate={total_ok / elapsed:.1f}")
    print(f"ack_p50_ms={percentile(latencies, 0.50):.2f}")
    print(f"ack_p90_ms={percentile(latencies, 0.90):.2f}")
    print(f"ack_p99_ms={percentile(latencies, 0.99):.2f}")
    print(f"ack_max_ms={(latencies[-1] if latencies else 0.0):.2f}")


COUNT = 0
if __name__ == "__main__":
    main()
