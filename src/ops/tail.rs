//! Tail a bus: a temporary SQS queue and a temporary rule (the user's
//! pattern) that sends the bus's events to it; receive and delete from the
//! queue; remove both at the end.
//!
//! Both are named `eddy-tail-<created, Unix seconds>-<random>` (queue and
//! rule share the name). The queue is tagged with the bus and a heartbeat
//! (`eddy:tail-heartbeat`, Unix seconds) that a running tail refreshes every
//! [`HEARTBEAT_EVERY`]; the rule is tagged too where the backend allows. The
//! next [`start`] (or an explicit [`sweep`]) removes what a crashed run left:
//! a queue whose heartbeat is older than [`STALE_AFTER`] (an untagged one
//! [`UNTAGGED_STALE_AFTER`] after its creation), with its rule and target,
//! and any `eddy-tail-` rule whose queue is gone and which was created more
//! than [`STALE_AFTER`] ago. A second eddy tailing at the same time keeps its
//! heartbeat fresh and is left alone.
//!
//! Logs Live Tail is not used: the queue works on every backend (eddy's own
//! answers StartLiveTail with InvalidOperationException), and costs a few
//! SQS calls per poll.
//!
//! Usage (the CLI's `eddy tail` and the terminal UI alike):
//! `let tail = tail::start(&clients, "orders", None).await?;` then
//! `tail.next_batch().await?` in a loop (each call long-polls up to
//! [`POLL_WAIT_S`] seconds), then `tail.stop().await?`. A `Tail` dropped
//! without `stop` leaves its queue and rule for the next sweep.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Error;
use crate::aws::{self, Clients};
use crate::domain::{Arn, BusName, QueueArn, QueueUrl, RuleState, Target, queue_name};
use crate::pattern::Pattern;

/// Every tail queue and rule name starts with this.
pub const NAME_PREFIX: &str = "eddy-tail-";
/// The id of the rule's one target (the queue).
pub const TARGET_ID: &str = "eddy-tail";
/// Queue tag: when the tail last said it is alive (Unix seconds).
pub const TAG_HEARTBEAT: &str = "eddy:tail-heartbeat";
/// Queue tag: the bus the rule is on (name or ARN, as given).
pub const TAG_BUS: &str = "eddy:tail-bus";
/// Rule tag: the queue it sends to.
pub const TAG_QUEUE: &str = "eddy:tail-queue";
/// How often a running tail refreshes its heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(60);
/// A tail whose heartbeat is older than this is a leftover of a crashed run.
pub const STALE_AFTER: Duration = Duration::from_secs(5 * 60);
/// A tail queue without a heartbeat tag (a backend without tags, or a crash
/// between creating and tagging it) is a leftover this long after its creation.
pub const UNTAGGED_STALE_AFTER: Duration = Duration::from_secs(60 * 60);
/// The long poll of [`Tail::next_batch`], in seconds.
pub const POLL_WAIT_S: i32 = 5;
/// The pattern used when none is given: every event of the bus.
pub const ALL_EVENTS_PATTERN: &str = r#"{"source":[{"prefix":""}]}"#;
/// How long the temporary queue keeps an event nobody received.
const RETENTION_S: &str = "3600";
/// Event ids remembered to drop duplicates (SQS delivers at least once).
const SEEN_IDS: usize = 10_000;

/// Where the tail's pattern came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "sources")]
pub enum PatternOrigin {
    /// The caller's pattern.
    Given,
    /// No pattern given: [`ALL_EVENTS_PATTERN`], every event of the bus.
    AllEvents,
    /// No pattern given and the backend refused [`ALL_EVENTS_PATTERN`]: the
    /// sources named by the bus's rules.
    BusSources(Vec<String>),
}

impl PatternOrigin {
    /// A sentence for the user: which events the tail shows.
    pub fn describe(&self) -> String {
        match self {
            PatternOrigin::Given => "the events matching the given pattern".to_string(),
            PatternOrigin::AllEvents => {
                format!("every event on the bus (pattern {ALL_EVENTS_PATTERN})")
            }
            PatternOrigin::BusSources(s) => format!(
                "the events of the sources the bus's rules name ({}); the backend refused a match-everything pattern",
                s.join(", ")
            ),
        }
    }
}

/// A running tail. Stop it with [`Tail::stop`]; dropped without, its queue
/// and rule stay until a later [`sweep`] finds them stale.
#[derive(Debug)]
pub struct Tail {
    clients: Clients,
    /// The queue's and the rule's name.
    pub name: String,
    /// The bus as given (name or ARN).
    pub bus: BusName,
    pub queue_url: QueueUrl,
    pub queue_arn: QueueArn,
    pub rule_arn: String,
    /// The rule's pattern.
    pub pattern: String,
    pub origin: PatternOrigin,
    /// What the sweep at start removed (leftovers of crashed runs).
    pub swept: Vec<String>,
    /// Things the user should know (tags not supported, sweep failed).
    pub warnings: Vec<String>,
    /// Unix seconds of the last heartbeat written.
    last_heartbeat_s: AtomicI64,
    seen: Mutex<Seen>,
}

/// One event the tail received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TailedEvent {
    /// The SQS message that carried it.
    pub message_id: String,
    /// When eddy received it (ms since the epoch).
    pub received_ms: i64,
    /// The event as delivered (JSON text, unless a target input changed it).
    pub body: String,
    /// The body parsed, when it is JSON.
    #[serde(skip)]
    pub event: Option<serde_json::Value>,
}

impl TailedEvent {
    fn field(&self, key: &str) -> Option<&str> {
        self.event.as_ref()?.get(key)?.as_str()
    }

    /// The event's `id`.
    pub fn id(&self) -> Option<&str> {
        self.field("id")
    }

    pub fn source(&self) -> Option<&str> {
        self.field("source")
    }

    pub fn detail_type(&self) -> Option<&str> {
        self.field("detail-type")
    }

    /// The event's `time` (RFC 3339).
    pub fn time(&self) -> Option<&str> {
        self.field("time")
    }

    /// The detail as compact JSON (`""` when absent).
    pub fn detail_json(&self) -> String {
        self.event
            .as_ref()
            .and_then(|e| e.get("detail"))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// The event as one JSON value: the parsed body, or `{"body": text}` when
    /// the body is not JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.event {
            Some(e) => e.clone(),
            None => serde_json::json!({ "body": self.body }),
        }
    }
}

/// What [`Tail::stop`] removed, and what it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cleanup {
    /// `rule eddy-tail-… on bus orders`, `queue eddy-tail-…`.
    pub removed: Vec<String>,
    /// What is left, with the reason; the next tail's sweep removes it.
    pub failed: Vec<String>,
}

/// Records a tail that ran: `tail`, the bus, how many events it received,
/// and what it created and removed (or could not remove).
pub fn record(
    audit: &super::audit::Audit,
    bus: &BusName,
    events: u64,
    cleanup: &Cleanup,
) -> Result<(), super::audit::Error> {
    audit.record(
        "tail",
        bus.as_str(),
        events,
        &format!(
            "created and removed {}; not removed: {}",
            cleanup.removed.join(", "),
            if cleanup.failed.is_empty() {
                "-".to_string()
            } else {
                cleanup.failed.join("; ")
            }
        ),
    )
}

/// Event ids already shown, bounded.
#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl Seen {
    /// Whether `id` is new (and remembers it).
    fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() >= SEEN_IDS
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        self.order.push_back(id.to_string());
        self.set.insert(id.to_string());
        true
    }
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A new tail name: `eddy-tail-<created>-<8 hex>`.
fn new_name(created_s: i64) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{NAME_PREFIX}{created_s}-{}", &random[..8])
}

/// The creation time stamped in a tail name; `None` for a name eddy did not make.
pub fn created_s(name: &str) -> Option<i64> {
    let rest = name.strip_prefix(NAME_PREFIX)?;
    let (secs, random) = rest.split_once('-')?;
    let hex = !random.is_empty() && random.chars().all(|c| c.is_ascii_hexdigit());
    let digits = !secs.is_empty() && secs.chars().all(|c| c.is_ascii_digit());
    if !hex || !digits {
        return None;
    }
    secs.parse().ok()
}

/// The queue policy that lets the rule (and only it) send to the queue.
fn queue_policy(queue_arn: &str, rule_arn: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "eddy-tail",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}
        }]
    })
    .to_string()
}

/// The string values of `source` in a rule's pattern.
fn pattern_sources(pattern: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(pattern) else {
        return Vec::new();
    };
    v.get("source")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts a tail on `bus` (a name or an ARN): sweeps stale leftovers, then
/// creates the rule (with `pattern`, validated by eddy's engine first; all
/// the bus's events when None), the queue (tagged, with a policy letting
/// the rule send to it) and the target. On a failure, what was created is
/// removed again before the error is returned.
pub async fn start(clients: &Clients, bus: &BusName, pattern: Option<&str>) -> Result<Tail, Error> {
    let bus = bus.as_str();
    if bus.trim().is_empty() {
        return Err(Error::Invalid("a bus name or ARN is required".to_string()));
    }
    if let Some(p) = pattern {
        Pattern::parse(p).map_err(|e| Error::Invalid(format!("the tail's pattern: {e}")))?;
    }
    let mut warnings = Vec::new();
    let swept = match sweep(clients).await {
        Ok(s) => s,
        Err(e) => {
            warnings.push(format!(
                "could not sweep the leftovers of earlier tails: {e}"
            ));
            Vec::new()
        }
    };
    let created = now_s();
    let name = new_name(created);

    // The rule first: it checks that the bus exists and the backend takes the pattern.
    let (rule_arn, pattern, origin) = match pattern {
        Some(p) => {
            let arn = clients
                .put_rule(&name, Some(bus), p, RuleState::Enabled)
                .await?;
            (arn, p.to_string(), PatternOrigin::Given)
        }
        None => match clients
            .put_rule(&name, Some(bus), ALL_EVENTS_PATTERN, RuleState::Enabled)
            .await
        {
            Ok(arn) => (
                arn,
                ALL_EVENTS_PATTERN.to_string(),
                PatternOrigin::AllEvents,
            ),
            // The backend refused the pattern (not the call): fall back.
            Err(aws::Error::Service { .. }) => {
                let sources = bus_sources(clients, bus).await?;
                let p = serde_json::json!({ "source": sources }).to_string();
                let arn = clients
                    .put_rule(&name, Some(bus), &p, RuleState::Enabled)
                    .await?;
                (arn, p, PatternOrigin::BusSources(sources))
            }
            Err(e) => return Err(e.into()),
        },
    };

    let mut tail = Tail {
        clients: clients.clone(),
        name: name.clone(),
        bus: BusName::from(bus),
        queue_url: QueueUrl::default(),
        queue_arn: QueueArn::default(),
        rule_arn,
        pattern,
        origin,
        swept,
        warnings,
        last_heartbeat_s: AtomicI64::new(created),
        seen: Mutex::new(Seen::default()),
    };
    match tail.create_queue_and_target(created).await {
        Ok(()) => Ok(tail),
        Err(e) => {
            // Best effort: what is left is swept later.
            let _ = tail.remove_all().await;
            Err(e)
        }
    }
}

/// The sources the bus's rules name, for a pattern that covers them.
async fn bus_sources(clients: &Clients, bus: &str) -> Result<Vec<String>, Error> {
    let rules = clients.list_rules(Some(bus)).await?;
    let sources: BTreeSet<String> = rules
        .iter()
        .filter(|r| created_s(&r.name).is_none())
        .filter_map(|r| r.pattern.as_deref())
        .flat_map(pattern_sources)
        .collect();
    if sources.is_empty() {
        return Err(Error::Invalid(format!(
            "the backend refused the match-everything pattern {ALL_EVENTS_PATTERN} and no rule of bus {bus} names a source; \
             give a pattern, e.g. --pattern '{{\"source\":[\"my.app\"]}}'"
        )));
    }
    Ok(sources.into_iter().collect())
}

impl Tail {
    async fn create_queue_and_target(&mut self, created: i64) -> Result<(), Error> {
        let attributes: BTreeMap<String, String> = [(
            "MessageRetentionPeriod".to_string(),
            RETENTION_S.to_string(),
        )]
        .into();
        self.queue_url = QueueUrl::from(self.clients.create_queue(&self.name, &attributes).await?);
        let tags: BTreeMap<String, String> = [
            (TAG_HEARTBEAT.to_string(), created.to_string()),
            (TAG_BUS.to_string(), self.bus.to_string()),
        ]
        .into();
        if let Err(e) = self.clients.tag_queue(self.queue_url.as_str(), &tags).await {
            self.warnings.push(format!(
                "could not tag the queue ({e}); if eddy crashes, it is swept {} min after its creation",
                UNTAGGED_STALE_AFTER.as_secs() / 60
            ));
        }
        let queue = self.clients.get_queue(self.queue_url.as_str()).await?;
        self.queue_arn = QueueArn::from(if queue.arn.is_empty() {
            sqs_arn_like(&self.rule_arn, &self.name).unwrap_or_default()
        } else {
            queue.arn
        });
        let policy: BTreeMap<String, String> = [(
            "Policy".to_string(),
            queue_policy(self.queue_arn.as_str(), &self.rule_arn),
        )]
        .into();
        self.clients
            .set_queue_attributes(self.queue_url.as_str(), &policy)
            .await?;
        let target = Target {
            id: TARGET_ID.to_string(),
            arn: self.queue_arn.to_string(),
            ..Target::default()
        };
        self.clients
            .put_targets(
                &self.name,
                Some(self.bus.as_str()),
                std::slice::from_ref(&target),
            )
            .await?;
        let rule_tags: BTreeMap<String, String> =
            [(TAG_QUEUE.to_string(), self.name.clone())].into();
        if !self.rule_arn.is_empty() {
            // Only for people looking at the rule: the sweep goes by name.
            let _ = self.clients.tag_resource(&self.rule_arn, &rule_tags).await;
        }
        Ok(())
    }

    /// Tells later sweeps that this tail is alive. [`Tail::next_batch`] calls
    /// it every [`HEARTBEAT_EVERY`]; a caller that pauses polling for longer
    /// should call it itself.
    pub async fn heartbeat(&self) -> Result<(), Error> {
        let now = now_s();
        let tags: BTreeMap<String, String> = [(TAG_HEARTBEAT.to_string(), now.to_string())].into();
        self.clients
            .tag_queue(self.queue_url.as_str(), &tags)
            .await?;
        self.last_heartbeat_s.store(now, Ordering::SeqCst);
        Ok(())
    }

    /// The events that arrived: one long poll of up to [`POLL_WAIT_S`] s,
    /// then the received messages are deleted from the temporary queue.
    pub async fn next_batch(&self) -> Result<Vec<TailedEvent>, Error> {
        self.next_batch_waiting(POLL_WAIT_S).await
    }

    /// [`Tail::next_batch`] with a long poll of `wait_s` seconds (0 to 20).
    /// Duplicates (SQS delivers at least once) are dropped by event id.
    pub async fn next_batch_waiting(&self, wait_s: i32) -> Result<Vec<TailedEvent>, Error> {
        let every = i64::try_from(HEARTBEAT_EVERY.as_secs()).unwrap_or(60);
        if now_s() - self.last_heartbeat_s.load(Ordering::SeqCst) >= every
            && let Err(e) = self.heartbeat().await
        {
            tracing::warn!("tail {}: heartbeat failed: {e}", self.name);
        }
        let messages = self
            .clients
            .receive(self.queue_url.as_str(), 10, None, wait_s)
            .await?;
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let handles: Vec<String> = messages
            .iter()
            .filter_map(|m| m.receipt_handle.clone())
            .collect();
        if let Err(e) = self
            .clients
            .delete_batch(self.queue_url.as_str(), &handles)
            .await
        {
            // They come back after the visibility timeout; duplicates are dropped below.
            tracing::warn!("tail {}: deleting received events failed: {e}", self.name);
        }
        let received_ms = now_ms();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::with_capacity(messages.len());
        for m in messages {
            let event = serde_json::from_str::<serde_json::Value>(&m.body)
                .ok()
                .filter(|v| v.is_object());
            let key = event
                .as_ref()
                .and_then(|e| e.get("id"))
                .and_then(|i| i.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| m.message_id.clone());
            if !seen.insert(&key) {
                continue;
            }
            out.push(TailedEvent {
                message_id: m.message_id,
                received_ms,
                body: m.body,
                event,
            });
        }
        Ok(out)
    }

    /// Removes the target, the rule and the queue, and says what was removed.
    /// Something already gone counts as removed; a failure is reported in
    /// [`Cleanup::failed`] (the next tail's sweep removes it).
    pub async fn stop(self) -> Result<Cleanup, Error> {
        Ok(self.remove_all().await)
    }

    async fn remove_all(&self) -> Cleanup {
        let mut c = Cleanup::default();
        remove_rule(&self.clients, &self.name, Some(self.bus.as_str()), &mut c).await;
        if !self.queue_url.as_str().is_empty() {
            remove_queue(&self.clients, self.queue_url.as_str(), &mut c).await;
        }
        c
    }
}

/// `arn:<partition>:sqs:<region>:<account>:<name>` from the rule's ARN.
fn sqs_arn_like(rule_arn: &str, name: &str) -> Option<String> {
    let a = Arn::parse(rule_arn)?;
    Some(format!(
        "arn:{}:sqs:{}:{}:{name}",
        a.partition, a.region, a.account
    ))
}

fn bus_label(bus: Option<&str>) -> &str {
    bus.filter(|b| !b.is_empty()).unwrap_or("default")
}

/// Removes the target and the rule `name`; gone already counts as removed.
async fn remove_rule(clients: &Clients, name: &str, bus: Option<&str>, c: &mut Cleanup) {
    let what = format!("rule {name} on bus {}", bus_label(bus));
    match clients
        .remove_targets(name, bus, &[TARGET_ID.to_string()])
        .await
    {
        Ok(()) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => {
            // DeleteRule refuses a rule with targets: say why it stays.
            c.failed.push(format!("{what}: {e}"));
            return;
        }
    }
    match clients.delete_rule(name, bus).await {
        Ok(()) => c.removed.push(what),
        Err(e) if e.is_not_found() => c.removed.push(what),
        Err(e) => c.failed.push(format!("{what}: {e}")),
    }
}

async fn remove_queue(clients: &Clients, url: &str, c: &mut Cleanup) {
    let what = format!("queue {}", queue_name(url));
    match clients.delete_queue(url).await {
        Ok(()) => c.removed.push(what),
        Err(e) if e.is_not_found() => c.removed.push(what),
        Err(e) => c.failed.push(format!("{what}: {e}")),
    }
}

/// Removes the leftovers of crashed tails that are stale (see the module
/// documentation); returns what was removed. Running tails are left alone.
pub async fn sweep(clients: &Clients) -> Result<Vec<String>, Error> {
    sweep_older_than(clients, STALE_AFTER).await
}

/// [`sweep`] with another staleness threshold for the heartbeat.
pub async fn sweep_older_than(
    clients: &Clients,
    stale_after: Duration,
) -> Result<Vec<String>, Error> {
    let now = now_s();
    let stale = i64::try_from(stale_after.as_secs()).unwrap_or(i64::MAX);
    let untagged = i64::try_from(UNTAGGED_STALE_AFTER.as_secs())
        .unwrap_or(i64::MAX)
        .max(stale);
    let mut c = Cleanup::default();
    let mut live_queues: HashSet<String> = HashSet::new();

    // Queues: by heartbeat (or, untagged, by the creation time in the name).
    for url in clients.queue_urls(NAME_PREFIX).await? {
        let name = queue_name(&url).to_string();
        let Some(created) = created_s(&name) else {
            continue;
        };
        let tags = match clients.queue_tags(&url).await {
            Ok(t) => t,
            Err(e) if e.is_not_found() => continue,
            Err(_) => BTreeMap::new(),
        };
        let heartbeat = tags.get(TAG_HEARTBEAT).and_then(|v| v.trim().parse().ok());
        let is_stale = match heartbeat {
            Some(h) => now.saturating_sub(h) > stale,
            None => now.saturating_sub(created) > untagged,
        };
        if !is_stale {
            live_queues.insert(name);
            continue;
        }
        if let Some(bus) = tags.get(TAG_BUS) {
            remove_rule(clients, &name, Some(bus), &mut c).await;
        }
        remove_queue(clients, &url, &mut c).await;
    }

    // Rules whose queue is gone (a crash between creating the rule and the
    // queue, or a queue swept without its bus tag).
    for bus in clients.list_buses().await? {
        let rules = match clients.list_rules(Some(&bus.name)).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        for r in rules {
            let Some(created) = created_s(&r.name) else {
                continue;
            };
            if live_queues.contains(&r.name) || now.saturating_sub(created) <= stale {
                continue;
            }
            match clients.queue_url(&r.name).await {
                Ok(_) => continue,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
            remove_rule(clients, &r.name, Some(&bus.name), &mut c).await;
        }
    }
    for f in &c.failed {
        tracing::warn!("tail sweep: {f}");
    }
    Ok(c.removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn futures_can_run_on_spawned_tasks() {
        fn is_send<T: Send>(_: T) {}
        // Compiled, never called: the terminal UI spawns these on tokio tasks.
        let _ = |c: &Clients, t: Tail| {
            is_send(start(c, &BusName::from("bus"), None));
            is_send(sweep(c));
            is_send(t.next_batch());
            is_send(t.heartbeat());
            is_send(t.stop());
        };
        let _ = |c: &Clients, cancel: &crate::ops::Cancel| {
            let records: Vec<super::super::export::ExportedMessage> = Vec::new();
            is_send(super::super::export::export(
                c,
                &QueueUrl::from("q"),
                Default::default(),
                |_| Ok(()),
                |_| {},
                cancel,
            ));
            is_send(super::super::export::import(
                c,
                &QueueUrl::from("q"),
                Default::default(),
                &records,
                |_| {},
                cancel,
            ));
        };
    }

    #[test]
    fn names_carry_the_creation_time() {
        let n = new_name(1_714_564_800);
        assert!(n.starts_with("eddy-tail-1714564800-"), "{n}");
        assert!(n.len() <= 64, "rule names are at most 64 characters");
        assert_eq!(created_s(&n), Some(1_714_564_800));
        assert_eq!(created_s("eddy-tail-x-abc"), None);
        assert_eq!(created_s("eddy-tail-12-"), None);
        assert_eq!(created_s("eddy-tail-12-zz"), None);
        assert_eq!(created_s("orders"), None);
    }

    #[test]
    fn policy_names_the_rule() {
        let p: serde_json::Value = serde_json::from_str(&queue_policy("arn:q", "arn:r")).unwrap();
        let s = &p["Statement"][0];
        assert_eq!(s["Principal"]["Service"], "events.amazonaws.com");
        assert_eq!(s["Action"], "sqs:SendMessage");
        assert_eq!(s["Resource"], "arn:q");
        assert_eq!(s["Condition"]["ArnEquals"]["aws:SourceArn"], "arn:r");
    }

    #[test]
    fn sources_come_from_string_values() {
        assert_eq!(
            pattern_sources(r#"{"source":["a","b",{"prefix":"c"}]}"#),
            ["a", "b"]
        );
        assert!(pattern_sources(r#"{"detail":{}}"#).is_empty());
        assert!(pattern_sources("not json").is_empty());
    }

    #[test]
    fn seen_is_bounded() {
        let mut s = Seen::default();
        assert!(s.insert("a"));
        assert!(!s.insert("a"));
        for i in 0..SEEN_IDS {
            s.insert(&i.to_string());
        }
        assert!(s.set.len() <= SEEN_IDS);
        assert!(s.insert("a"), "the oldest id is forgotten");
    }

    #[test]
    fn event_fields() {
        let body = r#"{"id":"1","source":"s","detail-type":"t","time":"2024-05-01T12:00:00Z","detail":{"a":1}}"#;
        let e = TailedEvent {
            message_id: "m".into(),
            received_ms: 0,
            body: body.into(),
            event: serde_json::from_str(body).ok(),
        };
        assert_eq!(
            (e.id(), e.source(), e.detail_type(), e.time()),
            (
                Some("1"),
                Some("s"),
                Some("t"),
                Some("2024-05-01T12:00:00Z")
            )
        );
        assert_eq!(e.detail_json(), r#"{"a":1}"#);
        let raw = TailedEvent {
            event: None,
            body: "plain".into(),
            ..e
        };
        assert_eq!(raw.to_json(), serde_json::json!({"body": "plain"}));
    }
}
