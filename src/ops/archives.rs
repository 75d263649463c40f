//! EventBridge archives and replays: list both, plan a replay of a time
//! range of an archive onto its own bus (what its confirmation states),
//! start it (audited as `replay`) and describe it. Shared by `eddy
//! archives` / `eddy replay` and the terminal UI's `:archives` view, so both
//! say and record the same. The time range is written the same on both
//! sides ([`parse_range`]): `1h` (the last hour), `FROM..TO` or `FROM`.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::audit::Audit;
use super::{Confirmation, Done, Error};
use crate::aws::Clients;
use crate::domain::{Archive, Replay};

/// The range a replay covers when none is given: the last hour.
pub const DEFAULT_RANGE: &str = "1h";

/// Every archive and every replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Listing {
    pub archives: Vec<Archive>,
    pub replays: Vec<Replay>,
}

/// Lists archives and replays (both calls at once).
pub async fn list(c: &Clients) -> Result<Listing, Error> {
    let (archives, replays) = tokio::join!(c.list_archives(), c.list_replays());
    Ok(Listing {
        archives: archives?,
        replays: replays?,
    })
}

/// The archive named `name`, or an error listing what there is.
pub async fn find(c: &Clients, name: &str) -> Result<Archive, Error> {
    let all = c.list_archives().await?;
    match all
        .iter()
        .find(|a| a.name == name || a.arn.as_deref() == Some(name))
    {
        Some(a) => Ok(a.clone()),
        None => {
            let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
            Err(Error::Invalid(format!(
                "no archive {name} here (archives: {}); `eddy archives` lists them",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )))
        }
    }
}

/// A replay about to start: the archive, its bus and the time range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayPlan {
    /// The replay's name (`<archive>-<unix milliseconds>`: two replays
    /// started in the same second get two names).
    pub name: String,
    pub archive: String,
    pub archive_arn: String,
    /// The archive's bus: where the events are replayed.
    pub bus_arn: String,
    pub from_ms: i64,
    pub to_ms: i64,
}

impl ReplayPlan {
    /// The bus's name (the last part of its ARN).
    pub fn bus(&self) -> &str {
        self.bus_arn
            .rsplit_once("event-bus/")
            .map_or(self.bus_arn.as_str(), |(_, n)| n)
    }
}

/// The replay of `archive` over `from_ms..to_ms`, named after the archive
/// and `now_ms`. Refused when the archive's ARN or bus is unknown or the
/// range is empty.
pub fn plan(archive: &Archive, from_ms: i64, to_ms: i64, now_ms: i64) -> Result<ReplayPlan, Error> {
    let (Some(archive_arn), Some(bus_arn)) = (&archive.arn, &archive.source_arn) else {
        return Err(Error::Invalid(format!(
            "archive {} has no known ARN or bus: the backend did not say; nothing was replayed",
            archive.name
        )));
    };
    if from_ms >= to_ms {
        return Err(Error::Invalid(format!(
            "the range starts ({}) at or after it ends ({}): give FROM..TO with FROM first",
            rfc3339(from_ms),
            rfc3339(to_ms)
        )));
    }
    // Replay names: at most 64 of [.-_A-Za-z0-9]; archive names at most 48,
    // so 48 + 1 + 13 digits of milliseconds fit.
    let mut name: String = archive.name.chars().take(48).collect();
    name.push_str(&format!("-{now_ms}"));
    Ok(ReplayPlan {
        name,
        archive: archive.name.clone(),
        archive_arn: archive_arn.clone(),
        bus_arn: bus_arn.clone(),
        from_ms,
        to_ms,
    })
}

/// What starting the replay states.
pub fn confirmation(p: &ReplayPlan) -> Confirmation {
    Confirmation {
        title: format!("replay archive {} to bus {}", p.archive, p.bus()),
        facts: vec![
            format!(
                "the events archived from {} to {} are put on bus {} again",
                rfc3339(p.from_ms),
                rfc3339(p.to_ms),
                p.bus()
            ),
            "every rule of the bus sees them (with a replay-name field) and delivers them to its targets once more".to_string(),
        ],
        typed: None,
    }
}

/// Starts the replay and records it (`replay`, the archive's ARN, detail
/// `to BUS; FROM..TO; replay NAME`). The value: the replay's state as
/// StartReplay answered it.
pub async fn start(c: &Clients, audit: &Audit, p: &ReplayPlan) -> Result<Done<String>, Error> {
    let state = c
        .start_replay(&p.name, &p.archive_arn, &p.bus_arn, p.from_ms, p.to_ms)
        .await?;
    let recorded = audit.record(
        "replay",
        &p.archive_arn,
        0,
        &format!(
            "to bus {}; {}..{}; replay {}",
            p.bus(),
            rfc3339(p.from_ms),
            rfc3339(p.to_ms),
            p.name
        ),
    );
    Ok(Done::audited(
        state.unwrap_or_else(|| "STARTING".to_string()),
        recorded,
    ))
}

/// Asks the replay `name` of archive `archive_arn` to stop, and records it
/// (`cancel-replay`).
pub async fn cancel(
    c: &Clients,
    audit: &Audit,
    archive_arn: &str,
    name: &str,
) -> Result<Done<()>, Error> {
    c.cancel_replay(name).await?;
    let recorded = audit.record("cancel-replay", archive_arn, 0, &format!("replay {name}"));
    Ok(Done::audited((), recorded))
}

/// One replay, with its destination.
pub async fn describe(c: &Clients, name: &str) -> Result<Replay, Error> {
    Ok(c.describe_replay(name).await?)
}

/// Milliseconds since the epoch as RFC 3339 (seconds, UTC).
pub fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{ms} ms"))
}

/// One end of a range: see [`super::time::parse_time`] (`now`, a duration
/// ago, a UTC clock time, RFC 3339).
pub use super::time::parse_time;

/// A time range as typed: empty (the last hour), `2h` (the last two
/// hours), `FROM..TO`, or `FROM` (until now). Ends as in [`parse_time`].
pub fn parse_range(s: &str, now_ms: i64) -> Result<(i64, i64), Error> {
    let s = s.trim();
    let s = if s.is_empty() { DEFAULT_RANGE } else { s };
    let (from, to) = match s.split_once("..") {
        Some((from, to)) => (parse_time(from, now_ms)?, parse_time(to, now_ms)?),
        None => (parse_time(s, now_ms)?, now_ms),
    };
    if from >= to {
        return Err(Error::Invalid(format!(
            "the range {s} is empty: it starts at {} and ends at {}",
            rfc3339(from),
            rfc3339(to)
        )));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z

    fn archive() -> Archive {
        Archive {
            name: "orders-archive".to_string(),
            arn: Some("arn:aws:events:us-east-1:1:archive/orders-archive".to_string()),
            source_arn: Some("arn:aws:events:us-east-1:1:event-bus/orders".to_string()),
            state: Some("ENABLED".to_string()),
            event_pattern: None,
            retention_days: Some(7),
            event_count: Some(3),
            size_bytes: Some(300),
        }
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("", NOW).unwrap(), (NOW - 3_600_000, NOW));
        assert_eq!(parse_range("2h", NOW).unwrap(), (NOW - 7_200_000, NOW));
        assert_eq!(
            parse_range("2024-05-01T10:00:00Z..2024-05-01T11:00:00Z", NOW).unwrap(),
            (NOW - 7_200_000, NOW - 3_600_000)
        );
        assert_eq!(
            parse_range("1d..now", NOW).unwrap(),
            (NOW - 86_400_000, NOW)
        );
        assert!(parse_range("now..1h", NOW).is_err());
        assert!(
            parse_range("yesterday", NOW)
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
    }

    #[test]
    fn a_plan_names_the_replay_and_its_bus() {
        let p = plan(&archive(), NOW - 3_600_000, NOW, NOW).unwrap();
        assert_eq!(p.name, "orders-archive-1714564800000");
        // Two replays started in the same second are two replays.
        let again = plan(&archive(), NOW - 3_600_000, NOW, NOW + 1).unwrap();
        assert_ne!(again.name, p.name);
        assert!(again.name.len() <= 64);
        assert_eq!(p.bus(), "orders");
        let c = confirmation(&p);
        assert_eq!(c.title, "replay archive orders-archive to bus orders");
        assert!(c.facts[0].contains("2024-05-01T11:00:00Z to 2024-05-01T12:00:00Z"));
        let mut unknown = archive();
        unknown.source_arn = None;
        assert!(plan(&unknown, 0, 1, NOW).is_err());
        assert!(plan(&archive(), 5, 5, NOW).is_err());
    }

    #[test]
    fn progress_runs_through_the_range() {
        let r = Replay {
            state: Some("RUNNING".to_string()),
            event_start_ms: Some(0),
            event_end_ms: Some(100),
            last_replayed_ms: Some(25),
            ..Replay::default()
        };
        assert_eq!(r.progress(), Some(0.25));
        assert!(r.is_active());
        let done = Replay {
            state: Some("COMPLETED".to_string()),
            ..Replay::default()
        };
        assert_eq!(done.progress(), Some(1.0));
        assert!(!done.is_active());
    }
}
