//! Enabling or disabling an EventBridge rule, with the facts its
//! confirmation states (the rule, its bus, its number of targets). Audited
//! as `enable-rule` / `disable-rule` with the rule's ARN and
//! `bus B; N targets`.

use super::audit::Audit;
use super::{Confirmation, Done, Error};
use crate::aws::Clients;
use crate::domain::{BusName, Rule, RuleName, RuleState};
use crate::text::plural;

/// A rule and what changing its state reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFacts {
    pub rule: Rule,
    pub targets: u64,
}

/// The rule `name` on `bus` (a name or ARN; `None`: the default bus) and
/// its number of targets.
pub async fn look(c: &Clients, name: &RuleName, bus: Option<&BusName>) -> Result<RuleFacts, Error> {
    let bus = bus.map(BusName::as_str);
    let rule = c.describe_rule(name.as_str(), bus).await?;
    let targets = c.list_targets(name.as_str(), bus).await?.len() as u64;
    Ok(RuleFacts { rule, targets })
}

/// The state `enable` asks for.
pub fn wanted(enable: bool) -> RuleState {
    if enable {
        RuleState::Enabled
    } else {
        RuleState::Disabled
    }
}

/// What enabling (or disabling) the rule states.
pub fn confirmation(f: &RuleFacts, enable: bool) -> Confirmation {
    confirmation_of(&f.rule.name, &f.rule.bus, f.targets, enable)
}

/// [`confirmation`] from the rule's name, its bus and its number of
/// targets (what a list of rules already shows).
pub fn confirmation_of(rule: &str, bus: &str, targets: u64, enable: bool) -> Confirmation {
    let targets = plural(targets, "target", "targets");
    let (title, fact) = if enable {
        (
            format!("enable rule {rule} on bus {bus}"),
            format!("its {targets} start receiving the events it matches"),
        )
    } else {
        (
            format!("disable rule {rule} on bus {bus}"),
            format!(
                "its {targets} stop receiving events (events meanwhile are not delivered later)"
            ),
        )
    };
    Confirmation {
        title,
        facts: vec![fact],
        typed: None,
    }
}

/// Enables (or disables) the rule and records it.
pub async fn set(
    c: &Clients,
    audit: &Audit,
    f: &RuleFacts,
    enable: bool,
) -> Result<Done<()>, Error> {
    let bus = Some(f.rule.bus.as_str());
    if enable {
        c.enable_rule(&f.rule.name, bus).await?;
    } else {
        c.disable_rule(&f.rule.name, bus).await?;
    }
    let target = if f.rule.arn.is_empty() {
        &f.rule.name
    } else {
        &f.rule.arn
    };
    let action = if enable {
        "enable-rule"
    } else {
        "disable-rule"
    };
    let recorded = audit.record(
        action,
        target,
        1,
        &format!("bus {}; {} targets", f.rule.bus, f.targets),
    );
    Ok(Done::audited((), recorded))
}
