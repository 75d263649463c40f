//! Event bus and tag operations.

use super::Events;
use super::arns::{arn_region, bus_arn};
use super::journal::{ChangeKind, change, change_in};
use super::limits::{DEFAULT_BUS, MAX_BUSES};
use super::state::{read, region, region_of, write};
use super::wire::{
    BusCreatedOut, BusOut, BusRequest, CreateEventBusRequest, Empty, EventBusesOut,
    ListEventBusesRequest, ResourceRequest, TagOut, TagResourceRequest, TagsOut,
    UntagResourceRequest, bus_not_found, check_name, exists, limit, missing, need, paginate, reply,
    tags_of, tags_param,
};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::members::Str;

impl Events {
    // ----- buses -----

    pub(super) fn create_event_bus(
        &self,
        local: &Core,
        b: CreateEventBusRequest,
        ctx: &Ctx,
        now: i64,
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
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
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
                at_ms: now,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(BusCreatedOut {
            event_bus_arn: arn,
            description,
        })
    }

    pub(super) fn describe_event_bus(&self, b: BusRequest, ctx: &Ctx, now: i64) -> OpResult {
        let bus = self.bus_ref(b.name.get(), ctx, now)?;
        let st = read(&self.state);
        let r = region(&st, &bus.region, &ctx.account)?;
        let found = r
            .buses
            .get(&bus.name)
            .ok_or_else(|| bus_not_found(&bus.name))?;
        reply(BusOut::new(r, &bus.name, found))
    }

    pub(super) fn list_event_buses(&self, b: ListEventBusesRequest, ctx: &Ctx) -> OpResult {
        let (limit, token) = b.page.params()?;
        let prefix = b.name_prefix.get().unwrap_or("");
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let items: Vec<(&String, BusOut)> = r
            .buses
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(n, bus)| (n, BusOut::new(r, n, bus)))
            .collect();
        let (page, next) = paginate(items, limit, token.as_deref());
        reply(EventBusesOut {
            event_buses: page,
            next_token: next,
        })
    }

    pub(super) fn delete_event_bus(
        &self,
        local: &Core,
        b: BusRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "Name")?;
        let bus = self.bus_ref(Some(name), ctx, now)?;
        if bus.name == DEFAULT_BUS {
            return Err(AwsError::validation("Cannot delete event bus default."));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &bus.region, &ctx.account, now);
        // Deleting a bus that does not exist succeeds (as on AWS).
        if !r.buses.contains_key(&bus.name) {
            return reply(Empty {});
        }
        let change = change_in(&bus.region, ctx, ChangeKind::BusDeleted { name: bus.name });
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    // ----- tags -----

    pub(super) fn tag_resource(
        &self,
        local: &Core,
        b: TagResourceRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let arn = need(&b.resource_arn, "ResourceARN")?;
        let tags = tags_param(&b.tags)?;
        let mut st = write(&self.state);
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        let r = region_of(&mut st, &region, &ctx.account, now);
        tags_of(r, arn)?;
        let change = change_in(
            &region,
            ctx,
            ChangeKind::Tagged {
                arn: arn.to_string(),
                tags,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    pub(super) fn untag_resource(
        &self,
        local: &Core,
        b: UntagResourceRequest,
        ctx: &Ctx,
        now: i64,
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
        let r = region_of(&mut st, &region, &ctx.account, now);
        tags_of(r, arn)?;
        let change = change_in(
            &region,
            ctx,
            ChangeKind::Untagged {
                arn: arn.to_string(),
                keys,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    pub(super) fn list_tags_for_resource(
        &self,
        b: ResourceRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let arn = need(&b.resource_arn, "ResourceARN")?;
        let region = arn_region(arn).unwrap_or(&ctx.region).to_string();
        self.ensure_region(&region, &ctx.account, now);
        let st = read(&self.state);
        let r = self::region(&st, &region, &ctx.account)?;
        let tags = tags_of(r, arn)?;
        let tags = tags
            .iter()
            .map(|(key, value)| TagOut { key, value })
            .collect();
        reply(TagsOut { tags })
    }
}
