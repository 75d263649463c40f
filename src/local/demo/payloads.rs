//! The demo traffic's payloads: a seeded PRNG, the customers, items,
//! cities, posts and authors the orders and blog posts are made of, and the
//! flaws that make some of them fail in a consumer.

use std::time::Duration;

use serde_json::{Value, json};

/// A small fast PRNG (SplitMix64): the demo needs variety, not security.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn seeded(salt: u64) -> Rng {
        let t = crate::local::now_ms() as u64;
        Rng(t ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub(super) fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.next() % (hi - lo + 1))
    }

    pub(super) fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(n);
        s
    }
}

pub(super) const GIFT_CARD: &str = "GC-DIGITAL-50";

pub(super) const CUSTOMERS: &[(&str, &str, &str)] = &[
    ("cus-1042", "Maria Silva", "gold"),
    ("cus-2208", "Jonas Becker", "standard"),
    ("cus-3117", "Aiko Tanaka", "silver"),
    ("cus-4410", "Samuel Okoye", "gold"),
    ("cus-5021", "Chloé Martin", "standard"),
    ("cus-6630", "Liam O'Brien", "silver"),
    ("cus-7002", "Priya Nair", "platinum"),
    ("cus-8195", "Mateo García", "standard"),
];

pub(super) const ITEMS: &[(&str, &str, f64)] = &[
    ("KB-MECH-87", "Mechanical keyboard", 129.0),
    ("MS-ERGO-2", "Ergonomic mouse", 79.5),
    ("CBL-USBC-2M", "USB-C cable, 2 m", 14.0),
    ("NB-A5-DOT", "A5 dotted notebook", 12.0),
    ("PEN-GEL-6", "Gel pens, pack of 6", 18.0),
    ("MON-27-4K", "27\" 4K monitor", 389.0),
    ("DESK-LAMP-L", "LED desk lamp", 46.0),
    ("HP-NC-700", "Noise-cancelling headphones", 249.0),
    ("DOCK-TB4", "Thunderbolt 4 dock", 219.0),
];

pub(super) const CITIES: &[(&str, &str, &str)] = &[
    ("Lisbon", "1100-148", "PT"),
    ("Berlin", "10115", "DE"),
    ("Osaka", "530-0001", "JP"),
    ("Lagos", "100001", "NG"),
    ("Lyon", "69001", "FR"),
    ("Dublin", "D02 XY45", "IE"),
    ("Seattle", "98101", "US"),
];

pub(super) const POSTS: &[(&str, &str)] = &[
    ("Routing events with EventBridge content filters", "en"),
    ("Draining a dead-letter queue without losing messages", "en"),
    ("FIFO queues and message groups, explained", "en"),
    ("Idempotent consumers in practice", "en"),
    ("Filas FIFO e grupos de mensagens", "pt"),
    ("Ereignisgesteuerte Architekturen testen", "de"),
    ("Visibility timeouts, receive counts and you", "en"),
];

pub(super) const AUTHORS: &[(&str, &str)] = &[
    ("auth-3", "Lena Fischer"),
    ("auth-7", "Sam Okafor"),
    ("auth-9", "Inês Costa"),
];

/// What makes an order fail somewhere (the first orders of a run use each
/// once, so the DLQs fill from the start).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Flaws {
    pub(super) gift_card: bool,
    pub(super) no_tier: bool,
    pub(super) no_address: bool,
    pub(super) currency: Option<&'static str>,
}

/// A "Payment Processed" detail shaped like `assets/events/payment-processed-*.json`.
pub(super) fn payment_detail(rng: &mut Rng, seq: u64, big: bool, flaws: Flaws) -> Value {
    let (cid, cname, tier) = *rng.pick(CUSTOMERS);
    let first = cname.split(' ').next().unwrap_or(cname).to_lowercase();
    let mut customer = json!({
        "id": cid,
        "name": cname,
        "email": format!("{first}@example.com"),
    });
    if !flaws.no_tier {
        customer["tier"] = json!(tier);
    }
    let mut items = Vec::new();
    let mut total = 0.0;
    let n = 1 + rng.below(3);
    for _ in 0..n {
        let (sku, name, price) = *rng.pick(ITEMS);
        let quantity = 1 + rng.below(2) as u64;
        total += price * quantity as f64;
        items.push(json!({"sku": sku, "name": name, "quantity": quantity, "unit_price": price}));
    }
    if big && total <= 200.0 {
        let (sku, name, price) = ("MON-27-4K", "27\" 4K monitor", 389.0);
        total += price;
        items.push(json!({"sku": sku, "name": name, "quantity": 1, "unit_price": price}));
    }
    if !big {
        // A small order: one cheap item.
        let (sku, name, price) = *rng.pick(&ITEMS[2..5]);
        items = vec![json!({"sku": sku, "name": name, "quantity": 1, "unit_price": price})];
        total = price;
    }
    if flaws.gift_card {
        total += 50.0;
        items.push(
            json!({"sku": GIFT_CARD, "name": "Gift card, 50", "quantity": 1, "unit_price": 50.0}),
        );
    }
    let currency = flaws
        .currency
        .unwrap_or_else(|| *rng.pick(&["USD", "USD", "EUR", "GBP"]));
    let mut detail = json!({
        "order_id": format!("ord-{seq:06}-{}", rng.hex(4)),
        "customer": customer,
        "currency": currency,
        "total_cost": (total * 100.0).round() / 100.0,
        "payment": if rng.chance(0.7) {
            json!({"method": "card", "card_brand": *rng.pick(&["visa", "mastercard", "amex"]),
                   "last4": format!("{:04}", rng.below(10_000)), "transaction_id": format!("txn_{}", rng.hex(12))})
        } else {
            json!({"method": "wallet", "wallet": *rng.pick(&["apple_pay", "google_pay"]),
                   "transaction_id": format!("txn_{}", rng.hex(12))})
        },
        "items": items,
    });
    if rng.chance(0.3) {
        detail["coupon_code"] = json!(*rng.pick(&["SPRING24", "WELCOME10", "VIP"]));
    }
    if !flaws.no_address {
        let (city, postcode, country) = *rng.pick(CITIES);
        detail["shipping_address"] = json!({
            "street": format!("{} Main Street", 1 + rng.below(200)),
            "city": city, "postcode": postcode, "country": country,
        });
    }
    detail
}

pub(super) fn blog_detail(rng: &mut Rng, seq: u64, language: Option<&str>) -> Value {
    let (title, lang) = *rng.pick(POSTS);
    let (aid, aname) = *rng.pick(AUTHORS);
    let slug: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let topic = *rng.pick(&["eventbridge", "sqs", "serverless", "operations"]);
    json!({
        "post_id": format!("post-{seq:04}"),
        "title": title,
        "slug": slug,
        "author": {"id": aid, "name": aname},
        "tags": ["aws", topic],
        // What the `blog-posts` topic's `email-notifications` subscription filters on.
        "topic": topic,
        "status": "published",
        "language": language.unwrap_or(lang),
        "word_count": 600 + rng.below(2400),
        "url": format!("https://blog.example.com/posts/{slug}"),
    })
}
