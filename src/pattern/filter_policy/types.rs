//! The plain types of the filter-policy API: scope, message, error and
//! explanation (re-exported by `filter_policy`; a leaf, so that the files
//! beside it can use them without a cycle).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// SNS's message for a nested policy in attribute scope. It is not a
/// `FilterPolicy:` message: [`FilterPolicyError::for_api`] knows it.
pub(crate) const NESTED_IN_ATTRIBUTES: &str =
    "Filter policy scope MessageAttributes does not support nested filter policy";

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
        if self.message == NESTED_IN_ATTRIBUTES {
            // SNS's one message that is not about the FilterPolicy value.
            return match api {
                "Subscribe" => format!("Invalid parameter: Attributes Reason: {}", self.message),
                _ => format!("Invalid parameter: {}", self.message),
            };
        }
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

/// Why a message is or is not delivered, key by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyExplanation {
    pub matched: bool,
    pub keys: Vec<KeyVerdict>,
}

/// One key of the policy (dotted path for nested body keys; `$or[i].key`
/// inside an `$or` branch, `detail.$or[1].source` when the `$or` sits under
/// `detail`), or one `$or` itself (`$or`: which branches matched): whether it
/// matched and why, in one line without the key (`"String" "sports" does not
/// match ["news","tech"]`; values are written as JSON). Plain text: escape
/// it to show it (the `Display` of [`PolicyExplanation`] does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyVerdict {
    pub key: String,
    pub matched: bool,
    pub reason: String,
}

impl fmt::Display for PolicyExplanation {
    /// One line per key: `pass  KEY  REASON` or `FAIL  KEY  REASON`, with
    /// control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in &self.keys {
            let mark = if k.matched { "pass" } else { "FAIL" };
            writeln!(
                f,
                "{mark}  {}  {}",
                super::super::explain::printable(&k.key),
                super::super::explain::printable(&k.reason)
            )?;
        }
        Ok(())
    }
}
