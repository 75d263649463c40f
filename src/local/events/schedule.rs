//! Schedule expressions of scheduled rules, read with EventBridge's rules,
//! and the times they fire at: pure, the time is a parameter.
//!
//! - `rate(N unit)`: N a positive integer, the unit `minute`, `hour` or `day`,
//!   singular when N is 1 and plural otherwise, lower case, one space, nothing
//!   else inside the parentheses ("rate(1 minutes)", "rate(10 MINUTES)" and
//!   "rate( 10 minutes )" are refused, as AWS refuses them). A rate rule
//!   fires every N units after the time it was scheduled at (its anchor).
//! - `cron(minutes hours day-of-month month day-of-week year)`: six fields,
//!   UTC. Each takes `*`, values, `a-b` ranges, `,` lists and `/` steps
//!   (`0/5`, `*/10`); months take `JAN`-`DEC`, days of the week `SUN`-`SAT`
//!   (1-7, Sunday first). Day-of-month also takes `L` (last day), `LW` (last
//!   weekday) and `15W` (the weekday nearest the 15th); day-of-week `6L` (the
//!   last Friday) and `SAT#3` (the third Saturday). One of day-of-month and
//!   day-of-week must be `?` and the other not (AWS: "You can't specify the
//!   Day-of-month and Day-of-week fields in the same cron expression").
//!   Years run 1970-2199. A cron rule fires at each matching minute.
//!
//! Anything else is refused with AWS's one message,
//! "Parameter ScheduleExpression is not valid." (the message of
//! LocalStack's AWS-validated `test_events_schedule.py` snapshots).

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// At most this many firings are reported for one window (a backend that
/// slept for days does not flood its targets when it wakes).
pub(super) const MAX_FIRINGS: usize = 1_000;

/// EventBridge's answer to any schedule expression it does not accept.
pub(super) const INVALID: &str = "Parameter ScheduleExpression is not valid.";

/// A valid schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Schedule {
    /// Every `period_ms`, counted from the rule's anchor.
    Rate {
        period_ms: i64,
    },
    Cron(Cron),
}

/// The six fields of a `cron(...)` expression, each expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cron {
    minutes: Vec<u32>,
    hours: Vec<u32>,
    days: Days,
    months: Vec<u32>,
    /// None: any year.
    years: Option<Vec<u32>>,
}

/// Which days of a month match: by day-of-month or by day-of-week (the other is `?`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Days {
    OfMonth(Vec<DayOfMonth>),
    OfWeek(Vec<DayOfWeek>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    Any,
    /// Days given as values, ranges or steps.
    Days(Vec<u32>),
    Last,
    LastWeekday,
    /// The weekday nearest this day, in the same month.
    NearestWeekday(u32),
}

/// Days of the week are 1-7, Sunday first, as AWS numbers them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    Any,
    /// Days given as values, names, ranges or steps.
    Days(Vec<u32>),
    /// The last such day of the month (`6L`).
    Last(u32),
    /// The n-th such day of the month (`SAT#3`).
    Nth(u32, u32),
}

impl Schedule {
    /// Reads a schedule expression; `Err` holds AWS's message.
    pub(super) fn parse(text: &str) -> Result<Schedule, &'static str> {
        if let Some(inner) = text.strip_prefix("rate(").and_then(|s| s.strip_suffix(')')) {
            return rate(inner).ok_or(INVALID);
        }
        if let Some(inner) = text.strip_prefix("cron(").and_then(|s| s.strip_suffix(')')) {
            return Cron::parse(inner).map(Schedule::Cron).ok_or(INVALID);
        }
        Err(INVALID)
    }

    /// The times in (`t0`, `t1`] this schedule fires at (epoch milliseconds,
    /// oldest first, at most [`MAX_FIRINGS`]); a rate counts from `anchor`.
    pub(super) fn fires_between(&self, anchor: i64, t0: i64, t1: i64) -> Vec<i64> {
        let mut out = Vec::new();
        if t1 <= t0 {
            return out;
        }
        match self {
            Schedule::Rate { period_ms } => {
                let period = (*period_ms).max(1);
                // The first multiple of the period after both the anchor and t0.
                let k = if t0 < anchor {
                    1
                } else {
                    (t0 - anchor) / period + 1
                };
                let mut t = anchor + k * period;
                while t <= t1 && out.len() < MAX_FIRINGS {
                    out.push(t);
                    t += period;
                }
            }
            Schedule::Cron(c) => c.fires_between(t0, t1, &mut out),
        }
        out
    }
}

/// `N unit` of a `rate(...)`.
fn rate(inner: &str) -> Option<Schedule> {
    let (n, unit) = inner.split_once(' ')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = n.parse().ok()?;
    if n < 1 {
        return None;
    }
    let (singular, unit_ms) = match unit {
        "minute" => (true, MINUTE_MS),
        "minutes" => (false, MINUTE_MS),
        "hour" => (true, 60 * MINUTE_MS),
        "hours" => (false, 60 * MINUTE_MS),
        "day" => (true, DAY_MS),
        "days" => (false, DAY_MS),
        _ => return None,
    };
    if singular != (n == 1) {
        return None;
    }
    Some(Schedule::Rate {
        period_ms: n.checked_mul(unit_ms)?,
    })
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Cron {
    fn parse(inner: &str) -> Option<Cron> {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [min, hour, dom, month, dow, year] = fields[..] else {
            return None;
        };
        let minutes = values(min, 0, 59, &[])?;
        let hours = values(hour, 0, 23, &[])?;
        let months = values(month, 1, 12, &MONTHS)?;
        let years = if year == "*" {
            None
        } else {
            Some(values(year, 1970, 2199, &[])?)
        };
        let days = match (dom, dow) {
            ("?", "?") => return None,
            ("?", _) => Days::OfWeek(
                dow.split(',')
                    .map(day_of_week)
                    .collect::<Option<Vec<_>>>()?,
            ),
            (_, "?") => Days::OfMonth(
                dom.split(',')
                    .map(day_of_month)
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        };
        Some(Cron {
            minutes,
            hours,
            days,
            months,
            years,
        })
    }

    fn fires_between(&self, t0: i64, t1: i64, out: &mut Vec<i64>) {
        let mut day = t0.div_euclid(DAY_MS);
        let last_day = t1.div_euclid(DAY_MS);
        while day <= last_day && out.len() < MAX_FIRINGS {
            if self.day_matches(day) {
                for &h in &self.hours {
                    for &m in &self.minutes {
                        let t = day * DAY_MS + (h as i64 * 60 + m as i64) * MINUTE_MS;
                        if t > t0 && t <= t1 && out.len() < MAX_FIRINGS {
                            out.push(t);
                        }
                    }
                }
            }
            day += 1;
        }
    }

    /// Does the day (days since 1970-01-01, UTC) match year, month and day fields?
    fn day_matches(&self, day: i64) -> bool {
        let (y, m, d) = civil(day);
        if self.years.as_ref().is_some_and(|ys| !ys.contains(&y)) || !self.months.contains(&m) {
            return false;
        }
        let last = days_in_month(y, m);
        // The weekday of day `n` of this month: 1 = Sunday … 7 = Saturday
        // (1970-01-01, day 0, was a Thursday).
        let weekday = |n: u32| {
            let index = day - i64::from(d) + i64::from(n);
            ((index + 4).rem_euclid(7) + 1) as u32
        };
        let dow = weekday(d);
        match &self.days {
            Days::OfMonth(items) => items.iter().any(|i| match i {
                DayOfMonth::Any => true,
                DayOfMonth::Days(ds) => ds.contains(&d),
                DayOfMonth::Last => d == last,
                DayOfMonth::LastWeekday => d == last_weekday(last, weekday(last)),
                DayOfMonth::NearestWeekday(n) => {
                    *n <= last && d == nearest_weekday(*n, weekday(*n), last)
                }
            }),
            Days::OfWeek(items) => items.iter().any(|i| match i {
                DayOfWeek::Any => true,
                DayOfWeek::Days(ds) => ds.contains(&dow),
                DayOfWeek::Last(n) => *n == dow && d + 7 > last,
                DayOfWeek::Nth(n, k) => *n == dow && (d - 1) / 7 + 1 == *k,
            }),
        }
    }
}

/// The last Monday-to-Friday of a month of `last` days whose last day is weekday `w`.
fn last_weekday(last: u32, w: u32) -> u32 {
    match w {
        1 => last - 2, // Sunday → Friday
        7 => last - 1, // Saturday → Friday
        _ => last,
    }
}

/// The weekday nearest day `n` (weekday `w`) without leaving its month.
fn nearest_weekday(n: u32, w: u32, last: u32) -> u32 {
    match w {
        7 if n == 1 => 3,        // Saturday the 1st → Monday the 3rd
        7 => n - 1,              // Saturday → Friday
        1 if n == last => n - 2, // Sunday the last → Friday
        1 => n + 1,              // Sunday → Monday
        _ => n,
    }
}

/// A comma list of `*`, `a`, `a-b`, `a/s`, `a-b/s`, `*/s` within `lo..=hi`
/// (names allowed when given), expanded and sorted.
fn values(field: &str, lo: u32, hi: u32, names: &[&str]) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(number(s, 1, hi.max(1))?)),
            None => (item, None),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, lo, hi, names)?, value(b, lo, hi, names)?)
        } else {
            let a = value(range, lo, hi, names)?;
            // `a/s` runs from a to the top; a lone value is itself.
            (a, if step.is_some() { hi } else { a })
        };
        let step = step.unwrap_or(1) as usize;
        if a <= b {
            out.extend((a..=b).step_by(step));
        } else {
            // A wrapping range (`FRI-MON`, `22-2`).
            out.extend((a..=hi).chain(lo..=b).step_by(step));
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// One value: a number within `lo..=hi`, or a name (1-based from `lo`).
fn value(s: &str, lo: u32, hi: u32, names: &[&str]) -> Option<u32> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Some(lo + i as u32);
    }
    number(s, lo, hi)
}

fn number(s: &str, lo: u32, hi: u32) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = s.parse().ok()?;
    (lo..=hi).contains(&n).then_some(n)
}

fn day_of_month(item: &str) -> Option<DayOfMonth> {
    match item {
        "*" => return Some(DayOfMonth::Any),
        "L" => return Some(DayOfMonth::Last),
        "LW" => return Some(DayOfMonth::LastWeekday),
        _ => {}
    }
    if let Some(n) = item.strip_suffix('W') {
        return Some(DayOfMonth::NearestWeekday(number(n, 1, 31)?));
    }
    Some(DayOfMonth::Days(values(item, 1, 31, &[])?))
}

fn day_of_week(item: &str) -> Option<DayOfWeek> {
    if item == "*" {
        return Some(DayOfWeek::Any);
    }
    if item == "L" {
        return Some(DayOfWeek::Days(vec![7]));
    }
    if let Some((d, k)) = item.split_once('#') {
        return Some(DayOfWeek::Nth(value(d, 1, 7, &WEEKDAYS)?, number(k, 1, 5)?));
    }
    if let Some(d) = item.strip_suffix('L') {
        return Some(DayOfWeek::Last(value(d, 1, 7, &WEEKDAYS)?));
    }
    Some(DayOfWeek::Days(values(item, 1, 7, &WEEKDAYS)?))
}

/// (year, month 1-12, day 1-31) of a day counted from 1970-01-01.
fn civil(day: i64) -> (u32, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u32;
    (y, m, d)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Schedule {
        Schedule::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn refused(s: &str) {
        assert_eq!(Schedule::parse(s), Err(INVALID), "{s} accepted");
    }

    /// 2024-05-01T00:00:00Z, a Wednesday.
    const MAY1: i64 = 1_714_521_600_000;

    fn at(day: i64, h: i64, m: i64) -> i64 {
        MAY1 + day * DAY_MS + (h * 60 + m) * MINUTE_MS
    }

    #[test]
    fn rates_take_a_positive_count_and_a_unit_that_agrees_with_it() {
        assert_eq!(ok("rate(1 minute)"), Schedule::Rate { period_ms: 60_000 });
        assert_eq!(ok("rate(5 minutes)"), Schedule::Rate { period_ms: 300_000 });
        assert_eq!(
            ok("rate(1 hour)"),
            Schedule::Rate {
                period_ms: 3_600_000
            }
        );
        assert_eq!(
            ok("rate(2 days)"),
            Schedule::Rate {
                period_ms: 2 * DAY_MS
            }
        );
        // The cases of LocalStack's AWS-validated test_put_rule_with_invalid_schedule_rate.
        for s in [
            "rate(10 seconds)",
            "rate(10 years)",
            "rate(1 minutes)",
            "rate(1 hours)",
            "rate(1 days)",
            "rate(10 minute)",
            "rate(10 hour)",
            "rate(10 day)",
            "rate()",
            "rate(10)",
            "rate(10 minutess)",
            "rate(foo minutes)",
            "rate(0 minutes)",
            "rate(-10 minutes)",
            "rate(10 MINUTES)",
            "rate( 10 minutes )",
            " rate(10 minutes)",
            "rate(10  minutes)",
            "rate(99999999999999999999 minutes)",
            "every(5 minutes)",
        ] {
            refused(s);
        }
    }

    #[test]
    fn crons_take_six_fields_with_aws_rules() {
        // The cases of LocalStack's AWS-validated tests_put_rule_with_schedule_cron.
        for s in [
            "cron(0 2 ? * SAT *)",
            "cron(0 12 * * ? *)",
            "cron(5,35 14 * * ? *)",
            "cron(15 10 ? * 6L 2002-2005)",
            "cron(0 2 ? * SAT#3 *)",
            "cron(* * ? * SAT#3 *)",
            "cron(0/5 5 ? JAN 1-5 2022)",
            "cron(0 18 ? * MON-FRI *)",
            "cron(0 8 1 * ? *)",
            "cron(0/15 * * * ? *)",
            "cron(0/10 * ? * MON-FRI *)",
            "cron(0/5 8-17 ? * MON-FRI *)",
            "cron(0/30 20-23 ? * MON-FRI *)",
            "cron(0/30 0-2 ? * MON-FRI *)",
            "cron(0 0 L * ? *)",
            "cron(0 0 LW * ? *)",
            "cron(0 0 15W * ? *)",
            "cron(*/10 * ? * * *)",
        ] {
            ok(s);
        }
        // tests_put_rule_with_invalid_schedule_cron, and the field rules.
        for s in [
            "cron(0 1 * * * *)",
            "cron(7 20 * * NOT *)",
            "cron(INVALID)",
            "cron(0 dummy ? * MON-FRI *)",
            "cron(71 8 1 * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 0 32 * ? *)",
            "cron(0 0 ? * 8 *)",
            "cron(0 0 ? 13 * *)",
            "cron(0 0 ? * * 2200)",
            "cron(0 0 ? * ? *)",
            "cron(0 0 * * ? * *)",
            "cron(0 0 * * ?)",
            "cron(0 0 ? * SAT#6 *)",
            "cron(0/0 * * * ? *)",
            "cron(0 0 L * MON *)",
            "cron(0 0 ? * 1W *)",
        ] {
            refused(s);
        }
    }

    #[test]
    fn a_rate_fires_every_period_after_its_anchor() {
        let s = ok("rate(1 minute)");
        let anchor = MAY1 + 12_345;
        assert!(s.fires_between(anchor, anchor, anchor + 59_999).is_empty());
        assert_eq!(
            s.fires_between(anchor, anchor, anchor + 60_000),
            [anchor + 60_000]
        );
        assert_eq!(
            s.fires_between(anchor, anchor + 60_000, anchor + 180_000),
            [anchor + 120_000, anchor + 180_000],
            "the window's start is excluded, its end included"
        );
        // A window before the anchor fires nothing; one straddling it starts a period after.
        assert!(s.fires_between(anchor, anchor - 120_000, anchor).is_empty());
        assert_eq!(
            s.fires_between(anchor, anchor - 1, anchor + 61_000),
            [anchor + 60_000]
        );
        let many = s.fires_between(anchor, anchor, anchor + 10 * DAY_MS);
        assert_eq!(many.len(), MAX_FIRINGS);
    }

    #[test]
    fn a_cron_fires_at_each_matching_minute() {
        let noon = ok("cron(0 12 * * ? *)");
        assert_eq!(
            noon.fires_between(0, at(0, 0, 0), at(2, 12, 0)),
            [at(0, 12, 0), at(1, 12, 0), at(2, 12, 0)]
        );
        let twice = ok("cron(5,35 14 * * ? *)");
        assert_eq!(
            twice.fires_between(0, at(0, 14, 5), at(0, 23, 0)),
            [at(0, 14, 35)]
        );
        let every15 = ok("cron(0/15 * * * ? *)");
        assert_eq!(every15.fires_between(0, at(0, 0, 0), at(0, 1, 0)).len(), 4);
        // Weekdays: May 2024 starts on a Wednesday; the 4th and 5th are a weekend.
        let workdays = ok("cron(0 18 ? * MON-FRI *)");
        let days: Vec<i64> = workdays
            .fires_between(0, at(0, 0, 0), at(7, 0, 0))
            .iter()
            .map(|t| (t - MAY1) / DAY_MS)
            .collect();
        assert_eq!(days, [0, 1, 2, 5, 6]);
        // Years outside the list never fire.
        assert!(
            ok("cron(0 0 * * ? 2023)")
                .fires_between(0, at(0, 0, 0), at(30, 0, 0))
                .is_empty()
        );
    }

    #[test]
    fn special_days_follow_aws() {
        let day_of = |expr: &str, month_days: i64| -> Vec<i64> {
            ok(expr)
                .fires_between(0, at(0, 0, 0) - 1, at(month_days - 1, 23, 59))
                .iter()
                .map(|t| (t - MAY1) / DAY_MS + 1)
                .collect()
        };
        // May 2024: 31 days, Wed 1st, Fri 31st; Sat 4th, Sun 5th.
        assert_eq!(day_of("cron(0 0 L * ? *)", 31), [31]);
        assert_eq!(day_of("cron(0 0 LW * ? *)", 31), [31]);
        assert_eq!(day_of("cron(0 0 4W * ? *)", 31), [3], "Saturday → Friday");
        assert_eq!(day_of("cron(0 0 5W * ? *)", 31), [6], "Sunday → Monday");
        assert_eq!(day_of("cron(0 0 ? * 6L *)", 31), [31], "last Friday");
        assert_eq!(day_of("cron(0 0 ? * SAT#3 *)", 31), [18]);
        assert_eq!(day_of("cron(0 0 ? * L *)", 31), [4, 11, 18, 25]);
        // June 2024 starts on a Saturday: 1W is Monday the 3rd; its last day, the
        // 30th, is a Sunday, so LW is Friday the 28th.
        let june = |expr: &str| -> Vec<i64> {
            ok(expr)
                .fires_between(0, at(31, 0, 0) - 1, at(60, 23, 59))
                .iter()
                .map(|t| (t - at(31, 0, 0)) / DAY_MS + 1)
                .collect()
        };
        assert_eq!(june("cron(0 0 1W 6 ? *)"), [3]);
        assert_eq!(june("cron(0 0 LW 6 ? *)"), [28]);
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil((MAY1 / DAY_MS) + 29), (2024, 5, 30));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
    }
}
