//! Event bus and tag operations.

use super::Events;
use super::arns::{arn_region, bus_arn};
use super::journal::{ChangeKind, change, change_in};
use super::limits::{DEFAULT_BUS, MAX_BUSES};
use super::state::{read, region, region_of, write};
use super::wire::{
    BusRequest, CreateEventBusRequest, ListEventBusesRequest, ResourceRequest, TagResourceRequest,
    UntagResourceRequest, bus_json, bus_not_found, check_name, exists, limit, missing, need,
    paginate, tags_of, tags_param, with_token,
};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use crate::local::members::Str;
use serde_json::Value;
use serde_json::json;

impl Events {
    // ----- buses -----

    pub(super) fn create_event_bus(
        &self,
        local: &Core,
        b: CreateEventBusRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = need(&b.name, "Name")?;
        check_name(name, "name", 256)?;
        if b.event_source_name.get().is_some() {
            return Err(AwsError::validation(
                "eddy's backend has no partner event sources: EventSourceName is not supported.",
            ));
        }
        if name.starts_with("aws.") {
            return Err(AwsError::validation(format!(
                "Event bus name {name} is reserved: names starting with 'aws.' are for partner event buses."
            )));
        }
        let description = b.description.owned();
        let tags = tags_param(&b.tags)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now_ms());
        if r.buses.contains_key(name) {
            return Err(exists(format!("Event bus {name} already exists.")));
        }
        if r.buses.len() > MAX_BUSES {
            return Err(limit());
        }
        let arn = bus_arn(&ctx.region, &ctx.account, name);
        let change = change(
            ctx,
            ChangeKind::BusCreated {
                name: name.to_string(),
                description: description.clone(),
                tags,
                at_ms: now_ms(),
            },
        );
        self.commit(local, &mut st, change)?;
        let mut out = json!({ "EventBusArn": arn });
        if let Some(d) = description {
            out["Description"] = Value::String(d);
        }
        Ok(out)
    }

    pub(super) fn describe_event_bus(&self, b: BusRequest, ctx: &Ctx) -> OpResult {
        let bus = self.bus_ref(b.name.get(), ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        Ok(bus_json(r, &bus.name, found))
    }

    pub(super) fn list_event_buses(&self, b: ListEventBusesRequest, ctx: &Ctx) -> OpResult {
        let (limit, token) = b.page.params()?;
        let prefix = b.name_prefix.get().unwrap_or("");
        let st = read(&self.state);
        let r = region(&st, &ctx.region)?;
        let items: Vec<(&String, Value)> = r
            .buses
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(n, bus)| (n, bus_json(r, n, bus)))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        Ok(with_token(json!({ "EventBuses": page }), next))
    }

    pub(super) fn delete_event_bus(&self, local: &Core, b: BusRequest, ctx: &Ctx) -> OpResult {
        let name = need(&b.name, "Name")?;
        let bus = self.bus_ref(Some(name), ctx)?;
        if bus.name == DEFAULT_BUS {
            return Err(AwsError::validation("Cannot delete event bus default."));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now_ms());
        // Deleting a bus that does not exist succeeds (as on AWS).
        if !r.buses.contains_key(&bus.name) {
            return Ok(json!({}));
        }
        let change = change_in(&bus.region, ctx, ChangeKind::BusDeleted { name: bus.name });
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    // ----- tags -----

    pub(super) fn tag_resource(&self, local: &Core, b: TagResourceRequest, ctx: &Ctx) -> OpResult {
        let arn = need(&b.resource_arn, "ResourceARN")?;
        let tags = tags_param(&b.tags)?;
        let mut st = write(&self.state);
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        let r = region_of(&mut st, &region, &ctx.account, now_ms());
        tags_of(r, arn)?;
        let change = change_in(
            &region,
            ctx,
            ChangeKind::Tagged {
                arn: arn.to_string(),
                tags,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    pub(super) fn untag_resource(
        &self,
        local: &Core,
        b: UntagResourceRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let arn = need(&b.resource_arn, "ResourceARN")?;
        let keys: Vec<String> = b
            .tag_keys
            .get()
            .ok_or_else(|| missing("tagKeys"))?
            .iter()
            .filter_map(Str::owned)
            .collect();
        let mut st = write(&self.state);
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        let r = region_of(&mut st, &region, &ctx.account, now_ms());
        tags_of(r, arn)?;
        let change = change_in(
            &region,
            ctx,
            ChangeKind::Untagged {
                arn: arn.to_string(),
                keys,
            },
        );
        self.commit(local, &mut st, change)?;
        Ok(json!({}))
    }

    pub(super) fn list_tags_for_resource(&self, b: ResourceRequest, ctx: &Ctx) -> OpResult {
        let arn = need(&b.resource_arn, "ResourceARN")?;
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        self.ensure_region(&region, &ctx.account);
        let st = read(&self.state);
        let r = self::region(&st, &region)?;
        let tags = tags_of(r, arn)?;
        let list: Vec<Value> = tags
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect();
        Ok(json!({ "Tags": list }))
    }
}
