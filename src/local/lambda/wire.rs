//! Lambda's REST-JSON wire: the answer type ([`Reply`]), AWS's error codes
//! and their statuses, request members read from a JSON body, function-name
//! resolution (name, ARN or partial ARN), and the time formats (functions
//! carry an ISO-8601 string, mappings epoch seconds).

use crate::local::core::AwsError;
use serde_json::{Map, Value};

/// One answer: status, extra headers, body (JSON unless a header says otherwise).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: v.to_string().into_bytes(),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

pub fn not_found(what: impl Into<String>) -> AwsError {
    AwsError::new(404, "ResourceNotFoundException", what)
}

pub fn invalid(what: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameterValueException", what)
}

pub fn conflict(what: impl Into<String>) -> AwsError {
    AwsError::new(409, "ResourceConflictException", what)
}

pub fn too_many(what: impl Into<String>) -> AwsError {
    AwsError::new(429, "TooManyRequestsException", what)
}

/// The error body as Lambda's model names the members: `Message` for
/// `ResourceNotFoundException` (and the 5xx), `message` for the others.
pub fn error_body(e: &AwsError) -> Value {
    let key = match e.code.as_str() {
        "ResourceNotFoundException" | "ServiceException" => "Message",
        _ => "message",
    };
    let mut m = Map::new();
    m.insert(
        "Type".to_string(),
        Value::String(if e.sender_fault { "User" } else { "Service" }.to_string()),
    );
    m.insert(key.to_string(), Value::String(e.message.clone()));
    if e.code == "TooManyRequestsException" {
        m.insert(
            "Reason".to_string(),
            Value::String("ReservedFunctionConcurrentInvocationLimitExceeded".to_string()),
        );
    }
    Value::Object(m)
}

/// Decodes `%XX` escapes of a path segment (function names may come as
/// URL-encoded ARNs).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query string's pairs.
pub fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// A function as a request names it: its name, and the region and account
/// when the request used an ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`)
/// or a partial ARN (`ACCOUNT:function:NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub name: String,
    pub region: Option<String>,
    pub account: Option<String>,
}

pub fn function_ref(s: &str) -> Result<FunctionRef, AwsError> {
    let parts: Vec<&str> = s.split(':').collect();
    let (name, region, account) = match parts.as_slice() {
        [name] => (*name, None, None),
        [name, q] if is_qualifier(q) => (*name, None, None),
        [acct, "function", name] | [acct, "function", name, _] => (*name, None, Some(*acct)),
        ["arn", _, "lambda", region, acct, "function", name]
        | ["arn", _, "lambda", region, acct, "function", name, _] => {
            (*name, Some(*region), Some(*acct))
        }
        _ => {
            return Err(invalid(format!(
                "1 validation error detected: Value '{s}' at 'functionName' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: \
                 (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            )));
        }
    };
    check_name(name)?;
    Ok(FunctionRef {
        name: name.to_string(),
        region: region.map(str::to_string),
        account: account.map(str::to_string),
    })
}

fn is_qualifier(q: &str) -> bool {
    q == "$LATEST"
        || (!q.is_empty()
            && q.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// A function name: 1–64 of `[A-Za-z0-9-_]`.
pub fn check_name(name: &str) -> Result<(), AwsError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: \
             a function name is 1 to 64 letters, digits, hyphens or underscores"
        )));
    }
    Ok(())
}

/// A JSON body as an object (an empty body is `{}`).
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, AwsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(AwsError::new(
            400,
            "InvalidRequestContentException",
            "Could not parse request body into json: the body is not a JSON object",
        )),
    }
}

pub fn opt_str(m: &Map<String, Value>, key: &str) -> Result<Option<String>, AwsError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{key} must be a string"))),
    }
}

pub fn opt_int(m: &Map<String, Value>, key: &str) -> Result<Option<i64>, AwsError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid(format!("{key} must be an integer"))),
    }
}

pub fn opt_bool(m: &Map<String, Value>, key: &str) -> Result<Option<bool>, AwsError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid(format!("{key} must be a boolean"))),
    }
}

pub fn opt_obj<'a>(
    m: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, AwsError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(invalid(format!("{key} must be an object"))),
    }
}

/// An integer in `lo..=hi`, named as AWS's validation message does.
pub fn in_range(key: &str, v: i64, lo: i64, hi: i64) -> Result<i64, AwsError> {
    if v < lo || v > hi {
        let side = if v < lo {
            format!("greater than or equal to {lo}")
        } else {
            format!("less than or equal to {hi}")
        };
        return Err(invalid(format!(
            "1 validation error detected: Value '{v}' at '{}' failed to satisfy constraint: Member must have value {side}",
            lower_first(key)
        )));
    }
    Ok(v)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `2026-12-06T20:16:55.000+0000`, the format of a function's `LastModified`.
pub fn iso_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `2026/12/06`, the date part of a log stream's name.
pub fn stream_date(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}/{:02}/{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `2026-12-06T20:16:55.123Z`, the timestamp of the Python runtime's log lines.
pub fn iso_z(ms: i64) -> String {
    let s = iso_ms(ms);
    format!("{}Z", &s[..s.len() - 5])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_partial_arns_resolve() {
        assert_eq!(function_ref("f").unwrap().name, "f");
        let r = function_ref("arn:aws:lambda:eu-west-1:123456789012:function:my-fn").unwrap();
        assert_eq!(
            (r.name.as_str(), r.region.as_deref(), r.account.as_deref()),
            ("my-fn", Some("eu-west-1"), Some("123456789012"))
        );
        assert_eq!(
            function_ref("123456789012:function:f:$LATEST")
                .unwrap()
                .name,
            "f"
        );
        assert_eq!(function_ref("f:$LATEST").unwrap().name, "f");
        assert!(function_ref("has space").is_err());
        assert!(function_ref(&"x".repeat(65)).is_err());
        assert!(function_ref("arn:aws:sqs:us-east-1:1:q").is_err());
    }

    #[test]
    fn percent_decoding_and_times() {
        assert_eq!(
            percent_decode("arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af"),
            "arn:aws:lambda:us-east-1:0:function:f"
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(iso_ms(1_700_000_000_123), "2023-11-14T22:13:20.123+0000");
        assert_eq!(iso_z(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(stream_date(1_700_000_000_123), "2023/11/14");
    }

    #[test]
    fn error_members_are_named_as_modelled() {
        let e = error_body(&not_found("Function not found: f"));
        assert_eq!(e["Message"], "Function not found: f");
        let e = error_body(&invalid("bad"));
        assert_eq!(e["message"], "bad");
        assert_eq!(e["Type"], "User");
        let e = in_range("BatchSize", 0, 1, 10_000).unwrap_err();
        assert!(e.message.contains("'batchSize'"), "{}", e.message);
    }
}
