//! SNS subscription filter policies: parse + validate, match, explain.
//!
//! Pure, like the rest of `pattern`. A policy is evaluated in one of two
//! scopes ([`Scope`]): `MessageAttributes` (values come from the message's
//! typed attributes; `String.Array` elements are matched one by one,
//! `Binary` attributes are ignored) or `MessageBody` (nested keys of a
//! JSON-object body). Normative detail: `../shared/reference/sns.md` §1 and
//! the corpus in `tests/fixtures/sns/filter-policies.jsonl`.
//!
//! API skeleton written by the lead for issue 15 so that the backend, the
//! client layer and the TUI can code against it; the filter-policy helper
//! fills it in (and states here where SNS differs from EventBridge).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Where a subscription's filter policy looks: `FilterPolicyScope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Scope {
    #[default]
    MessageAttributes,
    MessageBody,
}

impl Scope {
    /// The name SNS uses (`MessageAttributes`, `MessageBody`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::MessageAttributes => "MessageAttributes",
            Scope::MessageBody => "MessageBody",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;

    /// Accepts SNS's two names exactly; any other value gives SNS's message.
    fn from_str(s: &str) -> Result<Scope, String> {
        match s {
            "MessageAttributes" => Ok(Scope::MessageAttributes),
            "MessageBody" => Ok(Scope::MessageBody),
            other => Err(format!(
                "Invalid value [{other}]. Please use either MessageBody or MessageAttributes"
            )),
        }
    }
}

/// One SNS message attribute as the corpus and the SNS envelope write it:
/// `{"Type": "String" | "Number" | "String.Array" | "Binary", "Value": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    #[serde(rename = "Type")]
    pub data_type: String,
    #[serde(rename = "Value")]
    pub value: String,
}

/// What a filter policy is evaluated against: the published body and its
/// attributes (the corpus' `message` shape).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Message {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, Attribute>,
}

/// Why SNS rejects a policy: the first line of AWS's message, without the
/// call-specific prefix (`Invalid parameter: FilterPolicy: ` for
/// SetSubscriptionAttributes, `Invalid parameter: Attributes Reason:
/// FilterPolicy: ` for Subscribe), which [`FilterPolicyError::for_api`] adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterPolicyError {
    pub message: String,
}

impl FilterPolicyError {
    /// The whole message as the named API call answers it
    /// (`Subscribe` or `SetSubscriptionAttributes`).
    pub fn for_api(&self, api: &str) -> String {
        match api {
            "Subscribe" => format!(
                "Invalid parameter: Attributes Reason: FilterPolicy: {}",
                self.message
            ),
            _ => format!("Invalid parameter: FilterPolicy: {}", self.message),
        }
    }
}

impl fmt::Display for FilterPolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterPolicyError {}

/// One validated filter policy in its scope.
#[derive(Debug, Clone)]
pub struct FilterPolicy {
    text: String,
    scope: Scope,
}

/// Why a message is or is not delivered, key by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyExplanation {
    pub matched: bool,
    pub keys: Vec<KeyVerdict>,
}

/// One key of the policy (dotted path for nested body keys; `$or[i].key`
/// inside an `$or` branch): whether it matched and why, in one line
/// (`topic: "sports" is not one of ["news", "tech"]`). Plain text: escape
/// it to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyVerdict {
    pub key: String,
    pub matched: bool,
    pub reason: String,
}

impl FilterPolicy {
    /// Parses and validates `text` as SNS does for `scope`.
    pub fn parse(text: &str, scope: Scope) -> Result<FilterPolicy, FilterPolicyError> {
        let _ = (text, scope);
        Err(FilterPolicyError {
            message: "filter policies are not implemented yet".to_string(),
        })
    }

    /// The policy text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether SNS delivers `message` to a subscription with this policy.
    pub fn matches(&self, message: &Message) -> bool {
        self.explain(message).matched
    }

    /// The verdict with its reasons, key by key.
    pub fn explain(&self, message: &Message) -> PolicyExplanation {
        let _ = message;
        PolicyExplanation {
            matched: false,
            keys: Vec::new(),
        }
    }
}
