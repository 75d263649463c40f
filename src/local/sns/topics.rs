//! Topic operations: CreateTopic (idempotent for the same attributes),
//! DeleteTopic, ListTopics (100 a page), Get/SetTopicAttributes, and the
//! tag calls (topics are SNS's only taggable resource here).

use super::errors::{invalid, resource_not_found};
use super::journal::Change;
use super::state::{State, TopicRecord, check_topic_attribute, topic_parts, valid_name};
use super::{Sns, SnsHost, text};
use crate::local::core::{AwsError, Ctx, OpResult};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Topics (and subscriptions) per page of a list call.
pub const PAGE: usize = 100;

/// Tags a resource may have.
const MAX_TAGS: usize = 50;

/// A `Key`/`Value` tag list as a map.
fn tags_of(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some((
                        text(t, "Key")?.to_string(),
                        text(t, "Value").unwrap_or("").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn tag_list(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// A page of `items` (sorted) after the `NextToken` of the request.
pub fn page<'a, T>(
    items: impl Iterator<Item = (&'a String, T)>,
    input: &Value,
) -> (Vec<T>, Option<String>) {
    let after = text(input, "NextToken").map(str::to_string);
    let mut out = Vec::new();
    let mut last: Option<&String> = None;
    let mut more = false;
    for (key, item) in items {
        if after.as_ref().is_some_and(|a| key <= a) {
            continue;
        }
        if out.len() == PAGE {
            more = true;
            break;
        }
        last = Some(key);
        out.push(item);
    }
    (out, more.then(|| last.cloned()).flatten())
}

impl Sns {
    pub(super) fn create_topic<H: SnsHost>(&self, local: &H, input: &Value, ctx: &Ctx) -> OpResult {
        let name = text(input, "Name").unwrap_or("");
        let mut attributes: BTreeMap<String, String> = input
            .get("Attributes")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(p) = text(input, "DataProtectionPolicy") {
            attributes.insert("DataProtectionPolicy".to_string(), p.to_string());
        }
        let fifo = attributes
            .get("FifoTopic")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if fifo && !valid_name(name, true) {
            return Err(invalid(
                "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
            ));
        }
        if !valid_name(name, fifo) {
            return Err(invalid("Invalid parameter: Topic Name"));
        }
        for (k, v) in &attributes {
            check_topic_attribute(k, v, fifo).map_err(|e| {
                invalid(e.message.replacen(
                    "Invalid parameter: ",
                    "Invalid parameter: Attributes Reason: ",
                    1,
                ))
            })?;
        }
        // `FifoTopic=false` is what a standard topic is: not kept.
        if !fifo {
            attributes.remove("FifoTopic");
        }
        let tags = tags_of(input.get("Tags"));
        if tags.len() > MAX_TAGS {
            return Err(tag_limit());
        }
        let arn = ctx.arn("sns", name);
        let mut st = self.lock();
        if let Some(t) = st.topics.get(&arn) {
            let mut same = t.rec.attributes.clone();
            same.remove("FifoTopic");
            let mut asked = attributes.clone();
            asked.remove("FifoTopic");
            if asked.iter().any(|(k, v)| same.get(k) != Some(v)) {
                return Err(invalid(
                    "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
                ));
            }
            if !tags.is_empty() && tags != t.rec.tags {
                return Err(invalid(
                    "Invalid parameter: Tags Reason: Topic already exists with different tags",
                ));
            }
            return Ok(json!({ "TopicArn": arn }));
        }
        let rec = TopicRecord {
            arn: arn.clone(),
            fifo,
            attributes,
            tags,
            subscriptions_deleted: 0,
        };
        Self::journal(local, &Change::TopicPut(rec.clone()))?;
        st.put_topic(rec);
        Ok(json!({ "TopicArn": arn }))
    }

    pub(super) fn delete_topic<H: SnsHost>(&self, local: &H, input: &Value) -> OpResult {
        let arn = text(input, "TopicArn").unwrap_or("");
        let mut st = self.lock();
        // Deleting a topic that does not exist succeeds (as on AWS).
        if st.topics.contains_key(arn) {
            Self::journal(
                local,
                &Change::TopicDeleted {
                    arn: arn.to_string(),
                },
            )?;
            st.delete_topic(arn);
        }
        Ok(json!({}))
    }

    pub(super) fn list_topics(&self, input: &Value, ctx: &Ctx) -> OpResult {
        let st = self.lock();
        let mine = st.topics.keys().filter(|arn| {
            topic_parts(arn).is_some_and(|(r, a, _)| r == ctx.region && a == ctx.account)
        });
        let (topics, next) = page(mine.map(|a| (a, json!({ "TopicArn": a }))), input);
        let mut out = json!({ "Topics": topics });
        if let Some(n) = next {
            out["NextToken"] = json!(n);
        }
        Ok(out)
    }

    pub(super) fn get_topic_attributes(&self, input: &Value) -> OpResult {
        let arn = text(input, "TopicArn").unwrap_or("");
        let st = self.lock();
        let t = st.topic(arn)?;
        Ok(json!({ "Attributes": t.attributes(&st.subs) }))
    }

    pub(super) fn set_topic_attributes<H: SnsHost>(&self, local: &H, input: &Value) -> OpResult {
        let arn = text(input, "TopicArn").unwrap_or("");
        let name = text(input, "AttributeName").unwrap_or("");
        let value = text(input, "AttributeValue").unwrap_or("");
        let mut st = self.lock();
        let t = st.topic(arn)?;
        if name == "FifoTopic" {
            return Err(invalid("Invalid parameter: AttributeName"));
        }
        check_topic_attribute(name, value, t.rec.fifo)?;
        let mut rec = t.rec.clone();
        rec.attributes.insert(name.to_string(), value.to_string());
        Self::journal(local, &Change::TopicPut(rec.clone()))?;
        st.put_topic(rec);
        Ok(json!({}))
    }

    /// The topic a tag call names (only topics are taggable here).
    fn tagged<'a>(st: &'a State, input: &Value) -> Result<&'a TopicRecord, AwsError> {
        let arn = text(input, "ResourceArn").unwrap_or("");
        st.topics
            .get(arn)
            .map(|t| &t.rec)
            .ok_or_else(resource_not_found)
    }

    pub(super) fn tag_resource<H: SnsHost>(&self, local: &H, input: &Value) -> OpResult {
        let mut st = self.lock();
        let mut rec = Self::tagged(&st, input)?.clone();
        rec.tags.extend(tags_of(input.get("Tags")));
        if rec.tags.len() > MAX_TAGS {
            return Err(tag_limit());
        }
        Self::journal(local, &Change::TopicPut(rec.clone()))?;
        st.put_topic(rec);
        Ok(json!({}))
    }

    pub(super) fn untag_resource<H: SnsHost>(&self, local: &H, input: &Value) -> OpResult {
        let mut st = self.lock();
        let mut rec = Self::tagged(&st, input)?.clone();
        for k in input
            .get("TagKeys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            rec.tags.remove(k);
        }
        Self::journal(local, &Change::TopicPut(rec.clone()))?;
        st.put_topic(rec);
        Ok(json!({}))
    }

    pub(super) fn list_tags(&self, input: &Value) -> OpResult {
        let st = self.lock();
        let rec = Self::tagged(&st, input)?;
        Ok(json!({ "Tags": tag_list(&rec.tags) }))
    }
}

fn tag_limit() -> AwsError {
    AwsError::new(
        400,
        "TagLimitExceeded",
        "Could not complete request: tag quota of per resource exceeded",
    )
}
