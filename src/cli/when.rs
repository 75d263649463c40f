//! Times and durations on the command line: durations (`30s`, `10m`, `2h`,
//! `1d`, `1h30m`; parsed by `humantime`), RFC 3339 times (parsed and
//! written with the `time` crate), and the fixed-width UTC timestamps the
//! tables show.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A compact duration: `30s`, `10m`, `2h`, `1d`, `1w`, `1h30m` (no spaces).
/// `None` when `s` is not one.
fn compact(s: &str) -> Option<Duration> {
    if s.is_empty()
        || s.contains(char::is_whitespace)
        || !s.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    humantime::parse_duration(s).ok()
}

/// `--duration`: `30s`, `10m`, `2h`, `1d` (any compact `humantime`
/// duration), or a number of seconds; at least 1s.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let d = if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        t.parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| format!("`{s}` is too long"))?
    } else {
        compact(t).ok_or_else(|| format!("`{s}` is not a duration: write 30s, 10m, 2h or 1d"))?
    };
    if d < Duration::from_secs(1) {
        return Err("the duration must be at least 1s".to_string());
    }
    Ok(d)
}

/// An RFC 3339 time (`2024-05-01T12:00:00Z`, `…+01:00`) as milliseconds
/// since the epoch.
pub(crate) fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// A compact duration (see [`parse_duration`], zero allowed); `None` when
/// `s` is not one.
pub(crate) fn parse_compact_duration(s: &str) -> Option<Duration> {
    compact(s.trim())
}

/// Seconds since the epoch (fractions kept) as RFC 3339 in UTC:
/// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.5Z`.
pub(crate) fn rfc3339_secs(secs: f64) -> Result<String, String> {
    let nanos = (secs * 1e9).round();
    if !nanos.is_finite() {
        return Err(format!("{secs} is not a time"));
    }
    OffsetDateTime::from_unix_timestamp_nanos(nanos as i128)
        .map_err(|e| e.to_string())
        .and_then(|t| t.format(&Rfc3339).map_err(|e| e.to_string()))
}

/// Milliseconds since the epoch as RFC 3339 in UTC, always with three
/// decimals so that the column keeps its width: `2024-05-01T12:00:00.120Z`.
pub(crate) fn rfc3339(ms: i64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("10min"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("10 minutes").is_err());
    }

    #[test]
    fn times() {
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
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_rfc3339_ms("1970-01-01T01:00:01+01:00"), Some(1000));
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }
}
