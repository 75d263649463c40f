//! Event bus and tag operations.

use super::Events;
use super::arns::{arn_region, bus_arn};
use super::journal::{ChangeKind, change, change_in};
use super::limits::{DEFAULT_BUS, MAX_BUSES};
use super::state::{read, region, region_of, write};
use super::wire::{
    bus_json, bus_not_found, check_name, exists, limit, missing, opt_string, page_params, paginate,
    tags_of, tags_param, with_token,
};
use crate::local::AwsError;
use crate::local::Ctx;
use crate::local::Local;
use crate::local::OpResult;
use crate::local::now_ms;
use crate::local::opt_str;
use crate::local::req_str;
use serde_json::Value;
use serde_json::json;

impl Events {
    // ----- buses -----

    pub(super) fn create_event_bus(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let name = req_str(b, "Name")?;
        check_name(name, "name", 256)?;
        if opt_str(b, "EventSourceName").is_some() {
            return Err(AwsError::validation(
                "eddy's backend has no partner event sources: EventSourceName is not supported.",
            ));
        }
        if name.starts_with("aws.") {
            return Err(AwsError::validation(format!(
                "Event bus name {name} is reserved: names starting with 'aws.' are for partner event buses."
            )));
        }
        let description = opt_string(b, "Description");
        let tags = tags_param(b)?;
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

    pub(super) fn describe_event_bus(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let bus = self.bus_ref(b, "Name", ctx)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        Ok(bus_json(r, &bus.name, found))
    }

    pub(super) fn list_event_buses(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let (limit, token) = page_params(b)?;
        let prefix = opt_str(b, "NamePrefix").unwrap_or("");
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

    pub(super) fn delete_event_bus(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        req_str(b, "Name")?;
        let bus = self.bus_ref(b, "Name", ctx)?;
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

    pub(super) fn tag_resource(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let arn = req_str(b, "ResourceARN")?;
        let tags = tags_param(b)?;
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

    pub(super) fn untag_resource(&self, local: &Local, b: &Value, ctx: &Ctx) -> OpResult {
        let arn = req_str(b, "ResourceARN")?;
        let keys: Vec<String> = b
            .get("TagKeys")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("tagKeys"))?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
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

    pub(super) fn list_tags_for_resource(&self, b: &Value, ctx: &Ctx) -> OpResult {
        let arn = req_str(b, "ResourceARN")?;
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
