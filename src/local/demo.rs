//! The demo world (`--demo`): the classic order and blog examples, and a
//! traffic simulator with flaky consumers so DLQs fill up.
//!
//! Everything goes through the backend's own operation handlers
//! (`local.sqs.handle(&local, "CreateQueue", ..)`), exactly as a request over
//! HTTP would: validated, journaled with `--data-dir`, routed by the real rules.
//!
//! The world ([`BUSES`], [`QUEUES`], [`LOG_GROUPS`]):
//!
//! - bus `orders`, rule `payment-processed` (payments over 200) → queues
//!   `rewards`, `warehouse` and `shipping`, each with its own DLQ
//!   (`maxReceiveCount` 3, visibility timeout 2 s, so a failing message
//!   lands in the DLQ about 7 s after it was sent);
//! - FIFO queue `payments.fifo` (every payment, grouped by customer) with
//!   `payments-dlq.fifo`;
//! - bus `blog`, rule `blog-post-created` → `notify-subscribers` and
//!   `entity-recognition` (with `entity-recognition-dlq`);
//! - the rule `blog-post-created` also publishes to the SNS topic
//!   `blog-posts` (`topics`): an `email-notifications` queue filtered on the
//!   post's topic, the `entity-recognition` function, and a flaky partner
//!   webhook whose subscription DLQ `blog-posts-dlq` fills;
//! - bus `blog-updates` for the follow-up events: rule `blog-post-updated`
//!   → `notify-subscribers`, rule `entities-detected` → the log group
//!   `/aws/events/blog-updates`;
//! - a log group per consumer, `/aws/lambda/<consumer>`.
//!
//! The simulator ([`start_simulator`]) puts events on the buses at the
//! given rate; the consumers are Lambda functions built into eddy
//! (`consumers_as_functions`: handler `eddy.builtin.NAME`, run in eddy's
//! process) behind event source mappings with `ReportBatchItemFailures`,
//! each message a log line between its invocation's START and END (simulated
//! pollers, `consume`, only if creating them fails). Some are flaky: `warehouse`
//! has no stock record for gift cards, `rewards` needs the customer's tier,
//! `shipping` needs a shipping address (and its carrier times out now and
//! then), the payments ledger knows only USD, EUR and GBP, and
//! `entity-recognition` only English. Their messages go round until they
//! land in the DLQ.

use super::{AwsError, Ctx, Local};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{JoinHandle, JoinSet};

/// The region the demo world lives in (eddy's default with an endpoint override).
pub const REGION: &str = "us-east-1";
/// Events per second when `--demo-rate` is not given.
pub const DEFAULT_RATE: f64 = 5.0;
/// The visibility timeout of the demo's consumer queues, in seconds: short,
/// so that a failed message comes back (and reaches its DLQ) quickly.
pub const VISIBILITY_TIMEOUT_S: u32 = 2;
/// The demo's `maxReceiveCount`.
pub const MAX_RECEIVE_COUNT: u32 = 3;

/// The payments rule of the classic example.
pub const PAYMENT_PROCESSED: &str = r#"{"source":["demo.payments"],"detail-type":["Payment Processed"],"detail":{"total_cost":[{"numeric":[">",200]}]}}"#;
const BLOG_POST_CREATED: &str = r#"{"source":["demo.blog"],"detail-type":["Blog Post Created"]}"#;
const BLOG_POST_UPDATED: &str = r#"{"source":["demo.blog"],"detail-type":["Blog Post Updated"]}"#;
const ENTITIES_DETECTED: &str =
    r#"{"source":["demo.entity-recognition"],"detail-type":["Blog Post Entities Detected"]}"#;

/// A demo queue and its dead-letter queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoQueue {
    pub name: &'static str,
    pub dlq: Option<&'static str>,
}

/// Every demo queue that consumers read, with its DLQ (DLQs are created too).
pub const QUEUES: &[DemoQueue] = &[
    DemoQueue {
        name: "rewards",
        dlq: Some("rewards-dlq"),
    },
    DemoQueue {
        name: "warehouse",
        dlq: Some("warehouse-dlq"),
    },
    DemoQueue {
        name: "shipping",
        dlq: Some("shipping-dlq"),
    },
    DemoQueue {
        name: "payments.fifo",
        dlq: Some("payments-dlq.fifo"),
    },
    DemoQueue {
        name: "notify-subscribers",
        dlq: None,
    },
    DemoQueue {
        name: "entity-recognition",
        dlq: Some("entity-recognition-dlq"),
    },
];

/// Where a rule sends its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoTarget {
    Queue(&'static str),
    LogGroup(&'static str),
}

impl DemoTarget {
    pub fn name(self) -> &'static str {
        match self {
            DemoTarget::Queue(n) | DemoTarget::LogGroup(n) => n,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DemoRule {
    pub name: &'static str,
    pub pattern: &'static str,
    pub targets: &'static [DemoTarget],
}

#[derive(Debug, Clone, Copy)]
pub struct DemoBus {
    pub name: &'static str,
    pub rules: &'static [DemoRule],
}

/// The demo buses with their rules and targets.
pub const BUSES: &[DemoBus] = &[
    DemoBus {
        name: "orders",
        rules: &[DemoRule {
            name: "payment-processed",
            pattern: PAYMENT_PROCESSED,
            targets: &[
                DemoTarget::Queue("rewards"),
                DemoTarget::Queue("warehouse"),
                DemoTarget::Queue("shipping"),
            ],
        }],
    },
    DemoBus {
        name: "blog",
        rules: &[DemoRule {
            name: "blog-post-created",
            pattern: BLOG_POST_CREATED,
            targets: &[
                DemoTarget::Queue("notify-subscribers"),
                DemoTarget::Queue("entity-recognition"),
            ],
        }],
    },
    DemoBus {
        name: "blog-updates",
        rules: &[
            DemoRule {
                name: "blog-post-updated",
                pattern: BLOG_POST_UPDATED,
                targets: &[DemoTarget::Queue("notify-subscribers")],
            },
            DemoRule {
                name: "entities-detected",
                pattern: ENTITIES_DETECTED,
                targets: &[DemoTarget::LogGroup("/aws/events/blog-updates")],
            },
        ],
    },
];

/// The log group of each consumer, and the events log group of `blog-updates`.
pub const LOG_GROUPS: &[&str] = &[
    "/aws/lambda/rewards",
    "/aws/lambda/warehouse",
    "/aws/lambda/shipping",
    "/aws/lambda/payments-ledger",
    "/aws/lambda/notify-subscribers",
    "/aws/lambda/entity-recognition",
    "/aws/events/blog-updates",
];

/// Every queue name of the demo world, DLQs included, sorted.
pub fn queue_names() -> Vec<&'static str> {
    let mut names: BTreeSet<&'static str> = BTreeSet::new();
    for q in QUEUES {
        names.insert(q.name);
        if let Some(d) = q.dlq {
            names.insert(d);
        }
    }
    names.into_iter().collect()
}

/// The names of the demo's dead-letter queues.
pub fn dlq_names() -> Vec<&'static str> {
    QUEUES.iter().filter_map(|q| q.dlq).collect()
}

fn ctx(local: &Local) -> Ctx {
    Ctx {
        region: REGION.to_string(),
        account: local.account.clone(),
    }
}

/// Accepts "already exists" answers: seeding a world that a data dir
/// already holds changes nothing.
fn exists_ok(result: Result<Value, AwsError>) -> Result<Option<Value>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code.contains("AlreadyExists") || e.code.contains("NameExists") => Ok(None),
        Err(e) => Err(e),
    }
}

async fn sqs(local: &Arc<Local>, op: &str, body: Value) -> Result<Value, AwsError> {
    local.sqs.handle(local, op, body, &ctx(local)).await
}

async fn events(local: &Arc<Local>, op: &str, body: Value) -> Result<Value, AwsError> {
    local.events.handle(local, op, body, &ctx(local)).await
}

async fn logs(local: &Arc<Local>, op: &str, body: Value) -> Result<Value, AwsError> {
    local.logs.handle(local, op, body, &ctx(local)).await
}

fn str_field(v: &Value, key: &str, what: &str) -> Result<String, AwsError> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| AwsError::internal(format!("{what}: the answer has no {key}")))
}

/// Creates a queue (or finds it) and returns its URL and ARN.
async fn create_queue(
    local: &Arc<Local>,
    name: &str,
    attributes: Value,
) -> Result<(String, String), AwsError> {
    let created = exists_ok(
        sqs(
            local,
            "CreateQueue",
            json!({"QueueName": name, "Attributes": attributes}),
        )
        .await,
    )?;
    let url = match created {
        Some(v) => str_field(&v, "QueueUrl", "CreateQueue")?,
        None => queue_url(local, name).await?,
    };
    let attrs = sqs(
        local,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
    )
    .await?;
    let arn = attrs
        .get("Attributes")
        .map(|a| str_field(a, "QueueArn", "GetQueueAttributes"))
        .unwrap_or_else(|| Err(AwsError::internal("GetQueueAttributes: no Attributes")))?;
    Ok((url, arn))
}

async fn queue_url(local: &Arc<Local>, name: &str) -> Result<String, AwsError> {
    let v = sqs(local, "GetQueueUrl", json!({"QueueName": name})).await?;
    str_field(&v, "QueueUrl", "GetQueueUrl")
}

/// Creates the demo buses, rules, queues, DLQs and log groups. Running it
/// again (a data dir that already holds the world) changes nothing.
pub async fn seed(local: &Arc<Local>) -> Result<(), AwsError> {
    let mut queue_arns = std::collections::BTreeMap::new();
    for q in QUEUES {
        let fifo = q.name.ends_with(".fifo");
        let mut attrs = json!({});
        if fifo {
            attrs["FifoQueue"] = json!("true");
            attrs["ContentBasedDeduplication"] = json!("true");
        }
        let mut dlq_attrs = attrs.clone();
        dlq_attrs["MessageRetentionPeriod"] = json!("1209600");
        attrs["VisibilityTimeout"] = json!(VISIBILITY_TIMEOUT_S.to_string());
        if let Some(dlq) = q.dlq {
            let (_, dlq_arn) = create_queue(local, dlq, dlq_attrs).await?;
            let policy =
                json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT});
            attrs["RedrivePolicy"] = json!(policy.to_string());
        }
        let (_, arn) = create_queue(local, q.name, attrs).await?;
        queue_arns.insert(q.name, arn);
    }
    for group in LOG_GROUPS {
        exists_ok(logs(local, "CreateLogGroup", json!({"logGroupName": group})).await)?;
    }
    for bus in BUSES {
        exists_ok(events(local, "CreateEventBus", json!({"Name": bus.name})).await)?;
        for rule in bus.rules {
            events(
                local,
                "PutRule",
                json!({
                    "Name": rule.name,
                    "EventBusName": bus.name,
                    "EventPattern": rule.pattern,
                    "State": "ENABLED",
                    "Description": format!("eddy demo: {}", rule.name),
                }),
            )
            .await?;
            let mut targets = Vec::new();
            for t in rule.targets {
                let arn = match t {
                    DemoTarget::Queue(q) => queue_arns
                        .get(q)
                        .cloned()
                        .ok_or_else(|| AwsError::internal(format!("demo queue {q} missing")))?,
                    DemoTarget::LogGroup(g) => {
                        format!("arn:aws:logs:{REGION}:{}:log-group:{g}", local.account)
                    }
                };
                targets.push(json!({"Id": target_id(t.name()), "Arn": arn}));
            }
            events(
                local,
                "PutTargets",
                json!({"Rule": rule.name, "EventBusName": bus.name, "Targets": targets}),
            )
            .await?;
        }
    }
    // An archive of every event on `orders`, so that `:archives` has one to
    // list and to replay from.
    exists_ok(
        events(
            local,
            "CreateArchive",
            json!({
                "ArchiveName": DEMO_ARCHIVE,
                "EventSourceArn": format!("arn:aws:events:{REGION}:{}:event-bus/orders", local.account),
                "RetentionDays": 7,
            }),
        )
        .await,
    )?;
    topics::seed(local).await
}

/// The demo's archive (on the `orders` bus).
pub const DEMO_ARCHIVE: &str = "orders-archive";

/// A target id from a queue or log group name (letters, digits, `.-_`).
fn target_id(name: &str) -> String {
    let id: String = name
        .trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    id.chars().take(64).collect()
}

// ------------------------------------------------------------------ traffic

mod payloads;
pub mod topics;
use payloads::*;

fn entry(bus: &str, source: &str, detail_type: &str, detail: &Value) -> Value {
    json!({
        "EventBusName": bus,
        "Source": source,
        "DetailType": detail_type,
        "Detail": detail.to_string(),
    })
}

/// Starts the traffic: producers putting events on the demo buses at
/// `rate` events per second, and the consumers of every demo queue. Abort
/// the handle to stop it all (the tasks it spawned stop with it).
pub fn start_simulator(local: &Arc<Local>, rate: f64) -> JoinHandle<()> {
    let local = Arc::clone(local);
    let rate = if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        DEFAULT_RATE
    };
    tokio::spawn(async move {
        let mut tasks = JoinSet::new();
        tasks.spawn(produce(Arc::clone(&local), rate));
        // The consumers are Lambda functions built into eddy, behind event
        // source mappings; should that fail, simulated pollers do their work.
        if consumers_as_functions(&local).await.is_err() {
            // More pollers per consumer at high rates, so the queues keep up on average.
            let pollers = (rate / 10.0).ceil().clamp(1.0, 16.0) as u64;
            for spec in CONSUMERS {
                for n in 0..pollers {
                    tasks.spawn(consume(Arc::clone(&local), spec, n));
                }
            }
        }
        while tasks.join_next().await.is_some() {}
    })
}

async fn produce(local: Arc<Local>, rate: f64) {
    let mut rng = Rng::seeded(1);
    let tick = Duration::from_millis(100);
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut budget = 1.0; // the first event goes out at once
    let mut seq: u64 = 0;
    let mut payments_url: Option<String> = None;
    loop {
        interval.tick().await;
        budget += rate * tick.as_secs_f64();
        let n = budget.floor() as u64;
        budget -= n as f64;
        let mut entries = Vec::new();
        let mut payments = Vec::new();
        for _ in 0..n {
            seq += 1;
            // The first orders fail once each way; then at random.
            let scripted = match seq {
                1 => Some(Flaws {
                    gift_card: true,
                    ..Flaws::default()
                }),
                2 => Some(Flaws {
                    no_tier: true,
                    currency: Some("JPY"),
                    ..Flaws::default()
                }),
                3 => Some(Flaws {
                    no_address: true,
                    ..Flaws::default()
                }),
                _ => None,
            };
            let roll = match seq {
                1..=3 => 0.0,
                4 => 0.8,
                _ => rng.unit(),
            };
            if roll < 0.75 {
                let flaws = scripted.unwrap_or_else(|| Flaws {
                    gift_card: rng.chance(0.06),
                    no_tier: rng.chance(0.05),
                    no_address: rng.chance(0.04),
                    currency: rng.chance(0.04).then_some("JPY"),
                });
                let big = scripted.is_some() || rng.chance(0.6);
                let detail = payment_detail(&mut rng, seq, big, flaws);
                entries.push(entry(
                    "orders",
                    "demo.payments",
                    "Payment Processed",
                    &detail,
                ));
                payments.push(detail);
            } else if roll < 0.9 {
                let lang = (seq == 4).then_some("pt");
                let detail = blog_detail(&mut rng, seq, lang);
                entries.push(entry("blog", "demo.blog", "Blog Post Created", &detail));
            } else {
                let mut detail = blog_detail(&mut rng, seq, None);
                detail["revision"] = json!(2 + rng.below(5));
                detail["changed_fields"] = json!(["title", "body"]);
                entries.push(entry(
                    "blog-updates",
                    "demo.blog",
                    "Blog Post Updated",
                    &detail,
                ));
            }
        }
        for chunk in entries.chunks(10) {
            let _ = events(&local, "PutEvents", json!({"Entries": chunk})).await;
        }
        // The payments service also records every payment in its FIFO
        // ledger queue, grouped by customer.
        for detail in payments {
            if payments_url.is_none() {
                payments_url = queue_url(&local, "payments.fifo").await.ok();
            }
            let Some(url) = &payments_url else { break };
            let group = detail["customer"]["id"].as_str().unwrap_or("unknown");
            let sent = sqs(
                &local,
                "SendMessage",
                json!({
                    "QueueUrl": url,
                    "MessageBody": detail.to_string(),
                    "MessageGroupId": group,
                }),
            )
            .await;
            if sent.is_err() {
                payments_url = None;
            }
        }
    }
}

/// One consumer: which queue, how it logs, how fast and how flaky it is.
struct Consumer {
    queue: &'static str,
    log_group: &'static str,
    /// Time between polls of an empty (or just drained) queue.
    poll: Duration,
    /// Processing time of one message, min and max milliseconds.
    work_ms: (u64, u64),
    /// Messages taken per receive.
    batch: u32,
    process: fn(&Value, &mut Rng) -> Outcome,
}

enum Outcome {
    Done(String),
    /// Done, and put this follow-up event on a bus.
    DoneThen(String, Value),
    Failed(String),
}

const CONSUMERS: &[Consumer] = &[
    Consumer {
        queue: "rewards",
        log_group: "/aws/lambda/rewards",
        poll: Duration::from_millis(300),
        work_ms: (80, 400),
        batch: 5,
        process: rewards,
    },
    Consumer {
        queue: "warehouse",
        log_group: "/aws/lambda/warehouse",
        poll: Duration::from_millis(500),
        work_ms: (200, 900),
        batch: 10,
        process: warehouse,
    },
    Consumer {
        queue: "shipping",
        log_group: "/aws/lambda/shipping",
        poll: Duration::from_millis(2500),
        work_ms: (300, 1200),
        batch: 10,
        process: shipping,
    },
    Consumer {
        queue: "payments.fifo",
        log_group: "/aws/lambda/payments-ledger",
        poll: Duration::from_millis(300),
        work_ms: (50, 250),
        batch: 10,
        process: ledger,
    },
    Consumer {
        queue: "notify-subscribers",
        log_group: "/aws/lambda/notify-subscribers",
        poll: Duration::from_millis(1000),
        work_ms: (50, 300),
        batch: 10,
        process: notify,
    },
    Consumer {
        queue: "entity-recognition",
        log_group: "/aws/lambda/entity-recognition",
        poll: Duration::from_millis(1500),
        work_ms: (400, 1500),
        batch: 5,
        process: entities,
    },
];

/// Makes each consumer a Lambda function built into eddy (runtime
/// `provided.al2023`, handler `eddy.builtin.NAME`, run in eddy's process)
/// with an event source mapping on its queue (`ReportBatchItemFailures`):
/// `:functions`, `eddy consumers` and the "why it failed" evidence see them
/// as on AWS. Existing functions and mappings (a data dir) are kept.
async fn consumers_as_functions(local: &Arc<Local>) -> Result<(), AwsError> {
    let c = ctx(local);
    let package = crate::local::lambda::zip::build(&[(
        "README.txt",
        b"eddy's demo consumer: its code is built into eddy (handler eddy.builtin.NAME)\n",
        0o644,
    )]);
    let zip = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, package);
    let headers = axum::http::HeaderMap::new();
    for (n, spec) in CONSUMERS.iter().enumerate() {
        let name = spec.log_group.trim_start_matches("/aws/lambda/");
        local.lambda.builtins.register(
            name,
            builtin_consumer(Arc::downgrade(local), spec, n as u64),
        );
        let function = json!({
            "FunctionName": name,
            "Runtime": "provided.al2023",
            "Role": format!("arn:aws:iam::{}:role/demo-consumer", c.account),
            "Handler": format!("{}{name}", crate::local::lambda::builtin::PREFIX),
            "Timeout": 10,
            "Description": format!("the demo's {} consumer, built into eddy", spec.queue),
            "Code": {"ZipFile": zip},
        });
        let created = local
            .lambda
            .handle(
                local,
                "POST",
                "/2015-03-31/functions",
                None,
                &headers,
                function.to_string().as_bytes(),
                &c,
            )
            .await;
        match created {
            Ok(_) => {}
            Err(e) if e.code == "ResourceConflictException" => {}
            Err(e) => return Err(e),
        }
        let mapping = json!({
            "FunctionName": name,
            "EventSourceArn": format!("arn:aws:sqs:{REGION}:{}:{}", c.account, spec.queue),
            "BatchSize": spec.batch,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        });
        let mapped = local
            .lambda
            .handle(
                local,
                "POST",
                "/2015-03-31/event-source-mappings",
                None,
                &headers,
                mapping.to_string().as_bytes(),
                &c,
            )
            .await;
        match mapped {
            Ok(_) => {}
            Err(e) if e.code == "ResourceConflictException" => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A consumer's code as a built-in handler: each record of the SQS event
/// goes through the consumer's `process`; failures are reported as batch
/// item failures (and logged with the message id), follow-up events put
/// on their bus.
fn builtin_consumer(
    local: std::sync::Weak<Local>,
    spec: &'static Consumer,
    n: u64,
) -> crate::local::lambda::builtin::Handler {
    let rng = std::sync::Mutex::new(Rng::seeded(100 + n + spec.queue.len() as u64 * 7));
    Arc::new(move |payload: &[u8], request_id: &str| {
        let event: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
        let records = event
            .get("Records")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut rng = rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut lines = Vec::new();
        let mut failures = Vec::new();
        let mut follow_ups = Vec::new();
        let mut slowest = Duration::ZERO;
        for r in &records {
            slowest = slowest.max(rng.millis(spec.work_ms.0, spec.work_ms.1));
            // An SQS record's `body`, or an SNS record's `Sns.Message`.
            let body: Value = r
                .get("body")
                .or_else(|| r.pointer("/Sns/Message"))
                .and_then(Value::as_str)
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or(Value::Null);
            let id = r
                .get("messageId")
                .or_else(|| r.pointer("/Sns/MessageId"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let receives = r
                .get("attributes")
                .and_then(|a| a.get("ApproximateReceiveCount"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let at = crate::local::lambda::wire::iso_z(super::now_ms());
            match (spec.process)(&body, &mut rng) {
                Outcome::Done(line) => lines.push(format!("[INFO]\t{at}\t{request_id}\t{line}")),
                Outcome::DoneThen(line, event) => {
                    lines.push(format!("[INFO]\t{at}\t{request_id}\t{line}"));
                    follow_ups.push(event);
                }
                Outcome::Failed(line) => {
                    lines.push(format!(
                        "[ERROR]\t{at}\t{request_id}\t{line} (message {id}, receive {receives})"
                    ));
                    failures.push(json!({"itemIdentifier": id}));
                }
            }
        }
        if !follow_ups.is_empty()
            && let Some(local) = local.upgrade()
        {
            tokio::spawn(async move {
                let _ = events(&local, "PutEvents", json!({"Entries": follow_ups})).await;
            });
        }
        crate::local::lambda::builtin::Answer {
            result: Ok(json!({"batchItemFailures": failures})
                .to_string()
                .into_bytes()),
            lines,
            work: slowest,
        }
    })
}

/// The event's `detail` (rule deliveries carry the whole event) or the
/// body itself (direct sends).
fn detail(body: &Value) -> &Value {
    body.get("detail").unwrap_or(body)
}

fn order_id(d: &Value) -> &str {
    d["order_id"].as_str().unwrap_or("?")
}

fn rewards(body: &Value, _: &mut Rng) -> Outcome {
    let d = detail(body);
    match d["customer"]["tier"].as_str() {
        Some(tier) => {
            let points = d["total_cost"].as_f64().unwrap_or(0.0).floor() as u64;
            Outcome::Done(format!(
                "INFO order {}: {points} points to {} ({tier})",
                order_id(d),
                d["customer"]["id"].as_str().unwrap_or("?")
            ))
        }
        None => Outcome::Failed(format!(
            "ERROR order {}: KeyError: 'tier' (customer {} has no loyalty tier)",
            order_id(d),
            d["customer"]["id"].as_str().unwrap_or("?")
        )),
    }
}

fn warehouse(body: &Value, _: &mut Rng) -> Outcome {
    let d = detail(body);
    let items = d["items"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if let Some(bad) = items.iter().find(|i| i["sku"] == GIFT_CARD) {
        return Outcome::Failed(format!(
            "ERROR order {}: no stock record for SKU {}",
            order_id(d),
            bad["sku"].as_str().unwrap_or("?")
        ));
    }
    Outcome::Done(format!(
        "INFO order {}: reserved {} line(s)",
        order_id(d),
        items.len()
    ))
}

fn shipping(body: &Value, rng: &mut Rng) -> Outcome {
    let d = detail(body);
    let Some(city) = d["shipping_address"]["city"].as_str() else {
        return Outcome::Failed(format!(
            "ERROR order {}: missing field shipping_address",
            order_id(d)
        ));
    };
    if rng.chance(0.15) {
        return Outcome::Failed(format!(
            "WARN order {}: carrier API timed out after 5000 ms, will retry",
            order_id(d)
        ));
    }
    Outcome::Done(format!(
        "INFO order {}: label created, ships to {city}",
        order_id(d)
    ))
}

fn ledger(body: &Value, _: &mut Rng) -> Outcome {
    let d = detail(body);
    match d["currency"].as_str() {
        Some(c @ ("USD" | "EUR" | "GBP")) => Outcome::Done(format!(
            "INFO order {}: booked {} {c}",
            order_id(d),
            d["total_cost"]
        )),
        other => Outcome::Failed(format!(
            "ERROR order {}: no ledger for currency {}",
            order_id(d),
            other.unwrap_or("(none)")
        )),
    }
}

fn notify(body: &Value, rng: &mut Rng) -> Outcome {
    let d = detail(body);
    Outcome::Done(format!(
        "INFO post {}: notified {} subscribers",
        d["post_id"].as_str().unwrap_or("?"),
        20 + rng.below(500)
    ))
}

fn entities(body: &Value, rng: &mut Rng) -> Outcome {
    let d = detail(body);
    let post = d["post_id"].as_str().unwrap_or("?");
    match d["language"].as_str() {
        Some("en") => {
            let found = ["EventBridge", "SQS", "AWS", "Lambda", "DLQ"];
            let n = 1 + rng.below(found.len());
            let entities = &found[..n];
            let follow_up = entry(
                "blog-updates",
                "demo.entity-recognition",
                "Blog Post Entities Detected",
                &json!({"post_id": post, "entities": entities}),
            );
            Outcome::DoneThen(
                format!("INFO post {post}: {n} entities detected"),
                follow_up,
            )
        }
        other => Outcome::Failed(format!(
            "ERROR post {post}: UnsupportedLanguageException: {}",
            other.unwrap_or("(none)")
        )),
    }
}

/// `YYYY/MM/DD` (UTC) of a time in ms, as Lambda names its log streams.
fn stream_date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| format!("{:04}/{:02}/{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

async fn consume(local: Arc<Local>, spec: &'static Consumer, n: u64) {
    let mut rng = Rng::seeded(100 + n + spec.queue.len() as u64 * 7);
    let stream = format!("{}/[$LATEST]{}", stream_date(super::now_ms()), rng.hex(32));
    let mut stream_ready = false;
    let mut url: Option<String> = None;
    loop {
        let Some(queue) = url.clone() else {
            url = queue_url(&local, spec.queue).await.ok();
            if url.is_none() {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            continue;
        };
        let received = sqs(
            &local,
            "ReceiveMessage",
            json!({
                "QueueUrl": queue,
                "MaxNumberOfMessages": spec.batch,
                "WaitTimeSeconds": 0,
                "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
            }),
        )
        .await;
        let messages = match received {
            Ok(v) => v
                .get("Messages")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            Err(_) => {
                url = None;
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            tokio::time::sleep(spec.poll).await;
            continue;
        }
        // The batch is processed concurrently, as a Lambda would: the slowest
        // message sets the pace.
        let mut slowest = Duration::ZERO;
        let mut log_events = Vec::new();
        let mut done = Vec::new();
        let mut follow_ups = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            slowest = slowest.max(rng.millis(spec.work_ms.0, spec.work_ms.1));
            let body: Value = m
                .get("Body")
                .and_then(Value::as_str)
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or(Value::Null);
            let receives = m
                .get("Attributes")
                .and_then(|a| a.get("ApproximateReceiveCount"))
                .and_then(Value::as_str)
                .unwrap_or("?");
            let line = match (spec.process)(&body, &mut rng) {
                Outcome::Done(line) => {
                    done.push(i);
                    line
                }
                Outcome::DoneThen(line, event) => {
                    done.push(i);
                    follow_ups.push(event);
                    line
                }
                Outcome::Failed(line) => format!("{line} (receive {receives})"),
            };
            log_events.push(line);
        }
        tokio::time::sleep(slowest).await;
        let entries: Vec<Value> = done
            .iter()
            .filter_map(|&i| messages[i].get("ReceiptHandle"))
            .enumerate()
            .map(|(n, h)| json!({"Id": n.to_string(), "ReceiptHandle": h}))
            .collect();
        if !entries.is_empty() {
            let _ = sqs(
                &local,
                "DeleteMessageBatch",
                json!({"QueueUrl": queue, "Entries": entries}),
            )
            .await;
        }
        if !follow_ups.is_empty() {
            let _ = events(&local, "PutEvents", json!({"Entries": follow_ups})).await;
        }
        if !stream_ready {
            stream_ready = exists_ok(
                logs(
                    &local,
                    "CreateLogStream",
                    json!({"logGroupName": spec.log_group, "logStreamName": stream}),
                )
                .await,
            )
            .is_ok();
        }
        if stream_ready {
            let now = super::now_ms();
            let events: Vec<Value> = log_events
                .into_iter()
                .map(|m| json!({"timestamp": now, "message": m}))
                .collect();
            let put = logs(
                &local,
                "PutLogEvents",
                json!({"logGroupName": spec.log_group, "logStreamName": stream, "logEvents": events}),
            )
            .await;
            if put.is_err() {
                stream_ready = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    #[test]
    fn log_stream_dates_are_utc_days() {
        // 2026-11-24T23:59:59.999Z
        assert_eq!(stream_date(1_795_564_799_999), "2026/11/24");
        assert_eq!(stream_date(0), "1970/01/01");
    }

    #[test]
    fn the_world_is_consistent() {
        let names = queue_names();
        for bus in BUSES {
            for rule in bus.rules {
                Pattern::parse(rule.pattern).unwrap();
                for t in rule.targets {
                    match t {
                        DemoTarget::Queue(q) => assert!(names.contains(q), "{q}"),
                        DemoTarget::LogGroup(g) => assert!(LOG_GROUPS.contains(g), "{g}"),
                    }
                }
            }
        }
        for c in CONSUMERS {
            assert!(names.contains(&c.queue), "{}", c.queue);
            assert!(LOG_GROUPS.contains(&c.log_group), "{}", c.log_group);
        }
        assert_eq!(names.len(), 11);
        assert_eq!(dlq_names().len(), 5);
        assert_eq!(
            target_id("/aws/events/blog-updates"),
            "aws-events-blog-updates"
        );
    }

    #[test]
    fn payments_match_the_rule_when_big_and_flaws_fail_consumers() {
        let rule = Pattern::parse(PAYMENT_PROCESSED).unwrap();
        let mut rng = Rng::seeded(3);
        for seq in 0..200 {
            let big = seq % 2 == 0;
            let d = payment_detail(&mut rng, seq, big, Flaws::default());
            let event = json!({"source": "demo.payments", "detail-type": "Payment Processed", "detail": d.clone()});
            assert_eq!(
                rule.matches(event.to_string().as_bytes()).unwrap(),
                big,
                "{event}"
            );
            assert!(matches!(rewards(&event, &mut rng), Outcome::Done(_)));
            assert!(matches!(warehouse(&event, &mut rng), Outcome::Done(_)));
            assert!(matches!(ledger(&d, &mut rng), Outcome::Done(_)));
        }
        let flawed = payment_detail(
            &mut rng,
            1,
            true,
            Flaws {
                gift_card: true,
                no_tier: true,
                no_address: true,
                currency: Some("JPY"),
            },
        );
        let event = json!({"detail": flawed});
        assert!(matches!(rewards(&event, &mut rng), Outcome::Failed(_)));
        assert!(matches!(warehouse(&event, &mut rng), Outcome::Failed(_)));
        assert!(matches!(shipping(&event, &mut rng), Outcome::Failed(_)));
        assert!(matches!(ledger(&flawed, &mut rng), Outcome::Failed(_)));
    }

    #[test]
    fn only_english_posts_are_recognised() {
        let mut rng = Rng::seeded(4);
        let en = json!({"detail": blog_detail(&mut rng, 1, Some("en"))});
        let pt = json!({"detail": blog_detail(&mut rng, 2, Some("pt"))});
        assert!(matches!(entities(&en, &mut rng), Outcome::DoneThen(..)));
        assert!(matches!(entities(&pt, &mut rng), Outcome::Failed(_)));
        let created = Pattern::parse(BLOG_POST_CREATED).unwrap();
        let event = json!({"source": "demo.blog", "detail-type": "Blog Post Created", "detail": en["detail"]});
        assert!(created.matches(event.to_string().as_bytes()).unwrap());
    }
}
