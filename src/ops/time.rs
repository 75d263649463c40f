//! Times as an operator types them, one parser for every place that asks:
//! `now`, a duration ago (`30m`, `2h`, `1d`), a clock time (`14:05`,
//! `14:05:30`, UTC, today or, when that is still to come, yesterday) and
//! RFC 3339 (`2024-05-01T12:00:00Z`). The archives' replay range and the
//! terminal UI's "jump to a time" in a log group use it, so both take the
//! same text.

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
        if s.starts_with(|c: char| c.is_ascii_digit())
            && !s.contains(char::is_whitespace)
            && let Ok(d) = humantime::parse_duration(s)
        {
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
            When::Ago(d) => now_ms - d.as_millis() as i64,
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
}
