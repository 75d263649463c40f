//! Archives and replays: events archived by pattern and retention, and
//! replays that re-deliver an archive's time window through the bus.

use super::Events;
use super::arns::{archive_arn, bus_arn, replay_arn, split_arn};
use super::journal::{Change, ChangeKind, apply_change, change};
use super::limits::{MAX_ACTIVE_REPLAYS, REPLAY_YIELD_EVERY};
use super::state::{Event, ReplayRecord, read, region, region_of, replay_window, write};
use super::wire::{
    ArchiveNameRequest, ArchiveOut, ArchiveRequest, ArchiveWritten, ArchivesOut, BusRef, Empty,
    ListArchivesRequest, ReplayDestination, ReplayNameRequest, ReplayOut, ReplayWritten,
    ReplaysOut, StartReplayRequest, archive_not_found, bus_not_found, check_name, check_pattern,
    exists, limit, missing, need, one_list_filter, paginate, replay_not_found, reply, resolve_bus,
    retention_param, secs, time_param,
};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::core::now_ms;
use crate::local::events::EventsHost;
use crate::local::members::{Str, input};
use crate::pattern::transform::push_json_str;
use std::sync::Arc;

/// Re-delivers an archive's events in the window through the bus's rules, with
/// `replay-name` in each envelope: STARTING → RUNNING → COMPLETED (or CANCELLED).
pub(super) async fn run_replay<H: EventsHost>(
    local: Arc<H>,
    region: String,
    account: String,
    name: String,
) {
    let events = &local.events();
    let snapshot = {
        let st = read(&events.state);
        let Some(r) = st.get(&account, &region) else {
            return;
        };
        let Some(p) = r.replays.get(&name) else {
            return;
        };
        let picked: Vec<(i64, Arc<str>, usize)> = match r.archives.get(&p.archive) {
            Some(a) => replay_window(a, p.start_ms, p.end_ms)
                .into_iter()
                .map(|e| (e.time_ms, e.event.clone(), e.detail_at))
                .collect(),
            None => Vec::new(),
        };
        (picked, p.bus.clone(), p.filter_arns.clone())
    };
    let (picked, bus, filter) = snapshot;
    // The replay runs as a task: it reads the clock at each step and passes it down.
    events.replay_update(
        &local,
        &region,
        &account,
        &name,
        now_ms(),
        ReplayRecord::run,
    );
    let mut last: Option<i64> = None;
    let mut text = String::new();
    for (i, (time_ms, event, detail_at)) in picked.iter().enumerate() {
        if i % REPLAY_YIELD_EVERY == 0 {
            tokio::task::yield_now().await;
            let cancelling = read(&events.state)
                .get(&account, &region)
                .and_then(|r| r.replays.get(&name))
                .is_none_or(|p| p.state == "CANCELLING");
            if cancelling {
                let now = now_ms();
                events.replay_update(&local, &region, &account, &name, now, |p| p.end(now, last));
                return;
            }
        }
        // The routing is fetched per event: rules may change during a long replay.
        let Some(routing) = events.routing(&account, &region, &bus) else {
            break;
        };
        text.clear();
        text.push_str(&event[..*detail_at]);
        text.push_str(",\"replay-name\":");
        push_json_str(&mut text, &name);
        let new_detail_at = text.len();
        text.push_str(&event[*detail_at..]);
        let id = envelope_id(event).unwrap_or_default();
        let now = now_ms();
        let e = Event {
            text: &text,
            detail_at: new_detail_at,
            id: &id,
            time_ms: *time_ms,
            ingest_ms: now,
            now_ms: now,
            hop: 0,
        };
        let mut ignored = Vec::new();
        events.dispatch(&*local, &routing, &e, Some(&filter), &mut ignored);
        last = Some(*time_ms);
    }
    let now = now_ms();
    events.replay_update(&local, &region, &account, &name, now, |p| p.end(now, last));
}

/// The `id` of an envelope eddy built (`{"version":"0","id":"…",…`).
pub(super) fn envelope_id(text: &str) -> Option<String> {
    let rest = text.strip_prefix("{\"version\":\"0\",\"id\":\"")?;
    Some(rest[..rest.find('"')?].to_string())
}

impl Events {
    // ----- archives -----

    pub(super) fn create_archive(
        &self,
        local: &Core,
        b: ArchiveRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.archive_name, "ArchiveName")?;
        check_name(name, "archiveName", 48)?;
        let source = need(&b.event_source_arn, "EventSourceArn")?;
        let pattern = b.event_pattern.owned().filter(|p| !p.is_empty());
        if let Some(p) = &pattern {
            check_pattern(p)?;
        }
        let retention_days = retention_param(&b.retention_days)?.unwrap_or(0);
        let description = b.description.owned();
        let bus = resolve_bus(Some(source), ctx)?;
        if bus.region != ctx.region {
            return Err(AwsError::validation(
                "Parameter EventSourceArn is not valid. Reason: the event bus must be in the archive's region.",
            ));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        if !r.buses.contains_key(&bus.name) {
            return Err(bus_not_found(&bus.name));
        }
        if r.archives.contains_key(name) {
            return Err(exists(format!("Archive {name} already exists.")));
        }
        let at_ms = now;
        let change = change(
            ctx,
            ChangeKind::ArchivePut {
                name: name.to_string(),
                bus: bus.name,
                description,
                pattern,
                retention_days,
                at_ms,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(ArchiveWritten {
            archive_arn: archive_arn(&ctx.region, &ctx.account, name),
            state: "ENABLED",
            creation_time: secs(at_ms),
        })
    }

    pub(super) fn describe_archive(&self, b: ArchiveNameRequest, ctx: &Ctx) -> OpResult {
        let name = need(&b.archive_name, "ArchiveName")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let a = r
            .archives
            .get(name)
            .ok_or_else(|| archive_not_found(name))?;
        reply(ArchiveOut::described(r, name, a))
    }

    pub(super) fn list_archives(&self, b: ListArchivesRequest, ctx: &Ctx) -> OpResult {
        let (limit, token) = b.page.params()?;
        let (prefix, source, state) = one_list_filter(&b, "ListArchives")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let items: Vec<(&String, ArchiveOut)> = r
            .archives
            .iter()
            .filter(|(n, a)| {
                prefix.is_none_or(|p| n.starts_with(p))
                    && source.is_none_or(|s| s == bus_arn(&r.name, &r.account, &a.bus))
                    && state.is_none_or(|s| s == "ENABLED")
            })
            .map(|(n, a)| (n, ArchiveOut::listed(r, n, a)))
            .collect();
        let (archives, next_token) = paginate(items, limit, token.as_deref());
        reply(ArchivesOut {
            archives,
            next_token,
        })
    }

    pub(super) fn update_archive(
        &self,
        local: &Core,
        b: ArchiveRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.archive_name, "ArchiveName")?;
        let pattern = b.event_pattern.owned();
        if let Some(p) = pattern.as_deref().filter(|p| !p.is_empty()) {
            check_pattern(p)?;
        }
        let retention = retention_param(&b.retention_days)?;
        let description = b.description.owned();
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let a = r
            .archives
            .get(name)
            .ok_or_else(|| archive_not_found(name))?;
        let created_ms = a.created_ms;
        let change = change(
            ctx,
            ChangeKind::ArchivePut {
                name: name.to_string(),
                bus: a.bus.clone(),
                description: description.or_else(|| a.description.clone()),
                pattern: match pattern {
                    Some(p) if p.is_empty() => None,
                    Some(p) => Some(p),
                    None => a.pattern.clone(),
                },
                retention_days: retention.unwrap_or(a.retention_days),
                at_ms: created_ms,
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(ArchiveWritten {
            archive_arn: archive_arn(&ctx.region, &ctx.account, name),
            state: "ENABLED",
            creation_time: secs(created_ms),
        })
    }

    pub(super) fn delete_archive(
        &self,
        local: &Core,
        b: ArchiveNameRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.archive_name, "ArchiveName")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        if !r.archives.contains_key(name) {
            return Err(archive_not_found(name));
        }
        let change = change(
            ctx,
            ChangeKind::ArchiveDeleted {
                name: name.to_string(),
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }

    // ----- replays -----

    pub(super) fn start_replay<H: EventsHost>(
        &self,
        local: &Arc<H>,
        b: StartReplayRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.replay_name, "ReplayName")?;
        check_name(name, "replayName", 64)?;
        let source_arn = need(&b.event_source_arn, "EventSourceArn")?;
        let start_ms = time_param(&b.event_start_time, "EventStartTime")?;
        let end_ms = time_param(&b.event_end_time, "EventEndTime")?;
        let destination: ReplayDestination = match b.destination.get() {
            Some(d) if d.is_object() => input(d.clone()),
            _ => return Err(missing("destination")),
        };
        let dest_arn = need(&destination.arn, "Arn")?;
        let filter_arns: Vec<String> = destination
            .filter_arns
            .get()
            .map(|a| a.iter().filter_map(Str::owned).collect())
            .unwrap_or_default();
        let description = b.description.owned();
        let archive = match split_arn(source_arn) {
            Some(("events", _, _, res)) => res.strip_prefix("archive/").unwrap_or(""),
            _ => "",
        };
        let dest = match split_arn(dest_arn) {
            Some(("events", _, _, res)) if res.starts_with("event-bus/") => {
                resolve_bus(Some(dest_arn), ctx)?
            }
            _ => {
                return Err(AwsError::validation(
                    "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.",
                ));
            }
        };
        if start_ms > end_ms {
            return Err(AwsError::validation(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
            ));
        }
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let a = r.archives.get(archive).ok_or_else(|| {
            AwsError::validation(format!(
                "Parameter EventSourceArn is not valid. Reason: Archive {archive} does not exist."
            ))
        })?;
        if dest.region != r.name || dest.name != a.bus {
            return Err(AwsError::validation(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
            ));
        }
        if r.replays.contains_key(name) {
            return Err(exists(format!("Replay {name} already exists.")));
        }
        let active = r
            .replays
            .values()
            .filter(|p| matches!(p.state.as_str(), "STARTING" | "RUNNING"))
            .count();
        if active >= MAX_ACTIVE_REPLAYS {
            return Err(limit());
        }
        let started_ms = now;
        let replay = ReplayRecord {
            name: name.to_string(),
            description,
            source_arn: source_arn.to_string(),
            archive: archive.to_string(),
            bus: a.bus.clone(),
            filter_arns,
            start_ms,
            end_ms,
            state: "STARTING".to_string(),
            reason: None,
            started_ms,
            ended_ms: None,
            last_replayed_ms: None,
        };
        let change = change(ctx, ChangeKind::ReplayPut { replay });
        self.commit(local, &mut st, change, now)?;
        drop(st);
        let task_local = local.clone();
        let (region_name, account, replay_name) =
            (ctx.region.clone(), ctx.account.clone(), name.to_string());
        tokio::spawn(async move {
            run_replay(task_local, region_name, account, replay_name).await;
        });
        reply(ReplayWritten {
            replay_arn: replay_arn(&ctx.region, &ctx.account, name),
            state: "STARTING",
            replay_start_time: Some(secs(started_ms)),
        })
    }

    pub(super) fn describe_replay(&self, b: ReplayNameRequest, ctx: &Ctx) -> OpResult {
        let name = need(&b.replay_name, "ReplayName")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let p = r.replays.get(name).ok_or_else(|| replay_not_found(name))?;
        reply(ReplayOut::described(r, p))
    }

    pub(super) fn list_replays(&self, b: ListArchivesRequest, ctx: &Ctx) -> OpResult {
        let (limit, token) = b.page.params()?;
        let (prefix, source, state) = one_list_filter(&b, "ListReplays")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let items: Vec<(&String, ReplayOut)> = r
            .replays
            .iter()
            .filter(|(n, p)| {
                prefix.is_none_or(|x| n.starts_with(x))
                    && source.is_none_or(|s| s == p.source_arn)
                    && state.is_none_or(|s| s == p.state)
            })
            .map(|(n, p)| (n, ReplayOut::listed(p)))
            .collect();
        let (replays, next_token) = paginate(items, limit, token.as_deref());
        reply(ReplaysOut {
            replays,
            next_token,
        })
    }

    pub(super) fn cancel_replay(
        &self,
        local: &Core,
        b: ReplayNameRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.replay_name, "ReplayName")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let p = r.replays.get(name).ok_or_else(|| replay_not_found(name))?;
        if !matches!(p.state.as_str(), "STARTING" | "RUNNING") {
            return Err(AwsError::new(
                400,
                "IllegalStatusException",
                format!("Replay {name} is not in a valid state for this operation."),
            ));
        }
        let mut replay = p.clone();
        replay.state = "CANCELLING".to_string();
        let change = change(ctx, ChangeKind::ReplayPut { replay });
        self.commit(local, &mut st, change, now)?;
        reply(ReplayWritten {
            replay_arn: replay_arn(&ctx.region, &ctx.account, name),
            state: "CANCELLING",
            replay_start_time: None,
        })
    }

    /// Updates a replay's state (from its task); false when it is gone.
    pub(super) fn replay_update(
        &self,
        local: &Core,
        region: &str,
        account: &str,
        name: &str,
        now: i64,
        f: impl FnOnce(&mut ReplayRecord),
    ) -> bool {
        let mut st = write(&self.state);
        let Some(p) = st.get(account, region).and_then(|r| r.replays.get(name)) else {
            return false;
        };
        let mut replay = p.clone();
        f(&mut replay);
        let change = Change {
            region: region.to_string(),
            account: account.to_string(),
            kind: ChangeKind::ReplayPut { replay },
        };
        // A journal failure cannot be reported to anyone here; the state still moves on.
        if self.commit(local, &mut st, change.clone(), now).is_err() {
            apply_change(&mut st, change, false, now);
        }
        true
    }

    /// The bus a request names (`param`: its name or ARN member, None for the
    /// default bus); an ARN's region is created on first use.
    pub(super) fn bus_ref(
        &self,
        param: Option<&str>,
        ctx: &Ctx,
        now: i64,
    ) -> Result<BusRef, AwsError> {
        let bus = resolve_bus(param, ctx)?;
        if bus.region != ctx.region {
            self.ensure_region(&bus.region, &ctx.account, now);
        }
        Ok(bus)
    }
}
