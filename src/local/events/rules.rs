//! Rule and target operations.

use super::Events;
use super::arns::rule_arn;
use super::journal::{ChangeKind, change_in};
use super::limits::{
    DEFAULT_BUS, MAX_PUT_TARGETS, MAX_REMOVE_TARGETS, MAX_RULES_PER_BUS, MAX_TARGETS_PER_RULE,
    RULE_STATES,
};
use super::schedule::Schedule;
use super::state::{Bus, Region, Rule, State, read, region, region_of, write};
use super::targets::parse_target;
use super::wire::{
    BusRef, Empty, ListRuleNamesByTargetRequest, ListRulesRequest, ListTargetsByRuleRequest,
    PutRuleRequest, PutTargetsOut, PutTargetsRequest, RemoveTargetsRequest, RuleArnOut,
    RuleNamesOut, RuleOut, RuleRequest, RulesOut, TargetsOut, bad_token, bus_not_found, check_name,
    check_pattern, enum_error, length_error, limit, missing, need, paginate, reply, rule_not_found,
    seal_token, tags_param,
};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::members::Str;
use serde_json::Value;

impl Events {
    // ----- rules -----

    pub(super) fn put_rule(
        &self,
        local: &Core,
        b: PutRuleRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "Name")?;
        check_name(name, "name", 64)?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let pattern = b.event_pattern.owned().filter(|p| !p.is_empty());
        let schedule = b.schedule_expression.owned().filter(|s| !s.is_empty());
        if pattern.is_none() && schedule.is_none() {
            return Err(AwsError::validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            ));
        }
        if let Some(p) = &pattern {
            check_pattern(p)?;
        }
        if let Some(s) = &schedule {
            if bus.name != DEFAULT_BUS {
                return Err(AwsError::validation(
                    "ScheduleExpression is supported only on the default event bus.",
                ));
            }
            Schedule::parse(s).map_err(AwsError::validation)?;
        }
        let state = b.state.get().unwrap_or("ENABLED");
        if !RULE_STATES.contains(&state) {
            return Err(enum_error(state, "state", &RULE_STATES));
        }
        let description = b.description.owned();
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 512)
        {
            return Err(length_error("description", 512));
        }
        let role_arn = b.role_arn.owned().filter(|r| !r.is_empty());
        let tags = tags_param(&b.tags)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let account = r.account.clone();
        let found = bus_of(r, &bus.name)?;
        let existing = found.rules.get(name);
        if existing.is_none() && found.rules.len() >= MAX_RULES_PER_BUS {
            return Err(limit());
        }
        // Tags are only set when the rule is created.
        let tags = match existing {
            Some(rule) => rule.tags.clone(),
            None => tags,
        };
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::RulePut {
                bus: bus.name.clone(),
                name: name.to_string(),
                pattern,
                schedule,
                state: state.to_string(),
                description,
                role_arn,
                tags,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(RuleArnOut {
            rule_arn: rule_arn(&bus.region, &account, &bus.name, name),
        })
    }

    pub(super) fn describe_rule(&self, b: RuleRequest, ctx: &Ctx, now: i64) -> OpResult {
        let name = need(&b.name, "Name")?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region, &ctx.account)?;
        let rule = rule_of(r, &bus.name, name)?;
        reply(RuleOut::described(r, &bus.name, name, rule))
    }

    pub(super) fn list_rules(&self, b: ListRulesRequest, ctx: &Ctx, now: i64) -> OpResult {
        let (limit, token) = b.page.params()?;
        let prefix = b.name_prefix.get().unwrap_or("");
        let keep = |n: &str, _: &Rule| n.starts_with(prefix);
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let st = read(&self.state);
        let (r, page, next_token) = rule_page(&st, &bus, (limit, token), keep)?;
        let rules = page
            .into_iter()
            .map(|(n, rule)| RuleOut::listed(r, &bus.name, n, rule))
            .collect();
        reply(RulesOut { rules, next_token })
    }

    pub(super) fn delete_rule(
        &self,
        local: &Core,
        b: RuleRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "Name")?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let found = bus_of(r, &bus.name)?;
        // Deleting a rule that does not exist succeeds (as on AWS).
        let Some(rule) = found.rules.get(name) else {
            return reply(Empty {});
        };
        if !rule.targets.is_empty() {
            return Err(AwsError::validation(
                "Rule can't be deleted since it has targets.",
            ));
        }
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::RuleDeleted {
                bus: bus.name,
                name: name.to_string(),
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    pub(super) fn set_rule_state(
        &self,
        local: &Core,
        b: RuleRequest,
        ctx: &Ctx,
        state: &str,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "Name")?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let found = bus_of(r, &bus.name)?;
        if !found.rules.contains_key(name) {
            return Err(rule_not_found(name, &bus.name));
        }
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::RuleState {
                bus: bus.name,
                name: name.to_string(),
                state: state.to_string(),
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    // ----- targets -----

    pub(super) fn put_targets(
        &self,
        local: &Core,
        b: PutTargetsRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let rule = need(&b.rule, "Rule")?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let targets = b.targets.get().ok_or_else(|| missing("targets"))?;
        if targets.is_empty() || targets.len() > MAX_PUT_TARGETS {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at 'targets' failed to satisfy constraint: \
                 Member must have length between 1 and {MAX_PUT_TARGETS}"
            )));
        }
        let mut accepted: Vec<Value> = Vec::with_capacity(targets.len());
        let mut ids: Vec<&str> = Vec::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            parse_target(t, &ctx.region, &ctx.account, i + 1)?;
            let id = t.get("Id").and_then(Value::as_str).unwrap_or_default();
            if let Some(k) = ids.iter().position(|x| *x == id) {
                // The same Id twice in one call: the last one wins.
                accepted[k] = t.clone();
            } else {
                ids.push(id);
                accepted.push(t.clone());
            }
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let existing = rule_of(r, &bus.name, rule)?;
        let added = ids
            .iter()
            .filter(|id| !existing.targets.iter().any(|t| t.id == **id))
            .count();
        if existing.targets.len() + added > MAX_TARGETS_PER_RULE {
            return Err(limit());
        }
        let change = change_in(
            &bus.region,
            ctx,
            ChangeKind::TargetsPut {
                bus: bus.name,
                rule: rule.to_string(),
                targets: accepted,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(PutTargetsOut::NONE_FAILED)
    }

    pub(super) fn remove_targets(
        &self,
        local: &Core,
        b: RemoveTargetsRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let rule = need(&b.rule, "Rule")?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let ids: Vec<String> = b
            .ids
            .get()
            .ok_or_else(|| missing("ids"))?
            .iter()
            .filter_map(Str::owned)
            .collect();
        if ids.is_empty() || ids.len() > MAX_REMOVE_TARGETS {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value at 'ids' failed to satisfy constraint: \
                 Member must have length between 1 and {MAX_REMOVE_TARGETS}"
            )));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        let existing = rule_of(r, &bus.name, rule)?;
        // Ids the rule does not have are ignored (as on AWS).
        let ids: Vec<String> = ids
            .into_iter()
            .filter(|id| existing.targets.iter().any(|t| &t.id == id))
            .collect();
        if !ids.is_empty() {
            let change = change_in(
                &bus.region,
                ctx,
                ChangeKind::TargetsRemoved {
                    bus: bus.name,
                    rule: rule.to_string(),
                    ids,
                },
            );
            self.commit(local, &mut st, change, now)?;
        }
        reply(PutTargetsOut::NONE_FAILED)
    }

    pub(super) fn list_targets_by_rule(
        &self,
        b: ListTargetsByRuleRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let (limit, token) = b.page.params()?;
        let rule = need(&b.rule, "Rule")?;
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region, &ctx.account)?;
        let existing = rule_of(r, &bus.name, rule)?;
        // Paged in put order; the token is the position.
        let start = match token {
            Some(t) => t.parse::<usize>().map_err(|_| bad_token())?,
            None => 0,
        };
        let all = &existing.targets;
        let end = (start + limit).min(all.len());
        let targets = all
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|t| &t.raw)
            .collect();
        let next_token = (end < all.len()).then(|| seal_token(&end.to_string()));
        reply(TargetsOut {
            targets,
            next_token,
        })
    }

    pub(super) fn list_rule_names_by_target(
        &self,
        b: ListRuleNamesByTargetRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let (limit, token) = b.page.params()?;
        let target_arn = need(&b.target_arn, "TargetArn")?;
        let keep = |_: &str, rule: &Rule| rule.targets.iter().any(|t| t.arn == target_arn);
        let bus = self.bus_ref(b.event_bus_name.get(), ctx, now)?;
        let st = read(&self.state);
        let (_, page, next_token) = rule_page(&st, &bus, (limit, token), keep)?;
        let rule_names = page.into_iter().map(|(n, _)| n.as_str()).collect();
        reply(RuleNamesOut {
            rule_names,
            next_token,
        })
    }
}

/// One name-sorted page (`(limit, token)`) of the rules of a bus that `keep`
/// selects, with the bus's region (to shape them) and the next page's token.
/// ListRules and ListRuleNamesByTarget share it.
#[allow(clippy::type_complexity)]
fn rule_page<'s>(
    st: &'s State,
    bus: &BusRef,
    (limit, token): (usize, Option<String>),
    keep: impl Fn(&str, &Rule) -> bool,
) -> Result<(&'s Region, Vec<(&'s String, &'s Rule)>, Option<String>), AwsError> {
    let r = region(st, &bus.region, &bus.account)?;
    let found = bus_of(r, &bus.name)?;
    let items: Vec<(&String, (&String, &Rule))> = found
        .rules
        .iter()
        .filter(|(n, rule)| keep(n, rule))
        .map(|(n, rule)| (n, (n, rule)))
        .collect();
    let (page, next) = paginate(items, limit, token.as_deref());
    Ok((r, page, next))
}

/// The rule `name` on bus `bus` of region `r`, or the error EventBridge
/// gives when the bus or the rule does not exist.
fn rule_of<'a>(r: &'a Region, bus: &str, name: &str) -> Result<&'a Rule, AwsError> {
    bus_of(r, bus)?
        .rules
        .get(name)
        .ok_or_else(|| rule_not_found(name, bus))
}

/// The bus `bus` of region `r`, or EventBridge's error when it does not exist.
fn bus_of<'a>(r: &'a Region, bus: &str) -> Result<&'a Bus, AwsError> {
    r.buses.get(bus).ok_or_else(|| bus_not_found(bus))
}
