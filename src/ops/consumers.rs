//! The consumers behind a queue and the functions of a backend, for
//! `eddy consumers`, `eddy functions`, the TUI's consumer panel and
//! `:functions`, and "why it failed" ([`super::why`]).
//!
//! A queue's consumers are its Lambda event source mappings (each with its
//! function: runtime, timeout, log group) and the consumers declared in the
//! config file ([`Declared`], `consumers/declared.rs`). Where AWS's guidance
//! for an SQS → Lambda mapping is broken (a visibility timeout under six
//! times the function's timeout plus the batching window, a
//! `maxReceiveCount` under 5) a [`Warning`] says so.
//!
//! A backend without a Lambda API is a value here ([`LambdaStatus::NoApi`]),
//! never an error: the queue, the declared consumers and everything else
//! are still returned. So is a Lambda call refused for another reason
//! ([`LambdaStatus::Failed`], e.g. a missing `lambda:ListEventSourceMappings`
//! permission). Only credential and set-up problems fail the whole call.

mod declared;

pub use declared::{Declared, DeclaredConsumer, DeclaredError};

use std::collections::BTreeMap;

use serde::Serialize;

use super::Error;
use crate::aws::{self, Clients};
use crate::domain::{
    AsyncConfig, EventSourceMapping, Function, Queue, function_name_of, queue_name,
};

/// AWS's guidance: a queue's visibility timeout at least this many times the
/// function's timeout (plus the batching window).
pub const VISIBILITY_FACTOR: u32 = 6;
/// AWS's guidance: `maxReceiveCount` at least this (so that a throttled or
/// briefly failing function does not dead-letter messages).
pub const MIN_MAX_RECEIVE: u32 = 5;
/// Lambda's default function timeout, when the backend reports none.
pub const DEFAULT_FUNCTION_TIMEOUT_S: u32 = 3;

/// Whether the backend's Lambda API could be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LambdaStatus {
    /// Lambda answered.
    Available,
    /// The backend has no Lambda API (an unknown-operation answer, a 404,
    /// a body that is not Lambda's): `message` says so, to show as is.
    NoApi { message: String },
    /// Lambda answered with an error (access denied, throttled, unreachable):
    /// `message` is that error, with what to do.
    Failed { message: String },
}

impl LambdaStatus {
    /// The status a failed Lambda call leaves; credential and set-up
    /// errors are not a status but the caller's error.
    fn from_error(e: aws::Error) -> Result<LambdaStatus, aws::Error> {
        match e {
            aws::Error::Unsupported { endpoint, .. } => Ok(LambdaStatus::NoApi {
                message: format!("this backend has no Lambda API ({endpoint})"),
            }),
            e @ (aws::Error::Credentials { .. }
            | aws::Error::NoCredentials { .. }
            | aws::Error::Setup(_)) => Err(e),
            e => Ok(LambdaStatus::Failed {
                message: e.to_string(),
            }),
        }
    }

    pub fn is_available(&self) -> bool {
        matches!(self, LambdaStatus::Available)
    }

    /// One line for a panel or a table's note; `None` when available.
    pub fn note(&self) -> Option<&str> {
        match self {
            LambdaStatus::Available => None,
            LambdaStatus::NoApi { message } | LambdaStatus::Failed { message } => Some(message),
        }
    }
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Visibility timeout under 6 × the function timeout (+ batching window).
    VisibilityTimeout,
    /// `maxReceiveCount` under 5.
    MaxReceiveCount,
}

/// A place where AWS's guidance for a queue's consumer is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// One sentence: what is wrong, why it matters, what to set.
    pub message: String,
}

/// An event source mapping on a queue and the function it invokes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingConsumer {
    pub mapping: EventSourceMapping,
    /// `None` when `GetFunction` failed (see `function_error`).
    pub function: Option<Function>,
    pub function_error: Option<String>,
}

/// Everything that consumes a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueConsumers {
    pub queue: Queue,
    pub lambda: LambdaStatus,
    pub mappings: Vec<MappingConsumer>,
    pub declared: Vec<DeclaredConsumer>,
    pub warnings: Vec<Warning>,
}

/// Something that sends events to a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// A queue, through an event source mapping.
    Queue {
        queue: String,
        arn: String,
        mapping_uuid: String,
        state: Option<String>,
    },
    /// An EventBridge rule with a target whose ARN is the function.
    Rule {
        bus: String,
        rule: String,
        target_id: String,
    },
}

impl Trigger {
    /// `queue orders` / `rule payment-processed (bus orders)`.
    pub fn label(&self) -> String {
        match self {
            Trigger::Queue { queue, .. } => format!("queue {queue}"),
            Trigger::Rule { bus, rule, .. } => format!("rule {rule} (bus {bus})"),
        }
    }
}

/// A function with what triggers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionSummary {
    #[serde(flatten)]
    pub function: Function,
    pub triggers: Vec<Trigger>,
}

/// The functions of a backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Functions {
    pub lambda: LambdaStatus,
    pub functions: Vec<FunctionSummary>,
    /// What could not be read (the triggers of rules, say), with why.
    pub notes: Vec<String>,
}

/// One function in full: configuration, asynchronous settings, mappings
/// and triggers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionDetail {
    pub function: Function,
    /// `None`: no event invoke config (Lambda's defaults: 2 retries, 6 h,
    /// no destinations).
    pub async_config: Option<AsyncConfig>,
    pub mappings: Vec<EventSourceMapping>,
    pub triggers: Vec<Trigger>,
    pub notes: Vec<String>,
}

/// The consumers of a queue (name, URL or ARN): its event source mappings
/// with their functions, the consumers `declared` for it, and the warnings.
/// Lambda failing (or missing) is reported in [`QueueConsumers::lambda`];
/// the call fails only when the queue cannot be read or on a credential or
/// set-up problem.
pub async fn consumers(
    c: &Clients,
    queue: &str,
    declared: &Declared,
) -> Result<QueueConsumers, Error> {
    let queue = c.get_queue(queue).await?;
    let declared: Vec<DeclaredConsumer> = declared
        .for_queue(&queue.name)
        .into_iter()
        .cloned()
        .collect();
    let (lambda, mappings) = match c.list_event_source_mappings(Some(&queue.arn), None).await {
        Ok(m) => (LambdaStatus::Available, m),
        Err(e) => (LambdaStatus::from_error(e)?, Vec::new()),
    };
    let mut cache: BTreeMap<String, Result<Function, String>> = BTreeMap::new();
    let mut consumers = Vec::new();
    for mapping in mappings {
        let key = mapping.function_arn.clone();
        if !cache.contains_key(&key) {
            let got = match c.get_function(&key).await {
                Ok(f) => Ok(f),
                Err(e @ (aws::Error::Credentials { .. } | aws::Error::NoCredentials { .. })) => {
                    return Err(e.into());
                }
                Err(e) => Err(e.to_string()),
            };
            cache.insert(key.clone(), got);
        }
        let (function, function_error) = match cache.get(&key) {
            Some(Ok(f)) => (Some(f.clone()), None),
            Some(Err(e)) => (None, Some(e.clone())),
            None => (None, None),
        };
        consumers.push(MappingConsumer {
            mapping,
            function,
            function_error,
        });
    }
    let mut warnings = Vec::new();
    for m in &consumers {
        warnings.extend(mapping_warnings(&queue, &m.mapping, m.function.as_ref()));
    }
    if !consumers.is_empty() || !declared.is_empty() {
        warnings.extend(max_receive_warning(&queue));
    }
    Ok(QueueConsumers {
        queue,
        lambda,
        mappings: consumers,
        declared,
        warnings,
    })
}

/// The warnings of one mapping on `queue`: the visibility timeout against
/// 6 × the function's timeout plus the batching window (AWS's guidance,
/// so that a batch still being processed does not become visible again).
/// Pure.
pub fn mapping_warnings(
    queue: &Queue,
    mapping: &EventSourceMapping,
    function: Option<&Function>,
) -> Vec<Warning> {
    let Some(f) = function else {
        return Vec::new();
    };
    let Some(vt) = queue.visibility_timeout_s else {
        return Vec::new();
    };
    let timeout = f.timeout_s.unwrap_or(DEFAULT_FUNCTION_TIMEOUT_S);
    let window = mapping.batching_window_s.unwrap_or(0);
    let needed = VISIBILITY_FACTOR * timeout + window;
    if vt >= needed {
        return Vec::new();
    }
    let plus_window = if window > 0 {
        format!(" + the {window} s batching window")
    } else {
        String::new()
    };
    vec![Warning {
        kind: WarningKind::VisibilityTimeout,
        message: format!(
            "queue {} has a visibility timeout of {vt} s, under {VISIBILITY_FACTOR} × the {timeout} s timeout of function {}{plus_window} = {needed} s: \
             a batch still being processed can become visible again and be received twice; set VisibilityTimeout to at least {needed}",
            queue.name, f.name
        ),
    }]
}

/// A `maxReceiveCount` under 5 (AWS's guidance for queues with a Lambda
/// consumer: a few throttled or failed batches dead-letter messages that
/// never really failed). Pure.
pub fn max_receive_warning(queue: &Queue) -> Option<Warning> {
    let rp = queue.redrive_policy.as_ref()?;
    (rp.max_receive_count < MIN_MAX_RECEIVE).then(|| Warning {
        kind: WarningKind::MaxReceiveCount,
        message: format!(
            "queue {} moves a message to its DLQ {} after {} receives, under the {MIN_MAX_RECEIVE} AWS recommends: \
             throttled or briefly failing batches dead-letter messages; set maxReceiveCount to {MIN_MAX_RECEIVE} or more",
            queue.name,
            rp.dlq_name(),
            rp.max_receive_count
        ),
    })
}

/// Every function with its triggers: queues (event source mappings) and
/// EventBridge rules whose target is the function. A backend without a
/// Lambda API gives an empty list and [`LambdaStatus::NoApi`]; rules that
/// cannot be read leave a note.
pub async fn functions(c: &Clients) -> Result<Functions, Error> {
    let list = match c.list_functions().await {
        Ok(f) => f,
        Err(e) => {
            return Ok(Functions {
                lambda: LambdaStatus::from_error(e)?,
                functions: Vec::new(),
                notes: Vec::new(),
            });
        }
    };
    let mut notes = Vec::new();
    let mappings = match c.list_event_source_mappings(None, None).await {
        Ok(m) => m,
        Err(e) => {
            notes.push(format!("the event source mappings could not be read: {e}"));
            Vec::new()
        }
    };
    let rules = match lambda_rule_targets(c).await {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("the EventBridge rules could not be read: {e}"));
            Vec::new()
        }
    };
    let functions = list
        .into_iter()
        .map(|f| {
            let triggers = triggers_of(&f, &mappings, &rules);
            FunctionSummary {
                function: f,
                triggers,
            }
        })
        .collect();
    Ok(Functions {
        lambda: LambdaStatus::Available,
        functions,
        notes,
    })
}

/// A function's configuration and asynchronous settings, without its
/// triggers: what a rule's Lambda target shows (two calls).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionSettings {
    pub function: Function,
    /// `None`: no event invoke config (Lambda's defaults apply).
    pub async_config: Option<AsyncConfig>,
    pub notes: Vec<String>,
}

/// A function's (name or ARN, e.g. a rule target's ARN) configuration and
/// asynchronous settings. A backend without a Lambda API is an error here
/// ([`aws::Error::Unsupported`], check with `matches!`), as is a function
/// that is not there ([`Error::is_not_found`]).
pub async fn function_settings(c: &Clients, name: &str) -> Result<FunctionSettings, Error> {
    let function = c.get_function(name).await?;
    let mut notes = Vec::new();
    let async_config = match c.function_async_config(&function.name).await {
        Ok(a) => a,
        Err(e) => {
            notes.push(format!("the asynchronous settings could not be read: {e}"));
            None
        }
    };
    Ok(FunctionSettings {
        function,
        async_config,
        notes,
    })
}

/// One function (name or ARN) in full: [`function_settings`] plus its
/// mappings and triggers (which read every bus's rules and targets). Unlike
/// the listings, a backend without a Lambda API is an error here
/// ([`aws::Error::Unsupported`]), as is a function that is not there.
pub async fn function(c: &Clients, name: &str) -> Result<FunctionDetail, Error> {
    let FunctionSettings {
        function,
        async_config,
        mut notes,
    } = function_settings(c, name).await?;
    let mappings = match c
        .list_event_source_mappings(None, Some(&function.name))
        .await
    {
        Ok(m) => m,
        Err(e) => {
            notes.push(format!("the event source mappings could not be read: {e}"));
            Vec::new()
        }
    };
    let rules = match lambda_rule_targets(c).await {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("the EventBridge rules could not be read: {e}"));
            Vec::new()
        }
    };
    let triggers = triggers_of(&function, &mappings, &rules);
    Ok(FunctionDetail {
        function,
        async_config,
        mappings,
        triggers,
        notes,
    })
}

/// A rule target that is a Lambda function: (bus, rule, target id, target ARN).
type RuleTarget = (String, String, String, String);

/// Every target of every rule on every bus whose ARN is a Lambda function's.
async fn lambda_rule_targets(c: &Clients) -> Result<Vec<RuleTarget>, aws::Error> {
    let mut out = Vec::new();
    for bus in c.list_buses().await? {
        for rule in c.list_rules(Some(&bus.name)).await? {
            for t in c.list_targets(&rule.name, Some(&bus.name)).await? {
                if t.arn.contains(":lambda:") && t.arn.contains(":function:") {
                    out.push((bus.name.clone(), rule.name.clone(), t.id, t.arn));
                }
            }
        }
    }
    Ok(out)
}

/// The triggers of `f` among all mappings and rule targets. Pure.
fn triggers_of(
    f: &Function,
    mappings: &[EventSourceMapping],
    rules: &[RuleTarget],
) -> Vec<Trigger> {
    let is_f = |arn: &str| arn == f.arn || function_name_of(arn) == f.name;
    let mut out: Vec<Trigger> = mappings
        .iter()
        .filter(|m| is_f(&m.function_arn))
        .map(|m| Trigger::Queue {
            queue: queue_name(&m.source_arn).to_string(),
            arn: m.source_arn.clone(),
            mapping_uuid: m.uuid.clone(),
            state: m.state.clone(),
        })
        .collect();
    out.extend(
        rules
            .iter()
            .filter(|(_, _, _, arn)| is_f(arn))
            .map(|(bus, rule, id, _)| Trigger::Rule {
                bus: bus.clone(),
                rule: rule.clone(),
                target_id: id.clone(),
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RedrivePolicy;

    fn queue(vt: u32, max_receive: Option<u32>) -> Queue {
        let mut q = Queue::from_attributes("http://x/1/orders", BTreeMap::new());
        q.visibility_timeout_s = Some(vt);
        q.redrive_policy = max_receive.map(|m| RedrivePolicy {
            dead_letter_target_arn: "arn:aws:sqs:us-east-1:1:orders-dlq".into(),
            max_receive_count: m,
        });
        q
    }

    fn function(timeout: u32) -> Function {
        Function {
            name: "worker".into(),
            arn: "arn:aws:lambda:us-east-1:1:function:worker".into(),
            timeout_s: Some(timeout),
            log_group: "/aws/lambda/worker".into(),
            ..Function::default()
        }
    }

    #[test]
    fn visibility_under_six_times_the_timeout_plus_window_warns() {
        let mut m = EventSourceMapping::default();
        assert!(mapping_warnings(&queue(180, None), &m, Some(&function(30))).is_empty());
        let w = mapping_warnings(&queue(179, None), &m, Some(&function(30)));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].kind, WarningKind::VisibilityTimeout);
        assert!(w[0].message.contains("at least 180"), "{}", w[0].message);
        m.batching_window_s = Some(20);
        let w = mapping_warnings(&queue(180, None), &m, Some(&function(30)));
        assert!(
            w[0].message.contains("20 s batching window = 200 s"),
            "{}",
            w[0].message
        );
        // No function (GetFunction failed): nothing to compare with.
        assert!(mapping_warnings(&queue(1, None), &m, None).is_empty());
    }

    #[test]
    fn max_receive_under_five_warns() {
        assert!(max_receive_warning(&queue(30, Some(5))).is_none());
        assert!(max_receive_warning(&queue(30, None)).is_none());
        let w = max_receive_warning(&queue(30, Some(3))).unwrap();
        assert_eq!(w.kind, WarningKind::MaxReceiveCount);
        assert!(w.message.contains("after 3 receives"), "{}", w.message);
    }

    #[test]
    fn no_lambda_api_is_a_value_and_credentials_stay_errors() {
        let s = LambdaStatus::from_error(aws::Error::Unsupported {
            action: "lambda:ListFunctions".into(),
            endpoint: "http://127.0.0.1:1".into(),
        })
        .unwrap();
        assert_eq!(
            s.note(),
            Some("this backend has no Lambda API (http://127.0.0.1:1)")
        );
        let s = LambdaStatus::from_error(aws::Error::AccessDenied {
            action: "lambda:ListFunctions".into(),
            resource: String::new(),
            message: "no".into(),
        })
        .unwrap();
        assert!(matches!(s, LambdaStatus::Failed { .. }));
        assert!(
            LambdaStatus::from_error(aws::Error::NoCredentials { detail: "x".into() }).is_err()
        );
    }

    #[test]
    fn triggers_are_found_by_arn_or_name() {
        let f = function(3);
        let m = EventSourceMapping {
            uuid: "u".into(),
            source_arn: "arn:aws:sqs:us-east-1:1:orders".into(),
            function_arn: "arn:aws:lambda:us-east-1:1:function:worker".into(),
            ..EventSourceMapping::default()
        };
        let other = EventSourceMapping {
            function_arn: "arn:aws:lambda:us-east-1:1:function:other".into(),
            ..m.clone()
        };
        let rules = vec![(
            "orders".to_string(),
            "paid".to_string(),
            "t1".to_string(),
            "arn:aws:lambda:us-east-1:1:function:worker:live".to_string(),
        )];
        let t = triggers_of(&f, &[m, other], &rules);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].label(), "queue orders");
        assert_eq!(t[1].label(), "rule paid (bus orders)");
    }
}
