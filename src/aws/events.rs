//! EventBridge: buses, rules, targets, archives, replays, PutEvents and
//! TestEventPattern.

use super::{Clients, Error};
use crate::domain::{
    Archive, EventBus, EventEntry, PutEventOutcome, Replay, Rule, RuleState, Target,
};

impl Clients {
    pub async fn list_buses(&self) -> Result<Vec<EventBus>, Error> {
        todo!()
    }

    /// Rules of a bus (name or ARN; the default bus when None), with their patterns.
    pub async fn list_rules(&self, bus: Option<&str>) -> Result<Vec<Rule>, Error> {
        let _ = bus;
        todo!()
    }

    pub async fn describe_rule(&self, name: &str, bus: Option<&str>) -> Result<Rule, Error> {
        let _ = (name, bus);
        todo!()
    }

    pub async fn list_targets(&self, rule: &str, bus: Option<&str>) -> Result<Vec<Target>, Error> {
        let _ = (rule, bus);
        todo!()
    }

    /// Names of the rules (of a bus) that have a target with this ARN.
    pub async fn rule_names_by_target(
        &self,
        target_arn: &str,
        bus: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        let _ = (target_arn, bus);
        todo!()
    }

    pub async fn list_archives(&self) -> Result<Vec<Archive>, Error> {
        todo!()
    }

    pub async fn list_replays(&self) -> Result<Vec<Replay>, Error> {
        todo!()
    }

    /// Puts events in batches of 10; one outcome per entry, in order, with per-entry failures.
    pub async fn put_events(&self, entries: &[EventEntry]) -> Result<Vec<PutEventOutcome>, Error> {
        let _ = entries;
        todo!()
    }

    /// The backend's own verdict (TestEventPattern). A backend that answers
    /// with an empty body (moto) gives `Error::Unsupported`, never `false`.
    pub async fn test_event_pattern(&self, pattern: &str, event: &str) -> Result<bool, Error> {
        let _ = (pattern, event);
        todo!()
    }

    pub async fn create_bus(&self, name: &str) -> Result<String, Error> {
        let _ = name;
        todo!()
    }

    pub async fn delete_bus(&self, name: &str) -> Result<(), Error> {
        let _ = name;
        todo!()
    }

    /// Creates or updates a rule; returns its ARN.
    pub async fn put_rule(
        &self,
        name: &str,
        bus: Option<&str>,
        pattern: &str,
        state: RuleState,
    ) -> Result<String, Error> {
        let _ = (name, bus, pattern, state);
        todo!()
    }

    pub async fn delete_rule(&self, name: &str, bus: Option<&str>) -> Result<(), Error> {
        let _ = (name, bus);
        todo!()
    }

    pub async fn put_targets(
        &self,
        rule: &str,
        bus: Option<&str>,
        targets: &[Target],
    ) -> Result<(), Error> {
        let _ = (rule, bus, targets);
        todo!()
    }

    pub async fn remove_targets(
        &self,
        rule: &str,
        bus: Option<&str>,
        ids: &[String],
    ) -> Result<(), Error> {
        let _ = (rule, bus, ids);
        todo!()
    }
}
