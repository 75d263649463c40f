//! Times as an operator types them, one parser for every place that asks:
//! `now`, a duration ago (`30m`, `2h`, `1d`), a clock time (`14:05`,
//! `14:05:30`, UTC, today or, when that is still to come, yesterday) and
//! RFC 3339 (`2024-05-01T12:00:00Z`). The archives' replay range, the
//! terminal UI's "jump to a time" in a log group and the command line's
//! `--since` use it, so all take the same text. Also the lengths of time
//! the command line takes (`--duration 10m`) and the RFC 3339 text eddy
//! writes (tables, JSON), so that reading and writing times live in one place.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Error;

const DAY_MS: i64 = 86_400_000;

/// A time as typed, before it is read against a clock: what a request
/// carries, so that the code that asks stays free of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Now,
    /// This long before now.
    Ago(std::time::Duration),
    /// The last time the UTC clock showed this (ms into the day): today, or
    /// yesterday when it is still to come.
    Clock(i64),
    /// Milliseconds since the epoch.
    At(i64),
}

impl When {
    /// `now`, an RFC 3339 time, a clock time in UTC (`14:05`, `14:05:30`),
    /// or a duration ago (`30m`, `2h`, `1d`).
    pub fn parse(s: &str) -> Result<When, Error> {
        let s = s.trim();
        if s == "now" {
            return Ok(When::Now);
        }
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Ok(When::At((t.unix_timestamp_nanos() / 1_000_000) as i64));
        }
        if let Some(of_day) = clock(s) {
            return Ok(When::Clock(of_day));
        }
        if let Some(d) = compact_duration(s) {
            return Ok(When::Ago(d));
        }
        Err(Error::Invalid(format!(
            "`{s}` is not a time: write a duration ago (30m, 2h, 1d), a UTC clock time (14:05), \
             an RFC 3339 time (2024-05-01T12:00:00Z) or `now`"
        )))
    }

    /// Milliseconds since the epoch, the time now being `now_ms`.
    pub fn at(self, now_ms: i64) -> i64 {
        match self {
            When::Now => now_ms,
            When::Ago(d) => now_ms.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            When::Clock(of_day) => {
                let today = now_ms.div_euclid(DAY_MS) * DAY_MS + of_day;
                if today > now_ms {
                    today - DAY_MS
                } else {
                    today
                }
            }
            When::At(ms) => ms,
        }
    }
}

/// A time as milliseconds since the epoch, given the time now (`now_ms`):
/// see [`When::parse`].
pub fn parse_time(s: &str, now_ms: i64) -> Result<i64, Error> {
    When::parse(s).map(|w| w.at(now_ms))
}

/// A compact duration: `30s`, `10m`, `2h`, `1d`, `1w`, `1h30m` (no spaces;
/// parsed by `humantime`). `None` when `s` (trimmed) is not one.
pub fn compact_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty()
        || s.contains(char::is_whitespace)
        || !s.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    humantime::parse_duration(s).ok()
}

/// A length of time (how long a tail runs): a compact duration (see
/// [`compact_duration`]) or a number of seconds; at least 1s.
pub fn parse_length(s: &str) -> Result<Duration, Error> {
    let t = s.trim();
    let d = if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        t.parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| Error::Invalid(format!("`{s}` is too long")))?
    } else {
        compact_duration(t).ok_or_else(|| {
            Error::Invalid(format!("`{s}` is not a duration: write 30s, 10m, 2h or 1d"))
        })?
    };
    if d < Duration::from_secs(1) {
        return Err(Error::Invalid(
            "the duration must be at least 1s".to_string(),
        ));
    }
    Ok(d)
}

/// An RFC 3339 time (`2024-05-01T12:00:00Z`, `…+01:00`) as milliseconds
/// since the epoch; `None` when `s` is not one.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Seconds since the epoch (fractions kept) as RFC 3339 in UTC:
/// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.5Z`.
pub fn rfc3339_secs(secs: f64) -> Result<String, Error> {
    let nanos = (secs * 1e9).round();
    if !nanos.is_finite() {
        return Err(Error::Invalid(format!("{secs} is not a time")));
    }
    OffsetDateTime::from_unix_timestamp_nanos(nanos as i128)
        .map_err(|e| Error::Invalid(format!("{secs} is not a time: {e}")))
        .and_then(|t| {
            t.format(&Rfc3339)
                .map_err(|e| Error::Invalid(format!("{secs} cannot be written as RFC 3339: {e}")))
        })
}

/// Milliseconds since the epoch as RFC 3339 in UTC, always with three
/// decimals so that the column keeps its width: `2024-05-01T12:00:00.120Z`.
pub fn rfc3339(ms: i64) -> String {
    let whole = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok());
    match whole {
        Some(s) => match s.strip_suffix('Z') {
            Some(secs) => format!("{secs}.{:03}Z", ms.rem_euclid(1000)),
            None => s,
        },
        None => ms.to_string(),
    }
}

/// `HH:MM` or `HH:MM:SS` as milliseconds into the day; `None` otherwise.
fn clock(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<i64>().ok());
    let (h, m, sec) = (n(0)?, n(1)?, n(2)?);
    (h < 24 && m < 60 && sec < 60).then_some(((h * 60 + m) * 60 + sec) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z

    #[test]
    fn durations_clock_times_and_rfc3339() {
        assert_eq!(parse_time("now", NOW).unwrap(), NOW);
        assert_eq!(parse_time("10m", NOW).unwrap(), NOW - 600_000);
        assert_eq!(parse_time(" 2h ", NOW).unwrap(), NOW - 7_200_000);
        assert_eq!(
            parse_time("2024-05-01T11:00:00Z", NOW).unwrap(),
            NOW - 3_600_000
        );
        // Earlier today.
        assert_eq!(parse_time("11:05", NOW).unwrap(), NOW - 55 * 60_000);
        assert_eq!(parse_time("11:59:30", NOW).unwrap(), NOW - 30_000);
        // Still to come today: yesterday's.
        assert_eq!(
            parse_time("14:05", NOW).unwrap(),
            NOW + 125 * 60_000 - DAY_MS
        );
        for bad in ["", "soon", "25:00", "14:60", "1:2:3:4", "10 m", "14:"] {
            assert!(parse_time(bad, NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_lines_since_forms() {
        // What `eddy logs --since` took before it used this parser.
        assert_eq!(
            When::parse("30s").unwrap(),
            When::Ago(Duration::from_secs(30))
        );
        assert_eq!(
            When::parse("10m").unwrap(),
            When::Ago(Duration::from_secs(600))
        );
        assert_eq!(
            When::parse("2h").unwrap(),
            When::Ago(Duration::from_secs(7200))
        );
        assert_eq!(
            When::parse("1d").unwrap(),
            When::Ago(Duration::from_secs(86_400))
        );
        assert_eq!(
            When::parse("1w").unwrap(),
            When::Ago(Duration::from_secs(604_800))
        );
        assert_eq!(
            When::parse("1h30m").unwrap(),
            When::Ago(Duration::from_secs(5400))
        );
        assert_eq!(When::parse("1970-01-01T00:00:01Z").unwrap(), When::At(1000));
        assert_eq!(
            When::parse("1970-01-01T01:00:01+01:00").unwrap(),
            When::At(1000)
        );
        for bad in ["10 minutes", "yesterday", "5x"] {
            let e = When::parse(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
        assert_eq!(When::Ago(Duration::from_secs(1)).at(5000), 4000);
        assert_eq!(When::Ago(Duration::MAX).at(5000), 5000 - i64::MAX);
    }

    #[test]
    fn lengths() {
        let ok = |s: &str| parse_length(s).unwrap();
        assert_eq!(ok("30s"), Duration::from_secs(30));
        assert_eq!(ok("45"), Duration::from_secs(45));
        assert_eq!(ok("10m"), Duration::from_secs(600));
        assert_eq!(ok("10min"), Duration::from_secs(600));
        assert_eq!(ok("2h"), Duration::from_secs(7200));
        assert_eq!(ok("1d"), Duration::from_secs(86_400));
        for bad in ["0s", "soon", "5x", "10 minutes"] {
            assert!(parse_length(bad).is_err(), "{bad}");
        }
        assert_eq!(compact_duration(" 0s "), Some(Duration::ZERO));
        assert_eq!(compact_duration("s"), None);
    }

    #[test]
    fn rfc3339_reading_and_writing() {
        assert_eq!(rfc3339(1_714_564_800_120), "2024-05-01T12:00:00.120Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            rfc3339_secs(1_714_564_800.0).unwrap(),
            "2024-05-01T12:00:00Z"
        );
        assert_eq!(
            rfc3339_secs(1_714_564_800.5).unwrap(),
            "2024-05-01T12:00:00.5Z"
        );
        assert!(rfc3339_secs(f64::NAN).is_err());
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_rfc3339_ms("1970-01-01T01:00:01+01:00"), Some(1000));
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }
}
