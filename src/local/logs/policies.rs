//! Region-wide Logs resources that only hold settings: resource policies
//! (Put/Describe/DeleteResourcePolicy, at most 10 per region; replacing one
//! at the limit works) and cross-account destinations
//! (Put/Describe/DeleteDestination, PutDestinationPolicy). Their request
//! types, checks, operations and answers. eddy enforces no policy: they are
//! stored, journaled and described as AWS does.

use super::Logs;
use super::group_filters::{check_len, limit_exceeded, page_after};
use super::journal::{Change, Item, Kind};
use super::limits::MAX_RESOURCE_POLICIES;
use super::state::{Destination, ResourcePolicy};
use super::wire::{Empty, get, get_bool, get_limit, get_str, invalid, need_str, reply};
use crate::local::core::{AwsError, Core, Ctx, OpResult};
use crate::local::members::Typed;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest page of DescribeResourcePolicies / DescribeDestinations.
const MAX_PAGE: usize = 50;
/// The longest policy document.
const MAX_POLICY_LEN: usize = 5120;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutResourcePolicyRequest {
    policy_name: Typed<String>,
    policy_document: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DeleteResourcePolicyRequest {
    policy_name: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct ListRequest {
    limit: Typed<i64>,
    next_token: Typed<String>,
    /// DescribeDestinations spells it with a capital D.
    #[serde(rename = "DestinationNamePrefix")]
    destination_name_prefix: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutDestinationRequest {
    destination_name: Typed<String>,
    target_arn: Typed<String>,
    role_arn: Typed<String>,
    tags: Typed<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct DestinationPolicyRequest {
    destination_name: Typed<String>,
    access_policy: Typed<String>,
    force_update: Typed<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyOut<'a> {
    policy_name: &'a str,
    policy_document: &'a str,
    last_updated_time: i64,
    policy_scope: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PutPolicyOut<'a> {
    resource_policy: PolicyOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PoliciesOut<'a> {
    resource_policies: Vec<PolicyOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationOut<'a> {
    destination_name: &'a str,
    target_arn: &'a str,
    role_arn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_policy: Option<&'a str>,
    arn: String,
    creation_time: i64,
}

#[derive(Serialize)]
struct PutDestinationOut<'a> {
    destination: DestinationOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationsOut<'a> {
    destinations: Vec<DestinationOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

fn policy_out<'a>(name: &'a str, p: &'a ResourcePolicy) -> PolicyOut<'a> {
    PolicyOut {
        policy_name: name,
        policy_document: &p.document,
        last_updated_time: p.updated_ms,
        policy_scope: "ACCOUNT",
    }
}

fn destination_out<'a>(
    account: &str,
    region: &str,
    name: &'a str,
    d: &'a Destination,
) -> DestinationOut<'a> {
    DestinationOut {
        destination_name: name,
        target_arn: &d.target_arn,
        role_arn: &d.role_arn,
        access_policy: d.access_policy.as_deref(),
        arn: format!("arn:aws:logs:{region}:{account}:destination:{name}"),
        creation_time: d.created_ms,
    }
}

fn destination_not_found() -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        "The specified destination does not exist.",
    )
}

impl Logs {
    /// PutResourcePolicy: creates or replaces; a new one beyond the
    /// region's limit is refused, a replacement never is.
    pub(super) fn put_resource_policy(
        &self,
        local: &Core,
        b: PutResourcePolicyRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = get_str(&b.policy_name, "policyName")?.unwrap_or("");
        let document = need_str(&b.policy_document, "policyDocument")?;
        check_len(document, "policyDocument", MAX_POLICY_LEN)?;
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        let updated_ms = match st.policies.get(&key) {
            // A replacement's time always moves on, even within a millisecond.
            Some(p) => now.max(p.updated_ms + 1),
            None => {
                let in_region = st.policies.keys().filter(|(r, _)| r == &ctx.region).count();
                if in_region >= MAX_RESOURCE_POLICIES {
                    return Err(limit_exceeded());
                }
                now
            }
        };
        let policy = ResourcePolicy {
            document: document.to_string(),
            updated_ms,
        };
        self.commit(
            &mut st,
            local,
            Change::Put {
                region: key.0,
                name: key.1,
                item: Item::Policy(policy.clone()),
            },
        )?;
        reply(PutPolicyOut {
            resource_policy: policy_out(name, &policy),
        })
    }

    pub(super) fn delete_resource_policy(
        &self,
        local: &Core,
        b: DeleteResourcePolicyRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = get_str(&b.policy_name, "policyName")?.unwrap_or("");
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        if !st.policies.contains_key(&key) {
            return Err(AwsError::new(
                400,
                "ResourceNotFoundException",
                format!("Policy with name [{name}] does not exist."),
            ));
        }
        self.commit(
            &mut st,
            local,
            Change::Delete {
                region: key.0,
                name: key.1,
                kind: Kind::Policy,
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn describe_resource_policies(&self, b: ListRequest, ctx: &Ctx) -> OpResult {
        let limit = get_limit(&b.limit, MAX_PAGE, MAX_PAGE)?;
        let after = get_str(&b.next_token, "nextToken")?;
        let st = self.lock(&ctx.account);
        let all: Vec<PolicyOut> = st
            .policies
            .iter()
            .filter(|((r, _), _)| r == &ctx.region)
            .map(|((_, n), p)| policy_out(n, p))
            .collect();
        let (page, next_token) = page_after(all, after, limit, |p| p.policy_name.to_string());
        reply(PoliciesOut {
            resource_policies: page,
            next_token,
        })
    }

    /// PutDestination: creates or replaces the target and role (the
    /// creation time and access policy stay).
    pub(super) fn put_destination(
        &self,
        local: &Core,
        b: PutDestinationRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need_str(&b.destination_name, "destinationName")?;
        check_len(name, "destinationName", 512)?;
        if name.contains(':') || name.contains('*') {
            return Err(invalid(format!(
                "1 validation error detected: Value '{name}' at 'destinationName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
            )));
        }
        let target = need_str(&b.target_arn, "targetArn")?;
        let role = need_str(&b.role_arn, "roleArn")?;
        let tags = get(&b.tags, "tags")?.cloned().unwrap_or_default();
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        let old = st.destinations.get(&key);
        let destination = Destination {
            target_arn: target.to_string(),
            role_arn: role.to_string(),
            access_policy: old.and_then(|d| d.access_policy.clone()),
            created_ms: old.map_or(now, |d| d.created_ms),
            tags: old.map_or(tags, |d| d.tags.clone()),
        };
        self.commit(
            &mut st,
            local,
            Change::Put {
                region: key.0.clone(),
                name: key.1.clone(),
                item: Item::Destination(destination.clone()),
            },
        )?;
        reply(PutDestinationOut {
            destination: destination_out(&ctx.account, &key.0, name, &destination),
        })
    }

    pub(super) fn put_destination_policy(
        &self,
        local: &Core,
        b: DestinationPolicyRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = need_str(&b.destination_name, "destinationName")?;
        let policy = need_str(&b.access_policy, "accessPolicy")?;
        get_bool(&b.force_update, "forceUpdate")?;
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        let mut destination = st
            .destinations
            .get(&key)
            .cloned()
            .ok_or_else(destination_not_found)?;
        destination.access_policy = Some(policy.to_string());
        self.commit(
            &mut st,
            local,
            Change::Put {
                region: key.0,
                name: key.1,
                item: Item::Destination(destination),
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn delete_destination(
        &self,
        local: &Core,
        b: DestinationPolicyRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = need_str(&b.destination_name, "destinationName")?;
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        if !st.destinations.contains_key(&key) {
            return Err(destination_not_found());
        }
        self.commit(
            &mut st,
            local,
            Change::Delete {
                region: key.0,
                name: key.1,
                kind: Kind::Destination,
            },
        )?;
        reply(Empty {})
    }

    pub(super) fn describe_destinations(&self, b: ListRequest, ctx: &Ctx) -> OpResult {
        let prefix = get_str(&b.destination_name_prefix, "DestinationNamePrefix")?;
        let limit = get_limit(&b.limit, MAX_PAGE, MAX_PAGE)?;
        let after = get_str(&b.next_token, "nextToken")?;
        let st = self.lock(&ctx.account);
        let all: Vec<DestinationOut> = st
            .destinations
            .iter()
            .filter(|((r, n), _)| r == &ctx.region && prefix.is_none_or(|p| n.starts_with(p)))
            .map(|((r, n), d)| destination_out(&ctx.account, r, n, d))
            .collect();
        let (page, next_token) = page_after(all, after, limit, |d| d.destination_name.to_string());
        reply(DestinationsOut {
            destinations: page,
            next_token,
        })
    }
}
