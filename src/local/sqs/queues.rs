//! Queue operations: create, look up, list, delete, attributes, tags,
//! permissions and the dead-letter source list.

use super::attrs::{ATTRIBUTE_NAMES, Attrs, Redrive, parse_bool};
use super::errors::{invalid, missing, no_queue, queue_exists, unknown_attribute};
use super::journal::{ChangeKind, journal_with};
use super::names::QueueRef;
use super::wire::{
    AttributesOut, DeadLetterSourcesOut, Empty, ListQueuesOut, QueueUrlOut, TagsOut, reply,
};
use super::wire::{
    CreateQueueRequest, GetQueueAttributesRequest, GetQueueUrlRequest, ListQueuesRequest,
    PermissionRequest, QueueRequest, SetQueueAttributesRequest, TagQueueRequest, UntagQueueRequest,
    check_tags, from_token, need, page_token, valid_queue_name,
};
use super::{Queue, Sqs};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

impl Sqs {
    // ------------------------------------------------------------ queues

    /// Validates a `RedrivePolicy` against the queues: the DLQ exists, is of
    /// the same type, and its `RedriveAllowPolicy` lets this queue use it.
    pub(super) fn check_redrive(
        &self,
        source_arn: &str,
        fifo: bool,
        v: &str,
    ) -> Result<(), AwsError> {
        let Some(r) = Redrive::parse(v)? else {
            return Ok(());
        };
        let bad = |why: &str| {
            invalid(format!(
                "Value {v} for parameter RedrivePolicy is invalid. Reason: {why}"
            ))
        };
        let dlq = self
            .by_arn(&r.target_arn)
            .ok_or_else(|| bad("Dead letter target does not exist."))?;
        if dlq.fifo != fifo {
            return Err(bad(
                "Dead-letter queue must be same type of queue as the source.",
            ));
        }
        let allow = dlq.lock().attrs.redrive_allow.clone();
        if let Some(a) = allow
            && !a.allows(source_arn)
        {
            return Err(bad(
                "Queue is not allowed by the dead-letter queue's RedriveAllowPolicy.",
            ));
        }
        Ok(())
    }

    pub(super) fn create_queue(&self, local: &Core, r: &CreateQueueRequest, ctx: &Ctx) -> OpResult {
        let name = need(&r.queue_name, "QueueName")?;
        let given = r.attributes.pairs();
        let fifo_attr = given
            .iter()
            .find(|(k, _)| k == "FifoQueue")
            .map(|(_, v)| parse_bool("FifoQueue", v))
            .transpose()?;
        let fifo = fifo_attr.unwrap_or(false);
        if !valid_queue_name(name) || name.ends_with(".fifo") != fifo {
            let why = if name.ends_with(".fifo") != fifo {
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, \
                 must end with .fifo suffix and be 1 to 80 in length."
            } else {
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length."
            };
            return Err(invalid(format!(
                "Value {name} for parameter QueueName is invalid. Reason: {why}"
            )));
        }
        let at = QueueRef::new(&ctx.account, &ctx.region, name);
        let arn = at.arn();
        let mut attrs = Attrs::default();
        for (k, v) in &given {
            attrs.set(k, v, fifo)?;
        }
        if let Some((_, v)) = given.iter().find(|(k, _)| k == "RedrivePolicy") {
            self.check_redrive(&arn, fifo, v)?;
        }
        let tags: BTreeMap<String, String> = r.tags.pairs().into_iter().collect();
        check_tags(&tags, 0)?;
        let mut queues = self.write_queues();
        let now = now_ms();
        if let Some(q) = queues.get(&arn) {
            let existing = q.lock().attrs.settable(q.fifo);
            let wanted = attrs.settable(fifo);
            if let Some((k, _)) = given
                .iter()
                .find(|(k, _)| existing.get(k.as_str()) != wanted.get(k.as_str()))
            {
                return Err(queue_exists(k));
            }
            return reply(QueueUrlOut {
                queue_url: Self::url(local, q),
            });
        }
        self.recently_deleted.check(&arn, now)?;
        let created_s = now / 1000;
        let q = self.new_queue(&at, fifo, created_s);
        journal_with(local, &q, || ChangeKind::QueueCreated {
            name: name.to_string(),
            arn: arn.clone(),
            fifo,
            attributes: attrs.settable(fifo),
            tags: tags.clone(),
            created_s,
        })?;
        {
            let mut st = q.lock();
            st.attrs = attrs;
            st.tags = tags;
            st.created();
        }
        let queue_url = Self::url(local, &q);
        queues.insert(arn, q);
        reply(QueueUrlOut { queue_url })
    }

    pub(super) fn get_queue_url(
        &self,
        local: &Core,
        r: &GetQueueUrlRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = need(&r.queue_name, "QueueName")?;
        let account = r.queue_owner_account_id.get().unwrap_or(&ctx.account);
        let q = self
            .by_arn(&QueueRef::new(account, &ctx.region, name).arn())
            .ok_or_else(no_queue)?;
        reply(QueueUrlOut {
            queue_url: Self::url(local, &q),
        })
    }

    pub(super) fn list_queues(&self, local: &Core, r: &ListQueuesRequest, ctx: &Ctx) -> OpResult {
        let prefix = r.queue_name_prefix.get().unwrap_or("");
        let max = r.max_results.within(
            "MaxResults",
            1,
            1000,
            "MaxResults must be an integer between 1 and 1000.",
        )?;
        // The token is the last URL of the page before (as AWS's), base64.
        let after = r
            .next_token
            .get()
            .map(from_token)
            .transpose()?
            .map(|t| QueueRef::from_url(&t, &ctx.region, &ctx.account).name);
        let mut found: Vec<Arc<Queue>> = self
            .read_queues()
            .values()
            .filter(|q| q.region == ctx.region && q.account == ctx.account)
            .filter(|q| q.name.starts_with(prefix))
            .filter(|q| after.as_ref().is_none_or(|a| q.name.as_str() > a.as_str()))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        let limit = max.unwrap_or(1000) as usize;
        let more = max.is_some() && found.len() > limit;
        found.truncate(limit);
        reply(ListQueuesOut {
            queue_urls: found.iter().map(|q| Self::url(local, q)).collect(),
            next_token: found
                .last()
                .filter(|_| more)
                .map(|q| page_token(&Self::url(local, q))),
        })
    }

    pub(super) fn delete_queue(&self, local: &Core, r: &QueueRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        {
            let mut queues = self.write_queues();
            let _st = q.live()?;
            journal_with(local, &q, || ChangeKind::QueueDeleted {
                name: q.name.clone(),
            })?;
            q.deleted.store(true, Ordering::Release);
            queues.remove(&q.arn);
            self.recently_deleted.deleted(&q.arn, now_ms());
        }
        q.wake();
        for t in self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            if t.source == q.arn {
                t.cancel.store(true, Ordering::Release);
            }
        }
        reply(Empty {})
    }

    pub(super) fn get_queue_attributes(
        &self,
        r: &GetQueueAttributesRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let names = r.attribute_names.strs();
        for n in &names {
            if !ATTRIBUTE_NAMES.contains(n) {
                return Err(unknown_attribute(n));
            }
        }
        if names.is_empty() {
            return reply(Empty {});
        }
        let all = {
            let mut st = q.live()?;
            st.tick(now_ms());
            st.render(&q.arn)
        };
        let every = names.contains(&"All");
        let attributes = all
            .into_iter()
            .filter(|(k, _)| every || names.contains(&k.as_str()))
            .collect();
        reply(AttributesOut { attributes })
    }

    pub(super) fn set_queue_attributes(
        &self,
        local: &Core,
        r: &SetQueueAttributesRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let given = r.attributes.pairs();
        if given.is_empty() {
            return Err(missing("Attribute.Name"));
        }
        if let Some((_, v)) = given.iter().find(|(k, _)| k == "RedrivePolicy") {
            self.check_redrive(&q.arn, q.fifo, v)?;
        }
        let mut st = q.live()?;
        let mut attrs = st.attrs.clone();
        for (k, v) in &given {
            attrs.set(k, v, q.fifo)?;
        }
        let modified_s = now_ms() / 1000;
        journal_with(local, &q, || ChangeKind::AttributesSet {
            name: q.name.clone(),
            attributes: given.iter().cloned().collect(),
            modified_s,
        })?;
        st.attrs = attrs;
        st.modified_s = modified_s;
        // A shorter retention or visibility may free messages now.
        st.tick(now_ms());
        drop(st);
        q.wake();
        reply(Empty {})
    }

    pub(super) fn tag_queue(&self, local: &Core, r: &TagQueueRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let tags: BTreeMap<String, String> = r.tags.pairs().into_iter().collect();
        if tags.is_empty() {
            return Err(missing("Tags"));
        }
        let mut st = q.live()?;
        let kept = st.tags.keys().filter(|k| !tags.contains_key(*k)).count();
        check_tags(&tags, kept)?;
        journal_with(local, &q, || ChangeKind::Tagged {
            name: q.name.clone(),
            tags: tags.clone(),
        })?;
        st.tags.extend(tags);
        reply(Empty {})
    }

    pub(super) fn untag_queue(&self, local: &Core, r: &UntagQueueRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let keys: Vec<String> = r.tag_keys.strs().into_iter().map(str::to_string).collect();
        if keys.is_empty() {
            return Err(missing("TagKeys"));
        }
        let mut st = q.live()?;
        journal_with(local, &q, || ChangeKind::Untagged {
            name: q.name.clone(),
            keys: keys.clone(),
        })?;
        for k in &keys {
            st.tags.remove(k);
        }
        reply(Empty {})
    }

    pub(super) fn list_queue_tags(&self, r: &QueueRequest, ctx: &Ctx) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let st = q.live()?;
        reply(TagsOut { tags: &st.tags })
    }

    pub(super) fn add_permission(
        &self,
        local: &Core,
        r: &PermissionRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let label = need(&r.label, "Label")?;
        let accounts = r.account_ids.strs();
        let actions = r.actions.strs();
        if accounts.is_empty() {
            return Err(missing("AWSAccountIds"));
        }
        if actions.is_empty() {
            return Err(missing("Actions"));
        }
        let mut st = q.live()?;
        let mut policy: Value = st
            .attrs
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_else(|| json!({"Version": "2008-10-17", "Id": format!("{}/SQSDefaultPolicy", q.arn), "Statement": []}));
        let statements = policy
            .get_mut("Statement")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| invalid("The queue's policy has no Statement list."))?;
        if statements
            .iter()
            .any(|s| s.get("Sid").and_then(Value::as_str) == Some(label))
        {
            return Err(invalid(format!(
                "Value {label} for parameter Label is invalid. Reason: Already exists."
            )));
        }
        let principals = one_or_list(accounts.iter().map(|a| format!("arn:aws:iam::{a}:root")));
        let actions = one_or_list(actions.iter().map(|a| format!("SQS:{a}")));
        statements.push(json!({
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            "Action": actions,
            "Resource": q.arn,
        }));
        let text = policy.to_string();
        let modified_s = now_ms() / 1000;
        journal_with(local, &q, || ChangeKind::AttributesSet {
            name: q.name.clone(),
            attributes: [("Policy".to_string(), text.clone())].into_iter().collect(),
            modified_s,
        })?;
        st.attrs.policy = Some(text);
        st.modified_s = modified_s;
        reply(Empty {})
    }

    pub(super) fn remove_permission(
        &self,
        local: &Core,
        r: &PermissionRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let q = self.queue_of(&r.queue_url, ctx)?;
        let label = need(&r.label, "Label")?;
        let mut st = q.live()?;
        let mut policy: Value = st
            .attrs
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_else(|| json!({}));
        let Some(statements) = policy.get_mut("Statement").and_then(Value::as_array_mut) else {
            return Err(invalid(format!(
                "Value {label} for parameter Label is invalid. Reason: can't find label."
            )));
        };
        let before = statements.len();
        statements.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(label));
        if statements.len() == before {
            return Err(invalid(format!(
                "Value {label} for parameter Label is invalid. Reason: can't find label."
            )));
        }
        let text = if statements.is_empty() {
            String::new()
        } else {
            policy.to_string()
        };
        let modified_s = now_ms() / 1000;
        journal_with(local, &q, || ChangeKind::AttributesSet {
            name: q.name.clone(),
            attributes: [("Policy".to_string(), text.clone())].into_iter().collect(),
            modified_s,
        })?;
        st.attrs.policy = Some(text).filter(|t| !t.is_empty());
        st.modified_s = modified_s;
        reply(Empty {})
    }

    pub(super) fn list_dead_letter_source_queues(
        &self,
        local: &Core,
        r: &ListQueuesRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let dlq = self.queue_of(&r.queue_url, ctx)?;
        let max = r.max_results.within(
            "MaxResults",
            1,
            1000,
            "MaxResults must be an integer between 1 and 1000.",
        )?;
        // The token is the last URL of the page before (as AWS's), base64.
        let after = r
            .next_token
            .get()
            .map(from_token)
            .transpose()?
            .map(|t| QueueRef::from_url(&t, &ctx.region, &ctx.account).name);
        let all: Vec<Arc<Queue>> = self.read_queues().values().cloned().collect();
        let mut found: Vec<&Arc<Queue>> = all
            .iter()
            .filter(|q| q.id != dlq.id)
            .filter(|q| after.as_ref().is_none_or(|a| q.name.as_str() > a.as_str()))
            .filter(|q| {
                q.lock()
                    .attrs
                    .redrive
                    .as_ref()
                    .is_some_and(|r| dlq.is(&r.target_arn))
            })
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        let limit = max.unwrap_or(1000) as usize;
        let more = max.is_some() && found.len() > limit;
        found.truncate(limit);
        reply(DeadLetterSourcesOut {
            queue_urls: found.iter().map(|q| Self::url(local, q)).collect(),
            next_token: found
                .last()
                .filter(|_| more)
                .map(|q| page_token(&Self::url(local, q))),
        })
    }
}

/// A policy member as AWS writes it: a string when there is one value, a list otherwise.
fn one_or_list(values: impl Iterator<Item = String>) -> Value {
    let mut v: Vec<Value> = values.map(Value::String).collect();
    if v.len() == 1 {
        v.swap_remove(0)
    } else {
        Value::Array(v)
    }
}
