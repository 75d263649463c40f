//! Applying an event pattern to an existing rule (PutRule with the rule's
//! current state kept), audited as `put-rule` with the rule's ARN and the
//! pattern.

use super::audit::Audit;
use super::{Confirmation, Done, Error};
use crate::aws::Clients;
use crate::domain::{BusName, RuleName};

/// What applying `pattern` to `rule` on `bus` states.
pub fn confirmation(bus: &str, rule: &str, pattern: &str) -> Confirmation {
    Confirmation {
        title: format!("apply the pattern to rule {rule} on bus {bus}"),
        facts: vec![
            format!("the rule's pattern becomes {pattern}"),
            "its targets receive the events this pattern matches from now on".to_string(),
        ],
        typed: None,
    }
}

/// Puts `pattern` on the rule `rule` of `bus`, keeping its state; returns
/// the rule's ARN.
pub async fn apply(
    c: &Clients,
    audit: &Audit,
    bus: &BusName,
    rule: &RuleName,
    pattern: &str,
) -> Result<Done<String>, Error> {
    let (bus, rule) = (Some(bus.as_str()), rule.as_str());
    let current = c.describe_rule(rule, bus).await?;
    let arn = c.put_rule(rule, bus, pattern, current.state).await?;
    let recorded = audit.record("put-rule", &arn, 1, pattern);
    Ok(Done::audited(arn, recorded))
}
