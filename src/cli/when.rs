//! The command line's times as clap value parsers: thin glue over
//! [`crate::ops::time`], which holds the one grammar the CLI and the TUI
//! share (`--since` takes what the TUI's jump takes); clap wants the error
//! as text.

use std::time::Duration;

use crate::ops::time::{self, When};

/// `--since`: `now`, a duration ago (`30s`, `10m`, `2h`, `1d`, `1w`), a UTC
/// clock time (`14:05`) or an RFC 3339 time (`2024-05-01T12:00:00Z`, offsets
/// allowed). See [`When::parse`].
pub(crate) fn parse_since(s: &str) -> Result<When, String> {
    When::parse(s).map_err(|e| e.to_string())
}

/// `--duration`: `30s`, `10m`, `2h`, `1d` or a number of seconds; at least
/// 1s. See [`time::parse_length`].
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    time::parse_length(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_and_duration_take_the_shared_grammar() {
        assert_eq!(parse_since("30s"), Ok(When::Ago(Duration::from_secs(30))));
        assert_eq!(parse_since("1970-01-01T00:00:01Z"), Ok(When::At(1000)));
        assert_eq!(parse_since("now"), Ok(When::Now));
        assert_eq!(parse_since("14:05"), Ok(When::Clock(50_700_000)));
        let e = parse_since("yesterday").unwrap_err();
        assert!(e.contains("`yesterday` is not a time"), "{e}");
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(
            parse_duration("0s"),
            Err("the duration must be at least 1s".to_string())
        );
    }
}
