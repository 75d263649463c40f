//! What a rule's target receives for an event: the target's `Input`,
//! `InputPath` or `InputTransformer` (`InputPathsMap` + `InputTemplate`)
//! applied to the event, as EventBridge does it. eddy's backend delivers
//! with these functions and the workbench previews with them, so the preview
//! is exactly what the backend sends.
//!
//! Pure: no I/O, no async.
//!
//! ```
//! use eddy::pattern::transform::{Delivery, Input};
//! let input = Input::transformer([("id", "$.detail.id")], r#"{"order": <id>}"#).unwrap();
//! let event = r#"{"id":"e-1","time":"2024-05-01T12:00:00Z","detail":{"id":"o-7"}}"#;
//! let d = Delivery::of_event(event, "r1", "arn:aws:events:us-east-1:1:rule/r1");
//! assert_eq!(input.render(&d), r#"{"order":"o-7"}"#);
//! ```

use std::fmt::Write as _;

use super::json::{self, Kind, Value};

/// A JSONPath of the subset EventBridge takes: `$`, `$.a.b`, `$.a[0]`, `$['a']`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath(Vec<Step>);

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl JsonPath {
    /// The path, or `None` when it is not one EventBridge takes.
    pub fn parse(s: &str) -> Option<JsonPath> {
        let b = s.as_bytes();
        if b.first() != Some(&b'$') {
            return None;
        }
        let mut steps = Vec::new();
        let mut i = 1;
        while i < b.len() {
            match b[i] {
                b'.' => {
                    let start = i + 1;
                    let mut j = start;
                    while j < b.len() && !matches!(b[j], b'.' | b'[') {
                        j += 1;
                    }
                    let key = &s[start..j];
                    if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == ']') {
                        return None;
                    }
                    steps.push(Step::Key(key.to_string()));
                    i = j;
                }
                b'[' => {
                    let close = i + s[i..].find(']')?;
                    let inner = &s[i + 1..close];
                    if let Ok(n) = inner.parse::<usize>() {
                        steps.push(Step::Index(n));
                    } else {
                        let q = inner.chars().next()?;
                        if !(q == '\'' || q == '"') || inner.len() < 2 || !inner.ends_with(q) {
                            return None;
                        }
                        steps.push(Step::Key(inner[1..inner.len() - 1].to_string()));
                    }
                    i = close + 1;
                }
                _ => return None,
            }
        }
        Some(JsonPath(steps))
    }

    /// The value at this path (the last of duplicate keys), if any.
    pub fn resolve<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut v = root;
        for step in &self.0 {
            v = match (step, &v.kind) {
                (Step::Key(k), Kind::Object(members)) => members
                    .iter()
                    .rev()
                    .find(|(name, _, _)| name == k)
                    .map(|(_, _, v)| v)?,
                (Step::Index(n), Kind::Array(items)) => items.get(*n)?,
                _ => return None,
            };
        }
        Some(v)
    }
}

/// An input template, split into literal text and placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    segments: Vec<Segment>,
    /// Not JSON (plain text): values go in as text.
    plain: bool,
    /// Not a JSON object or array (plain text, or one JSON string): objects
    /// and lists go in with their quotes removed (`{a:1,b:[x,y]}`), as
    /// EventBridge writes them into text.
    text: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Text(String),
    Var { var: Var, quoted: bool },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Var {
    /// The n-th InputPathsMap entry.
    Path(usize),
    RuleArn,
    RuleName,
    IngestionTime,
    /// The event without its detail.
    Event,
    /// The whole event.
    EventJson,
}

impl Template {
    /// `names` are the InputPathsMap keys, in the order of the paths.
    pub fn compile(template: &str, names: &[String]) -> Template {
        let first = template.trim_start().chars().next();
        let json = matches!(first, Some('{' | '['));
        let plain = !json && first != Some('"');
        let var_of = |name: &str| -> Option<Var> {
            match name {
                "aws.events.rule-arn" => Some(Var::RuleArn),
                "aws.events.rule-name" => Some(Var::RuleName),
                "aws.events.event.ingestion-time" => Some(Var::IngestionTime),
                "aws.events.event" => Some(Var::Event),
                "aws.events.event.json" => Some(Var::EventJson),
                _ => names.iter().position(|n| n == name).map(Var::Path),
            }
        };
        let mut segments = Vec::new();
        let mut text = String::new();
        let (mut in_str, mut escaped) = (false, false);
        let mut chars = template.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '<'
                && let Some(len) = template[i + 1..].find('>')
                && let Some(var) = var_of(&template[i + 1..i + 1 + len])
            {
                if !text.is_empty() {
                    segments.push(Segment::Text(std::mem::take(&mut text)));
                }
                segments.push(Segment::Var {
                    var,
                    quoted: !plain && in_str,
                });
                let end = i + 1 + len;
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
                escaped = false;
                continue;
            }
            if !plain {
                if in_str {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        in_str = false;
                    }
                } else if c == '"' {
                    in_str = true;
                } else if json && c.is_whitespace() {
                    // JSON templates are delivered minified.
                    continue;
                }
            }
            text.push(c);
        }
        if !text.is_empty() {
            segments.push(Segment::Text(text));
        }
        if !plain && !json {
            // A JSON string template: no whitespace around it.
            if let Some(Segment::Text(t)) = segments.first_mut() {
                *t = t.trim_start().to_string();
            }
            if let Some(Segment::Text(t)) = segments.last_mut() {
                *t = t.trim_end().to_string();
            }
        }
        Template {
            segments,
            plain,
            text: !json,
        }
    }
}

/// How a target shapes what it receives.
#[derive(Debug, Clone)]
pub enum Input {
    /// No shaping: the whole event.
    Event,
    /// `Input`: this constant JSON text, whatever the event.
    Constant(String),
    /// `InputPath`: the part of the event at the path (`null` when absent).
    Path(JsonPath),
    /// `InputTransformer`: the template filled with the values at the paths.
    Transformer {
        paths: Vec<JsonPath>,
        template: Template,
    },
}

impl Input {
    /// An `InputPath`; the error says which path is not valid.
    pub fn path(path: &str) -> Result<Input, String> {
        JsonPath::parse(path)
            .map(Input::Path)
            .ok_or_else(|| format!("InputPath {path} is not a valid JSON path"))
    }

    /// An `InputTransformer` from its `InputPathsMap` entries and `InputTemplate`.
    pub fn transformer<'a>(
        paths_map: impl IntoIterator<Item = (&'a str, &'a str)>,
        template: &str,
    ) -> Result<Input, String> {
        let mut names = Vec::new();
        let mut paths = Vec::new();
        for (name, path) in paths_map {
            if name.starts_with("aws.events.") || name.starts_with("AWS.") {
                return Err(format!("InputPathsMap key {name} is reserved"));
            }
            let p = JsonPath::parse(path).ok_or_else(|| {
                format!("InputPathsMap value for {name} ({path}) is not a valid JSON path")
            })?;
            names.push(name.to_string());
            paths.push(p);
        }
        Ok(Input::Transformer {
            paths,
            template: Template::compile(template, &names),
        })
    }

    /// What the target receives for the delivery.
    pub fn render(&self, d: &Delivery<'_>) -> String {
        match self {
            Input::Event => d.event.to_string(),
            Input::Constant(c) => c.clone(),
            Input::Path(path) => match json::parse(d.event.as_bytes()) {
                Ok(root) => match path.resolve(&root) {
                    Some(v) => d.event[v.start..v.end].to_string(),
                    None => "null".to_string(),
                },
                Err(_) => "null".to_string(),
            },
            Input::Transformer { paths, template } => render_template(template, paths, d),
        }
    }
}

/// One event on its way to a target of a rule.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The whole event, as JSON text (EventBridge delivers it minified).
    pub event: &'a str,
    /// Where `,"detail":` starts when the event ends with its detail, as
    /// eddy's backend builds events: `<aws.events.event>` is then cut there.
    /// `None`: the `detail` member is found by parsing.
    pub detail_at: Option<usize>,
    pub rule_name: &'a str,
    pub rule_arn: &'a str,
    /// When EventBridge received the event, ms since the epoch
    /// (`<aws.events.event.ingestion-time>`).
    pub ingestion_ms: i64,
}

impl<'a> Delivery<'a> {
    /// A delivery of any event text, received at the event's own `time`
    /// (the epoch when it has none).
    pub fn of_event(event: &'a str, rule_name: &'a str, rule_arn: &'a str) -> Delivery<'a> {
        Delivery {
            event,
            detail_at: None,
            rule_name,
            rule_arn,
            ingestion_ms: event_time_ms(event).unwrap_or(0),
        }
    }

    /// The event without its `detail` member (`<aws.events.event>`).
    pub fn without_detail(&self) -> String {
        match self.detail_at {
            Some(at) if at <= self.event.len() && self.event.is_char_boundary(at) => {
                let mut s = String::with_capacity(at + 1);
                s.push_str(&self.event[..at]);
                s.push('}');
                s
            }
            _ => without_detail(self.event),
        }
    }
}

/// The event's top-level `time`, ms since the epoch.
pub fn event_time_ms(event: &str) -> Option<i64> {
    let root = json::parse(event.as_bytes()).ok()?;
    let Kind::Object(members) = &root.kind else {
        return None;
    };
    members
        .iter()
        .rev()
        .find(|(k, _, _)| k == "time")
        .and_then(|(_, _, v)| match &v.kind {
            Kind::String(s) => parse_rfc3339(s),
            _ => None,
        })
}

/// Any event's JSON text without its top-level `detail` member(s); the other
/// members keep their text and order. Not a JSON object: returned as is.
pub fn without_detail(event: &str) -> String {
    let Ok(root) = json::parse(event.as_bytes()) else {
        return event.to_string();
    };
    let Kind::Object(members) = &root.kind else {
        return event.to_string();
    };
    let mut out = String::with_capacity(event.len());
    out.push('{');
    let mut first = true;
    for (name, key_at, value) in members {
        if name == "detail" {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&event[*key_at..value.end]);
    }
    out.push('}');
    out
}

fn render_template(template: &Template, paths: &[JsonPath], d: &Delivery<'_>) -> String {
    let root = if paths.is_empty() {
        None
    } else {
        json::parse(d.event.as_bytes()).ok()
    };
    let values: Vec<Option<&Value>> = paths
        .iter()
        .map(|p| root.as_ref().and_then(|r| p.resolve(r)))
        .collect();
    let mut out = String::with_capacity(256);
    let plain = template.plain;
    for seg in &template.segments {
        let (var, quoted) = match seg {
            Segment::Text(t) => {
                out.push_str(t);
                continue;
            }
            Segment::Var { var, quoted } => (*var, *quoted),
        };
        match var {
            Var::Path(i) => match values.get(i).copied().flatten() {
                Some(v) => {
                    let raw = &d.event[v.start..v.end];
                    if template.text && matches!(v.kind, Kind::Object(_) | Kind::Array(_)) {
                        push_unquoted(&mut out, raw);
                    } else {
                        push_value(&mut out, raw, &v.kind, quoted, plain);
                    }
                }
                // A path the event does not have: no value (null where a JSON value is due).
                None => {
                    if !quoted && !plain {
                        out.push_str("null");
                    }
                }
            },
            Var::RuleArn => push_text(&mut out, d.rule_arn, quoted, plain),
            Var::RuleName => push_text(&mut out, d.rule_name, quoted, plain),
            Var::IngestionTime => push_text(&mut out, &iso_seconds(d.ingestion_ms), quoted, plain),
            Var::Event => push_json(&mut out, &d.without_detail(), quoted),
            Var::EventJson => push_json(&mut out, d.event, quoted),
        }
    }
    out
}

/// An object or list written into a text template: its JSON without
/// whitespace and without any quote (`{"a": ["x", 1]}` → `{a:[x,1]}`).
fn push_unquoted(out: &mut String, raw: &str) {
    let (mut in_str, mut escaped) = (false, false);
    for c in raw.chars() {
        if in_str {
            if escaped {
                escaped = false;
                if c != '"' {
                    out.push('\\');
                    out.push(c);
                }
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            } else {
                out.push(c);
            }
        } else if c == '"' {
            in_str = true;
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
}

/// A text value: as is in plain templates and inside quotes (escaped), else a JSON string.
fn push_text(out: &mut String, s: &str, quoted: bool, plain: bool) {
    if plain {
        out.push_str(s);
    } else if quoted {
        escape_into(out, s);
    } else {
        push_json_str(out, s);
    }
}

/// JSON text: as is, or escaped inside quotes.
fn push_json(out: &mut String, json_text: &str, quoted: bool) {
    if quoted {
        escape_into(out, json_text);
    } else {
        out.push_str(json_text);
    }
}

/// A value from the event (`raw` is its JSON text).
fn push_value(out: &mut String, raw: &str, kind: &Kind, quoted: bool, plain: bool) {
    match kind {
        Kind::String(s) if plain => out.push_str(s),
        // Inside quotes a string goes in without its own quotes, still escaped.
        Kind::String(_) if quoted => out.push_str(&raw[1..raw.len() - 1]),
        Kind::Object(_) | Kind::Array(_) if quoted => escape_into(out, raw),
        _ => out.push_str(raw),
    }
}

/// `s` as a JSON string, quotes included.
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    escape_into(out, s);
    out.push('"');
}

/// The inside of a JSON string for `s`.
pub fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

// ----- time -----

/// `2024-05-01T12:00:00Z` (whole seconds, UTC) for milliseconds since the
/// epoch (clamped to the years 0000 to 9999).
pub fn iso_seconds(ms: i64) -> String {
    use time::OffsetDateTime;
    use time::macros::format_description;
    let secs = ms.div_euclid(1000);
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT)
    } else {
        OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT)
    });
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` → milliseconds since the epoch
/// (digits past milliseconds are dropped; a space may stand for the `T`).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let parsed = match s.as_bytes().get(10) {
        Some(b' ') => OffsetDateTime::parse(&format!("{}T{}", &s[..10], &s[11..]), &Rfc3339),
        _ => OffsetDateTime::parse(s, &Rfc3339),
    };
    let nanos = parsed.ok()?.unix_timestamp_nanos();
    i64::try_from(nanos.div_euclid(1_000_000)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"version":"0","id":"id-1","detail-type":"Order \"Placed\"","source":"shop","account":"000000000000","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":["arn:x"],"detail":{"id":"o-1","n":5,"tags":["a","b"],"q":"say \"hi\""}}"#;

    fn delivery(event: &str) -> Delivery<'_> {
        Delivery {
            event,
            detail_at: event.find(",\"detail\":"),
            rule_name: "r1",
            rule_arn: "arn:aws:events:us-east-1:000000000000:rule/b/r1",
            ingestion_ms: 0,
        }
    }

    fn render(template: &str, paths: &[(&str, &str)]) -> String {
        let input = Input::transformer(paths.iter().copied(), template).unwrap();
        input.render(&delivery(EVENT))
    }

    #[test]
    fn json_paths() {
        let src = br#"{"a":{"b":[10,{"c":"x"}]},"d-e":1,"a":{"b":[20]}}"#;
        let root = json::parse(src).unwrap();
        let at = |p: &str| {
            let v = JsonPath::parse(p).unwrap().resolve(&root)?;
            Some(String::from_utf8_lossy(&src[v.start..v.end]).into_owned())
        };
        assert_eq!(
            at("$.a.b[0]").as_deref(),
            Some("20"),
            "the last duplicate wins"
        );
        assert_eq!(at("$.d-e").as_deref(), Some("1"));
        assert_eq!(at("$['d-e']").as_deref(), Some("1"));
        assert_eq!(at("$.a.b[5]"), None);
        assert_eq!(at("$").map(|s| s.len()), Some(src.len()));
        for bad in ["", "a.b", "$.", "$..a", "$[x]", "$.a b"] {
            assert!(JsonPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn templates_quote_like_aws() {
        let paths = [
            ("id", "$.detail.id"),
            ("n", "$.detail.n"),
            ("q", "$.detail.q"),
            ("tags", "$.detail.tags"),
            ("none", "$.detail.nope"),
        ];
        assert_eq!(
            render(
                r#"{ "order": <id>, "n": <n>, "label": "order <id> x<n>", "tags": <tags>, "none": <none> }"#,
                &paths
            ),
            r#"{"order":"o-1","n":5,"label":"order o-1 x5","tags":["a","b"],"none":null}"#
        );
        assert_eq!(
            render(r#"{"q": "<q>", "raw": <q>}"#, &paths),
            r#"{"q":"say \"hi\"","raw":"say \"hi\""}"#
        );
        assert_eq!(
            render(r#""instance <id> is in <n>""#, &paths),
            r#""instance o-1 is in 5""#
        );
        assert_eq!(
            render("<id> is in state <q>", &paths),
            r#"o-1 is in state say "hi""#
        );
        assert_eq!(
            render(
                r#"{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "x": "<unknown>", "t": <aws.events.event.ingestion-time>}"#,
                &paths
            ),
            r#"{"rule":"r1","arn":"arn:aws:events:us-east-1:000000000000:rule/b/r1","x":"<unknown>","t":"1970-01-01T00:00:00Z"}"#
        );
        let out = render(
            r#"{"e": <aws.events.event>, "j": <aws.events.event.json>, "s": "<aws.events.event.json>"}"#,
            &paths,
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["e"]["id"], "id-1");
        assert!(v["e"].get("detail").is_none());
        assert_eq!(v["j"]["detail"]["n"], 5);
        let inner: serde_json::Value = serde_json::from_str(v["s"].as_str().unwrap()).unwrap();
        assert_eq!(inner, v["j"]);
    }

    #[test]
    fn lists_and_objects_in_text_templates_lose_their_quotes() {
        let event = r#"{"id":"e","time":"2024-05-01T12:00:00Z","detail":{"id":"o-1","tags":["a","b"],"obj":{"k":"v", "n":[1,{"x":"y z"}],"q":"say \"hi\""}}}"#;
        let paths = [
            ("tags", "$.detail.tags"),
            ("obj", "$.detail.obj"),
            ("id", "$.detail.id"),
        ];
        let render = |template: &str| {
            let input = Input::transformer(paths, template).unwrap();
            input.render(&Delivery::of_event(event, "r", "arn"))
        };
        // A JSON string template and a plain text one: AWS writes the list
        // and the object without quotes.
        assert_eq!(
            render(r#""tags <tags> and <obj> for <id>""#),
            r#""tags [a,b] and {k:v,n:[1,{x:y z}],q:say hi} for o-1""#
        );
        assert_eq!(
            render("tags <tags>, object <obj>"),
            "tags [a,b], object {k:v,n:[1,{x:y z}],q:say hi}"
        );
        // A JSON template keeps them JSON: as values, and escaped inside strings.
        assert_eq!(
            render(r#"{"t": <tags>, "s": "<tags>"}"#),
            r#"{"t":["a","b"],"s":"[\"a\",\"b\"]"}"#
        );
    }

    #[test]
    fn input_path_constant_and_whole_event() {
        let d = delivery(EVENT);
        assert_eq!(
            Input::path("$.detail").unwrap().render(&d),
            r#"{"id":"o-1","n":5,"tags":["a","b"],"q":"say \"hi\""}"#
        );
        assert_eq!(
            Input::path("$.detail.tags[1]").unwrap().render(&d),
            r#""b""#
        );
        assert_eq!(Input::path("$.nope").unwrap().render(&d), "null");
        assert_eq!(Input::Event.render(&d), EVENT);
        assert_eq!(
            Input::Constant(r#"{"fixed":1}"#.into()).render(&d),
            r#"{"fixed":1}"#
        );
        assert!(Input::path("detail").unwrap_err().contains("detail"));
        assert!(
            Input::transformer([("aws.events.x", "$")], "x")
                .unwrap_err()
                .contains("reserved")
        );
        assert!(Input::transformer([("x", "$.")], "x").is_err());
    }

    #[test]
    fn without_detail_by_offset_or_by_parsing_agree() {
        let by_offset = delivery(EVENT).without_detail();
        let by_parsing = Delivery {
            detail_at: None,
            ..delivery(EVENT)
        }
        .without_detail();
        assert_eq!(by_offset, by_parsing);
        assert!(!by_offset.contains("detail\":"));
        // The detail need not be last, and pretty text keeps its members.
        let pretty = "{\n  \"detail\": {\"a\": 1},\n  \"id\": \"x\",\n  \"source\": \"s\"\n}";
        assert_eq!(without_detail(pretty), r#"{"id": "x","source": "s"}"#);
        assert_eq!(without_detail("[1]"), "[1]");
    }

    #[test]
    fn ingestion_time_is_the_event_time() {
        let d = Delivery::of_event(EVENT, "r", "a");
        assert_eq!(d.ingestion_ms, 1_714_564_800_000);
        assert_eq!(
            Input::transformer([], "<aws.events.event.ingestion-time>")
                .unwrap()
                .render(&d),
            "2024-05-01T12:00:00Z"
        );
        assert_eq!(event_time_ms(r#"{"time": 5}"#), None);
        assert_eq!(event_time_ms("not json"), None);
    }

    #[test]
    fn times_round_trip() {
        assert_eq!(iso_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_seconds(1_714_564_800_999), "2024-05-01T12:00:00Z");
        assert_eq!(
            parse_rfc3339("2024-05-01T14:00:00.5+02:00"),
            Some(1_714_564_800_500)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(
            parse_rfc3339("2024-05-01t12:00:00z"),
            Some(1_714_564_800_000)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01 12:00:00Z"),
            Some(1_714_564_800_000)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00.123456-00:30"),
            Some(1_714_566_600_123)
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.5Z"), Some(-500));
        assert_eq!(iso_seconds(-500), "1969-12-31T23:59:59Z");
        assert_eq!(parse_rfc3339("2024-02-30T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2024-05-01T12:00:00"), None);
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\n\u{1}");
        assert_eq!(s, r#""a\"b\\c\n\u0001""#);
    }
}
