//! A bus's resource policy: PutPermission (one statement by id, or a whole
//! policy document) and RemovePermission, shown by DescribeEventBus as
//! `Policy`. eddy stores the policy and answers as AWS does; it does not
//! enforce it (every caller is the one account eddy serves).

use super::Events;
use super::arns::bus_arn;
use super::journal::{ChangeKind, change_in};
use super::state::region_of;
use super::state::write;
use super::wire::{Empty, PutPermissionRequest, RemovePermissionRequest, bus_not_found, reply};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use serde_json::{Value, json};

/// The statement PutPermission adds: `principal` is `*` or an account id.
pub(super) fn statement(
    sid: &str,
    action: &str,
    principal: &str,
    resource: &str,
    condition: Option<&Value>,
) -> Value {
    let principal = if principal == "*" {
        json!("*")
    } else {
        json!({"AWS": format!("arn:aws:iam::{principal}:root")})
    };
    let mut s = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": resource,
    });
    if let (Some(c), Some(o)) = (condition, s.as_object_mut()) {
        o.insert("Condition".to_string(), c.clone());
    }
    s
}

/// `policy` with `statement` added, replacing one with the same `Sid`.
pub(super) fn with_statement(policy: Option<&Value>, statement: Value) -> Value {
    let mut statements: Vec<Value> = policy
        .and_then(|p| p.get("Statement"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let sid = statement.get("Sid").cloned();
    match statements.iter().position(|s| s.get("Sid") == sid.as_ref()) {
        Some(i) => statements[i] = statement,
        None => statements.push(statement),
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `policy` without the statement `sid` (None once no statement is left),
/// or None when it has no such statement.
pub(super) fn without_statement(policy: Option<&Value>, sid: &str) -> Option<Option<Value>> {
    let policy = policy?;
    let statements = policy.get("Statement").and_then(Value::as_array)?;
    let kept: Vec<Value> = statements
        .iter()
        .filter(|s| s.get("Sid").and_then(Value::as_str) != Some(sid))
        .cloned()
        .collect();
    if kept.len() == statements.len() {
        return None;
    }
    let mut p = policy.clone();
    if let Some(o) = p.as_object_mut() {
        o.insert("Statement".to_string(), Value::Array(kept.clone()));
    }
    Some((!kept.is_empty()).then_some(p))
}

fn invalid(member: &str, why: &str) -> AwsError {
    AwsError::validation(format!("Parameter {member} is not valid. Reason: {why}"))
}

impl Events {
    pub(super) fn put_permission(
        &self,
        local: &Core,
        b: PutPermissionRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let policy = match b.policy.get() {
            Some(text) => {
                let doc: Value = serde_json::from_str(text)
                    .map_err(|e| invalid("Policy", &format!("not JSON ({e}).")))?;
                if !doc.get("Statement").is_some_and(Value::is_array) {
                    return Err(invalid("Policy", "it has no Statement list."));
                }
                doc
            }
            None => {
                let sid = b
                    .statement_id
                    .get()
                    .ok_or_else(|| AwsError::validation("Parameter StatementId is required."))?;
                let action = b
                    .action
                    .get()
                    .ok_or_else(|| AwsError::validation("Parameter Action is required."))?;
                let principal = b
                    .principal
                    .get()
                    .ok_or_else(|| AwsError::validation("Parameter Principal is required."))?;
                if action != "events:PutEvents" {
                    return Err(invalid(
                        "Action",
                        "Provided value in parameter 'action' is not supported.",
                    ));
                }
                let account_id =
                    principal.len() == 12 && principal.bytes().all(|c| c.is_ascii_digit());
                if principal != "*" && !account_id {
                    return Err(invalid(
                        "Principal",
                        "it must be an AWS account id (12 digits) or *.",
                    ));
                }
                let resource = bus_arn(&r.name, &r.account, &bus.name);
                let condition = b.condition.get().filter(|c| c.is_object());
                let s = statement(sid, action, principal, &resource, condition);
                with_statement(found.policy.as_ref(), s)
            }
        };
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::BusPolicy {
                name: bus.name,
                policy: Some(policy),
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    pub(super) fn remove_permission(
        &self,
        local: &Core,
        b: RemovePermissionRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        let all = b.remove_all_permissions.get().and_then(Value::as_bool) == Some(true);
        let policy = if all {
            None
        } else {
            let sid = b
                .statement_id
                .get()
                .ok_or_else(|| AwsError::validation("Parameter StatementId is required."))?;
            without_statement(found.policy.as_ref(), sid).ok_or_else(|| {
                AwsError::new(
                    400,
                    "ResourceNotFoundException",
                    "Statement with the provided id does not exist.",
                )
            })?
        };
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::BusPolicy {
                name: bus.name,
                policy,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUS: &str = "arn:aws:events:us-east-1:111111111111:event-bus/b";

    #[test]
    fn statements_are_added_replaced_by_id_and_removed() {
        let p = with_statement(
            None,
            statement("a", "events:PutEvents", "111111111111", BUS, None),
        );
        assert_eq!(
            p,
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "a", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "events:PutEvents", "Resource": BUS,
            }]})
        );
        let p = with_statement(Some(&p), statement("b", "events:PutEvents", "*", BUS, None));
        let p = with_statement(Some(&p), statement("b", "events:PutEvents", "*", BUS, None));
        let sids: Vec<&str> = p["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["a", "b"], "the same id replaces");
        assert_eq!(p["Statement"][1]["Principal"], "*");
        assert_eq!(without_statement(Some(&p), "zzz"), None);
        assert_eq!(without_statement(None, "a"), None);
        let left = without_statement(Some(&p), "a").unwrap().unwrap();
        assert_eq!(left["Statement"].as_array().unwrap().len(), 1);
        assert_eq!(
            without_statement(Some(&left), "b"),
            Some(None),
            "no statement: no policy"
        );
    }
}
