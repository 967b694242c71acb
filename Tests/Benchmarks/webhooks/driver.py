#!/usr/bin/env python3
"""Sends signed Shopify orders/create deliveries to the gateway as fast as it acknowledges them.

usage: driver.py BASE_URL SHOP_DOMAIN SECRET COUNT CONCURRENCY RUN_ID

Every delivery is a distinct order (distinct webhook id) of one of COUNT/10 customers, signed exactly as Shopify
signs (base64 HMAC-SHA256 of the raw body). Bodies and signatures are prepared before the clock starts. Prints
key=value lines: acknowledged, failed, seconds, ack_rate.
"""
import base64
import hashlib
import hmac
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def body_for(run: str, index: int) -> bytes:
    order_id = 7_000_000_000_000_000_000 + index  # 64-bit, beyond 2^53 on purpose
    customer = index % max(1, COUNT // 10)
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


def main() -> None:
    global COUNT
    base, shop, secret, count, concurrency, run = sys.argv[1:7]
    COUNT = int(count)
    concurrency = int(concurrency)
    url = urlparse(base)
    prepared = []
    for i in range(COUNT):
        body = body_for(run, i)
        signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
        prepared.append((body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Webhook-Id": f"{run}-{i}",
            "X-Shopify-Triggered-At": "2025-01-01T12:00:00.000Z",
        }))
    results = {"ok": 0, "failed": 0}
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
            body, headers = prepared[index]
            try:
                connection.request("POST", "/webhooks/shopify", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            with lock:
                results["ok" if ok else "failed"] += 1
        connection.close()

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    print(f"acknowledged={results['ok']}")
    print(f"failed={results['failed']}")
    print(f"seconds={elapsed:.3f}")
    print(f"ack_rate={results['ok'] / elapsed:.1f}")


COUNT = 0
if __name__ == "__main__":
    main()
