//! SQS on the wire (AWS JSON 1.0, `AmazonSQS.<Op>`): queues, messages,
//! visibility, receive counts and DLQs, FIFO, long polling, move tasks.
//!
//! Each queue keeps its messages in a map by an internal sequence number
//! (`seq`), plus indexes so that no request scans the queue:
//! - standard queues: a ready deque of visible messages;
//! - FIFO queues: a deque of messages per message group and a deque of the
//!   groups that can deliver (head visible, nothing in flight);
//! - a min-heap of timers (delay ends, visibility timeouts), a min-heap of
//!   send times (retention) and a FIFO deduplication window.
//!
//! Entries of the deques and heaps carry the message's generation (bumped
//! at every state change) and are dropped lazily when stale; they are
//! compacted when stale entries outnumber live ones.
//!
//! Receipt handles encode (queue id, seq, nonce): lookups are O(1). A
//! handle of an earlier receive is stale: deleting with it succeeds without
//! deleting (as on AWS), `ChangeMessageVisibility` still changes the message
//! (as on AWS); on a FIFO queue, deleting with a handle whose visibility
//! ended fails (the handle has expired). A FIFO receive with a
//! `ReceiveRequestAttemptId` retried within five minutes answers the same
//! messages and handles.
//!
//! Durability: every acknowledged write is journaled (`Change`) under the
//! queue's lock, before it is applied, so the journal's order is the order
//! of the changes. Receives and visibility changes are not journaled: after
//! a restart, messages that were in flight are visible again and receive
//! counts restart from what the last move recorded.
//!
//! Queues are kept per account and region (keyed by ARN); `names` reads
//! queue URLs and ARNs into a [`names::QueueRef`] and writes them back.
//!
//! Layout: this file holds the service (`Sqs`: the queues, each behind its
//! own lock, and the operation dispatch); `wire` parses requests and shapes
//! responses; `engine` is one queue's state and semantics (no tokio, time is
//! a parameter); `journal` holds the durable records and their replay;
//! `queues`, `messages` and `move_task` are the operations; `task` a move
//! task's record; `attrs` the queue and message attributes; `errors` the SQS
//! error codes; `recent` the names deleted in the last minute; `names` queue
//! URLs and ARNs. Files here may use this one; this one names only `attrs`,
//! `engine`, `errors`, `names`, `recent`, `task` and `wire`, which never use it (no import
//! cycle through the service file; `journal` is public for `local::Record`).

mod attrs;
mod engine;
mod errors;
#[cfg(test)]
mod fidelity_tests;
pub mod journal;
mod messages;
mod move_task;
mod names;
mod queues;
mod recent;
mod task;
mod wire;

pub use attrs::{AttrValue, md5_of_attributes};
pub use engine::StoredMessage;

use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use engine::{Incoming, QState};
use errors::no_queue;
use names::QueueRef;
use serde_json::Map;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;
use std::sync::PoisonError;
use std::sync::RwLock;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use task::MoveTask;
use wire::{MessageEntry, Str, input};

/// A queue: identity, long-poll wake-ups, and its state behind a mutex.
struct Queue {
    /// Unique per creation: lock order and receipt handles.
    id: u64,
    name: String,
    region: String,
    account: String,
    arn: String,
    fifo: bool,
    deleted: AtomicBool,
    notify: tokio::sync::Notify,
    st: Mutex<QState>,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QState> {
        self.st.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state, unless the queue was deleted.
    fn live(&self) -> Result<MutexGuard<'_, QState>, AwsError> {
        let g = self.lock();
        if self.deleted.load(Ordering::Acquire) {
            return Err(no_queue());
        }
        Ok(g)
    }

    /// Whether `arn` names this queue.
    fn is(&self, arn: &str) -> bool {
        QueueRef::from_arn(arn).is_some_and(|r| r.arn() == self.arn)
    }

    fn wake(&self) {
        self.notify.notify_waiters();
    }
}

type Pair<'a> = (MutexGuard<'a, QState>, Option<MutexGuard<'a, QState>>);

/// Locks two queues in id order (no deadlock); the second is None when absent or the same queue.
fn lock_pair<'a>(a: &'a Queue, b: Option<&'a Queue>) -> Pair<'a> {
    match b {
        Some(b) if b.id != a.id => {
            if a.id < b.id {
                let ga = a.lock();
                let gb = b.lock();
                (ga, Some(gb))
            } else {
                let gb = b.lock();
                let ga = a.lock();
                (ga, Some(gb))
            }
        }
        _ => (a.lock(), None),
    }
}

/// SQS state.
pub struct Sqs {
    /// Every queue of every account and region, by ARN.
    queues: RwLock<HashMap<String, Arc<Queue>>>,
    /// At replay: the ARN of each queue created by a journal record written
    /// before records named their region and account, by name.
    legacy: Mutex<HashMap<String, String>>,
    next_id: AtomicU64,
    rng: AtomicU64,
    tasks: Mutex<Vec<Arc<MoveTask>>>,
    /// Names deleted in the last minute (CreateQueue refuses them).
    recently_deleted: recent::RecentlyDeleted,
}

impl Default for Sqs {
    fn default() -> Self {
        let seed = uuid::Uuid::new_v4().as_u64_pair().0 | 1;
        Sqs {
            queues: RwLock::new(HashMap::new()),
            legacy: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            rng: AtomicU64::new(seed),
            tasks: Mutex::new(Vec::new()),
            recently_deleted: recent::RecentlyDeleted::default(),
        }
    }
}

/// Gives the messages of a `SendMessage` or `SendMessageBatch` the
/// request's X-Ray header (`X-Amzn-Trace-Id`) as their `AWSTraceHeader`
/// system attribute, unless a message names one itself (as AWS does; no
/// `MD5OfMessageSystemAttributes` for it). Other operations are left as they are.
pub fn trace_header_into(op: &str, body: &mut Value, trace: Option<&str>) {
    let Some(trace) = trace else { return };
    let mark = |m: &mut Value| {
        if let Some(obj) = m.as_object_mut() {
            obj.insert("eddy:TraceHeader".to_string(), json!(trace));
        }
    };
    match op {
        "SendMessage" => mark(body),
        "SendMessageBatch" => {
            if let Some(entries) = body.get_mut("Entries").and_then(Value::as_array_mut) {
                entries.iter_mut().for_each(mark);
            }
        }
        _ => {}
    }
}

/// What SQS needs of the backend that holds it: the [`Core`] (by deref) and
/// itself, for the move tasks it spawns. `Local` implements it; SQS never
/// names `Local`.
pub trait SqsHost: std::ops::Deref<Target = Core> + Send + Sync + 'static {
    fn sqs(&self) -> &Sqs;
}

impl Sqs {
    /// Runs one operation (`op` is the part after `AmazonSQS.`).
    pub async fn handle<H: SqsHost>(
        &self,
        local: &Arc<H>,
        op: &str,
        body: Value,
        ctx: &Ctx,
    ) -> OpResult {
        let b = body;
        match op {
            "ReceiveMessage" => self.receive_message(local, &input(b), ctx).await,
            "CreateQueue" => self.create_queue(local, &input(b), ctx),
            "GetQueueUrl" => self.get_queue_url(local, &input(b), ctx),
            "ListQueues" => self.list_queues(local, &input(b), ctx),
            "DeleteQueue" => self.delete_queue(local, &input(b), ctx),
            "GetQueueAttributes" => self.get_queue_attributes(&input(b), ctx),
            "SetQueueAttributes" => self.set_queue_attributes(local, &input(b), ctx),
            "TagQueue" => self.tag_queue(local, &input(b), ctx),
            "UntagQueue" => self.untag_queue(local, &input(b), ctx),
            "ListQueueTags" => self.list_queue_tags(&input(b), ctx),
            "AddPermission" => self.add_permission(local, &input(b), ctx),
            "RemovePermission" => self.remove_permission(local, &input(b), ctx),
            "SendMessage" => self.send_message(local, &input(b), ctx),
            "SendMessageBatch" => self.send_message_batch(local, &input(b), ctx),
            "DeleteMessage" => self.delete_message(local, &input(b), ctx),
            "DeleteMessageBatch" => self.delete_message_batch(local, &input(b), ctx),
            "ChangeMessageVisibility" => self.change_visibility(local, &input(b), ctx),
            "ChangeMessageVisibilityBatch" => self.change_visibility_batch(local, &input(b), ctx),
            "PurgeQueue" => self.purge_queue(local, &input(b), ctx),
            "ListDeadLetterSourceQueues" => {
                self.list_dead_letter_source_queues(local, &input(b), ctx)
            }
            "StartMessageMoveTask" => self.start_move_task(local, &input(b)),
            "ListMessageMoveTasks" => self.list_move_tasks(&input(b)),
            "CancelMessageMoveTask" => self.cancel_move_task(&input(b)),
            _ => Err(AwsError::unknown_operation(&format!("AmazonSQS.{op}"))),
        }
    }

    /// Whether a queue with this ARN exists.
    pub fn has_queue(&self, arn: &str) -> bool {
        self.by_arn(arn).is_some()
    }

    /// Delivery from EventBridge (or any internal producer) to the queue with
    /// this ARN; returns the message id. `group_id` is required for FIFO;
    /// without `dedup_id` a FIFO queue needs content-based deduplication.
    /// `attributes` become String message attributes.
    pub fn deliver(
        &self,
        local: &Core,
        queue_arn: &str,
        body: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, AwsError> {
        let q = self.by_arn(queue_arn).ok_or_else(no_queue)?;
        let message_attributes = (!attributes.is_empty()).then(|| {
            let attrs: Map<String, Value> = attributes
                .into_iter()
                .map(|(k, v)| (k, json!({"DataType": "String", "StringValue": v})))
                .collect();
            Value::Object(attrs)
        });
        let entry = MessageEntry {
            message_body: Some(body).into(),
            message_attributes,
            message_group_id: group_id.into(),
            message_deduplication_id: dedup_id.into(),
            ..MessageEntry::default()
        };
        let inc = Incoming::parse(&entry)?;
        let mut out = self.send_many(local, &q, vec![Ok(inc)])?;
        out.pop()
            .unwrap_or_else(|| Err(AwsError::internal("no result")))
            .map(|s| s.message_id)
    }

    /// Delivery from SNS: [`Self::deliver`] with typed message attributes
    /// (SQS's JSON form: `{"n": {"DataType": "Number", "StringValue": "1"}}`).
    /// `lazily`: journaled without a flush of its own; the caller's next
    /// flushed record (its last send) flushes it, so a fan-out to ten
    /// queues flushes once.
    #[allow(clippy::too_many_arguments)]
    pub fn deliver_message(
        &self,
        local: &Core,
        queue_arn: &str,
        body: String,
        group_id: Option<String>,
        dedup_id: Option<String>,
        attributes: Option<Value>,
        lazily: bool,
    ) -> Result<String, AwsError> {
        let q = self.by_arn(queue_arn).ok_or_else(no_queue)?;
        let entry = MessageEntry {
            message_body: Some(body).into(),
            message_attributes: attributes,
            message_group_id: group_id.into(),
            message_deduplication_id: dedup_id.into(),
            ..MessageEntry::default()
        };
        let inc = Incoming::parse(&entry)?;
        let mut out = self.send_many_with(local, &q, vec![Ok(inc)], lazily)?;
        out.pop()
            .unwrap_or_else(|| Err(AwsError::internal("no result")))
            .map(|s| s.message_id)
    }

    // ------------------------------------------------------------ lookups

    fn read_queues(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Queue>>> {
        self.queues.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_queues(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<Queue>>> {
        self.queues.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The queue with this ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`).
    fn by_arn(&self, arn: &str) -> Option<Arc<Queue>> {
        let key = QueueRef::from_arn(arn)?.arn();
        self.read_queues().get(&key).cloned()
    }

    /// The queue of the request's `QueueUrl` (of the request's region and
    /// account where the URL names none).
    fn queue_of(&self, queue_url: &Str, ctx: &Ctx) -> Result<Arc<Queue>, AwsError> {
        let url = wire::need(queue_url, "QueueUrl")?;
        let key = QueueRef::from_url(url, &ctx.region, &ctx.account).arn();
        self.read_queues().get(&key).cloned().ok_or_else(no_queue)
    }

    fn new_queue(&self, at: &QueueRef, fifo: bool, created_s: i64) -> Arc<Queue> {
        Arc::new(Queue {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            name: at.name.clone(),
            region: at.region.clone(),
            account: at.account.clone(),
            arn: at.arn(),
            fifo,
            deleted: AtomicBool::new(false),
            notify: tokio::sync::Notify::new(),
            st: Mutex::new(QState::new(fifo, created_s)),
        })
    }

    /// The queue's URL (it names the queue's region).
    fn url(local: &Core, q: &Queue) -> String {
        QueueRef::new(&q.account, &q.region, &q.name).url(local.base_url())
    }

    /// A random nonzero receipt nonce (splitmix64).
    fn nonce(&self) -> u64 {
        let mut z = self.rng.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) | 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::Local;

    /// A backend and a caller of its SQS operations (in `region`).
    fn sqs_in(region: &str) -> (Arc<Local>, impl AsyncFn(&str, Value) -> OpResult) {
        let local = Local::new(&crate::local::Config::default()).unwrap();
        let ctx = Ctx {
            region: region.to_string(),
            account: local.account.clone(),
        };
        let l = local.clone();
        let call = async move |op: &str, body: Value| l.sqs.handle(&l, op, body, &ctx).await;
        (local, call)
    }

    fn handles(got: &Value) -> Vec<String> {
        got["Messages"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| m["ReceiptHandle"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn the_xray_header_becomes_the_aws_trace_header() {
        let (_local, call) = sqs_in("us-east-1");
        let url = call("CreateQueue", json!({"QueueName": "t"}))
            .await
            .unwrap()["QueueUrl"]
            .clone();
        let trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
        let mut send = json!({"QueueUrl": url, "MessageBody": "test"});
        trace_header_into("SendMessage", &mut send, Some(trace));
        call("SendMessage", send).await.unwrap();
        // One the message names itself wins.
        let mut own = json!({"QueueUrl": url, "MessageBody": "own", "MessageSystemAttributes":
            {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=own"}}});
        trace_header_into("SendMessage", &mut own, Some(trace));
        call("SendMessage", own).await.unwrap();
        let got = call(
            "ReceiveMessage",
            json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "AttributeNames": ["AWSTraceHeader"]}),
        )
        .await
        .unwrap();
        assert_eq!(got["Messages"][0]["Attributes"]["AWSTraceHeader"], trace);
        assert_eq!(
            got["Messages"][1]["Attributes"]["AWSTraceHeader"],
            "Root=own"
        );
        let mut batch =
            json!({"QueueUrl": url, "Entries": [{"Id": "a", "MessageBody": "in a batch"}]});
        trace_header_into("SendMessageBatch", &mut batch, Some(trace));
        let sent = call("SendMessageBatch", batch).await.unwrap();
        assert!(
            sent["Successful"][0]
                .get("MD5OfMessageSystemAttributes")
                .is_none()
        );
        let got = call(
            "ReceiveMessage",
            json!({"QueueUrl": url, "AttributeNames": ["AWSTraceHeader"]}),
        )
        .await
        .unwrap();
        assert_eq!(got["Messages"][0]["Attributes"]["AWSTraceHeader"], trace);
        let mut other = json!({"QueueUrl": url});
        trace_header_into("ReceiveMessage", &mut other, Some(trace));
        assert_eq!(other, json!({"QueueUrl": url}));
    }

    #[tokio::test]
    async fn list_queues_pages_with_an_encoded_url_token() {
        use base64::Engine as _;
        let (_local, call) = sqs_in("us-east-1");
        let mut urls = Vec::new();
        for n in ["p-0", "p-1", "p-2"] {
            urls.push(
                call("CreateQueue", json!({"QueueName": n})).await.unwrap()["QueueUrl"].clone(),
            );
        }
        let first = call(
            "ListQueues",
            json!({"QueueNamePrefix": "p-", "MaxResults": 2}),
        )
        .await
        .unwrap();
        assert_eq!(first["QueueUrls"], json!(urls[..2]));
        let token = first["NextToken"].as_str().unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token)
            .unwrap();
        assert_eq!(json!(String::from_utf8(decoded).unwrap()), urls[1]);
        let rest = call(
            "ListQueues",
            json!({"QueueNamePrefix": "p-", "MaxResults": 2, "NextToken": token}),
        )
        .await
        .unwrap();
        assert_eq!(rest["QueueUrls"], json!(urls[2..]));
        assert!(rest.get("NextToken").is_none());
    }

    #[tokio::test]
    async fn queues_are_kept_per_region() {
        let local = Local::new(&crate::local::Config::default()).unwrap();
        let call = |region: &str, op: &'static str, body: Value| {
            let local = local.clone();
            let ctx = Ctx {
                region: region.to_string(),
                account: local.account.clone(),
            };
            async move { local.sqs.handle(&local, op, body, &ctx).await.unwrap() }
        };
        let (east, central) = ("us-east-1", "eu-central-1");
        let url1 = call(east, "CreateQueue", json!({"QueueName": "q"})).await["QueueUrl"].clone();
        let url2 =
            call(central, "CreateQueue", json!({"QueueName": "q"})).await["QueueUrl"].clone();
        assert_ne!(url1, url2);
        assert!(
            url2.as_str().unwrap().contains("/queue/eu-central-1/"),
            "{url2}"
        );
        for (region, url, other) in [(east, &url1, &url2), (central, &url2, &url1)] {
            let listed = call(region, "ListQueues", json!({})).await["QueueUrls"].clone();
            assert_eq!(listed, json!([url]), "{region}");
            let got = call(region, "GetQueueUrl", json!({"QueueName": "q"})).await;
            assert_eq!(&got["QueueUrl"], url);
            assert_ne!(&got["QueueUrl"], other);
            let attrs = call(
                region,
                "GetQueueAttributes",
                json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
            )
            .await;
            assert_eq!(
                attrs["Attributes"]["QueueArn"],
                format!("arn:aws:sqs:{region}:{}:q", local.account)
            );
        }
        // A queue URL is answered from the queue's own region, whatever the request's.
        call(
            central,
            "SendMessage",
            json!({"QueueUrl": url1, "MessageBody": "to east"}),
        )
        .await;
        let got = call(east, "ReceiveMessage", json!({"QueueUrl": url1})).await;
        assert_eq!(got["Messages"][0]["Body"], "to east");
        let none = call(central, "ReceiveMessage", json!({"QueueUrl": url2})).await;
        assert!(none.get("Messages").is_none(), "{none}");
        // Delivery by ARN reaches the ARN's region.
        let arn = format!("arn:aws:sqs:{central}:{}:q", local.account);
        local
            .sqs
            .deliver(&local, &arn, "by arn".into(), None, None, BTreeMap::new())
            .unwrap();
        let got = call(east, "ReceiveMessage", json!({"QueueUrl": url2})).await;
        assert_eq!(got["Messages"][0]["Body"], "by arn");
        // Deleting one leaves the other.
        call(east, "DeleteQueue", json!({"QueueUrl": url1})).await;
        let listed = call(central, "ListQueues", json!({})).await["QueueUrls"].clone();
        assert_eq!(listed, json!([url2]));
    }

    #[tokio::test]
    async fn receipt_handles_after_visibility_changes_as_aws_answers() {
        let (_local, call) = sqs_in("us-east-1");
        let url = call("CreateQueue", json!({"QueueName": "q"}))
            .await
            .unwrap()["QueueUrl"]
            .clone();
        call(
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "test"}),
        )
        .await
        .unwrap();
        // Received with visibility 0, then again: the first (older) handle
        // still ends the visibility, and the message is received a third time.
        let first = handles(
            &call(
                "ReceiveMessage",
                json!({"QueueUrl": url, "VisibilityTimeout": 0}),
            )
            .await
            .unwrap(),
        );
        let second = handles(
            &call(
                "ReceiveMessage",
                json!({"QueueUrl": url, "VisibilityTimeout": 30}),
            )
            .await
            .unwrap(),
        );
        assert_eq!((first.len(), second.len()), (1, 1));
        call(
            "ChangeMessageVisibility",
            json!({"QueueUrl": url, "ReceiptHandle": first[0], "VisibilityTimeout": 0}),
        )
        .await
        .unwrap();
        let third = handles(
            &call(
                "ReceiveMessage",
                json!({"QueueUrl": url, "VisibilityTimeout": 0}),
            )
            .await
            .unwrap(),
        );
        assert_eq!(third.len(), 1);
        // Its visibility ended (0): changing it still succeeds.
        call(
            "ChangeMessageVisibility",
            json!({"QueueUrl": url, "ReceiptHandle": third[0], "VisibilityTimeout": 5}),
        )
        .await
        .unwrap();

        // FIFO: deleting with a handle whose visibility ended fails (expired).
        let fifo = call(
            "CreateQueue",
            json!({"QueueName": "q.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
        )
        .await
        .unwrap()["QueueUrl"]
            .clone();
        call(
            "SendMessage",
            json!({"QueueUrl": fifo, "MessageBody": "foobar", "MessageGroupId": "1"}),
        )
        .await
        .unwrap();
        let h = handles(
            &call(
                "ReceiveMessage",
                json!({"QueueUrl": fifo, "VisibilityTimeout": 0}),
            )
            .await
            .unwrap(),
        );
        let err = call(
            "DeleteMessage",
            json!({"QueueUrl": fifo, "ReceiptHandle": h[0]}),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "Value {} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
                h[0]
            )
        );
        // In flight, the handle deletes.
        let h = handles(
            &call("ReceiveMessage", json!({"QueueUrl": fifo}))
                .await
                .unwrap(),
        );
        call(
            "DeleteMessage",
            json!({"QueueUrl": fifo, "ReceiptHandle": h[0]}),
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn receive_request_attempt_ids_and_attribute_prefixes() {
        let (_local, call) = sqs_in("us-east-1");
        let fifo = call(
            "CreateQueue",
            json!({"QueueName": "a.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
        )
        .await
        .unwrap()["QueueUrl"]
            .clone();
        for (body, g) in [("a", "g1"), ("b", "g2")] {
            call(
                "SendMessage",
                json!({"QueueUrl": fifo, "MessageBody": body, "MessageGroupId": g, "MessageAttributes": {
                    "Hello": {"DataType": "String", "StringValue": "There"},
                    "Help.Me": {"DataType": "String", "StringValue": "Me"},
                    "General": {"DataType": "String", "StringValue": "Kenobi"},
                }}),
            )
            .await
            .unwrap();
        }
        let receive = json!({"QueueUrl": fifo, "ReceiveRequestAttemptId": "attempt-1",
            "MessageAttributeNames": ["Hel.*"]});
        let got = call("ReceiveMessage", receive.clone()).await.unwrap();
        let again = call("ReceiveMessage", receive).await.unwrap();
        assert_eq!(handles(&got).len(), 1);
        assert_eq!(
            handles(&again),
            handles(&got),
            "the retry answers the same receipt"
        );
        let names: Vec<&String> = got["Messages"][0]["MessageAttributes"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["Hello", "Help.Me"]);
        // Another attempt id receives the next group.
        let other = call(
            "ReceiveMessage",
            json!({"QueueUrl": fifo, "ReceiveRequestAttemptId": "attempt-2"}),
        )
        .await
        .unwrap();
        assert_eq!(other["Messages"][0]["Body"], "b");
    }

    #[tokio::test]
    async fn deliver_by_arn_standard_and_fifo() {
        let local = Local::new(&crate::local::Config::default()).unwrap();
        let ctx = Ctx {
            region: "eu-west-1".to_string(),
            account: local.account.clone(),
        };
        let call = |op: &'static str, body: Value| {
            let local = local.clone();
            let ctx = ctx.clone();
            async move { local.sqs.handle(&local, op, body, &ctx).await }
        };
        let url = call("CreateQueue", json!({"QueueName": "plain"}))
            .await
            .unwrap()["QueueUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let arn = ctx.arn("sqs", "plain");
        assert!(local.sqs.has_queue(&arn));
        let attrs: BTreeMap<String, String> = [("source".to_string(), "events".to_string())].into();
        let id = local
            .sqs
            .deliver(&local, &arn, "{\"a\":1}".to_string(), None, None, attrs)
            .unwrap();
        let got = call(
            "ReceiveMessage",
            json!({"QueueUrl": url, "MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"]}),
        )
        .await
        .unwrap();
        let m = &got["Messages"][0];
        assert_eq!(m["MessageId"], id.as_str());
        assert_eq!(m["Body"], "{\"a\":1}");
        assert_eq!(m["MessageAttributes"]["source"]["StringValue"], "events");
        assert_eq!(m["Attributes"]["ApproximateReceiveCount"], "1");

        call(
            "CreateQueue",
            json!({"QueueName": "ordered.fifo", "Attributes": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}),
        )
        .await
        .unwrap();
        let fifo = ctx.arn("sqs", "ordered.fifo");
        let err = local
            .sqs
            .deliver(&local, &fifo, "x".into(), None, None, BTreeMap::new())
            .unwrap_err();
        assert_eq!(err.code, "MissingRequiredParameterException");
        let a = local
            .sqs
            .deliver(
                &local,
                &fifo,
                "x".into(),
                Some("g".into()),
                None,
                BTreeMap::new(),
            )
            .unwrap();
        let b = local
            .sqs
            .deliver(
                &local,
                &fifo,
                "x".into(),
                Some("g".into()),
                None,
                BTreeMap::new(),
            )
            .unwrap();
        assert_eq!(a, b, "content-based deduplication");
        let err = local
            .sqs
            .deliver(
                &local,
                &ctx.arn("sqs", "nope"),
                "x".into(),
                None,
                None,
                BTreeMap::new(),
            )
            .unwrap_err();
        assert_eq!(
            err.query_code.as_deref(),
            Some("AWS.SimpleQueueService.NonExistentQueue")
        );
    }
}
