//! Connections and API destinations as stored (and journaled whole, like
//! replays), with the checks AWS makes of their members: names, connection
//! ARNs, HTTP methods and invocation endpoints, each failure worded as AWS
//! words it so that several can be reported in one "N validation errors
//! detected" message.
//!
//! eddy keeps only a connection's public authorization parameters (what
//! DescribeConnection shows): passwords, API key values and client secrets
//! are never stored or journaled, since eddy does not call API destinations.

use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;

/// A connection's authorization types, in the order AWS lists them.
pub(super) const AUTH_TYPES: [&str; 3] = ["BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY"];
/// An API destination's HTTP methods, in the order AWS lists them.
pub(super) const HTTP_METHODS: [&str; 7] =
    ["HEAD", "POST", "PATCH", "DELETE", "PUT", "GET", "OPTIONS"];
/// The longest connection or API destination name.
pub(super) const MAX_NAME: usize = 64;
/// An API destination's default (and largest) invocation rate.
pub(super) const DEFAULT_RATE_PER_SECOND: i64 = 300;
pub(super) const CONNECTION_ARN_PATTERN: &str = r"^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$";
pub(super) const ENDPOINT_PATTERN: &str =
    r"^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$";

/// A connection, as DescribeConnection shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectionRecord {
    pub name: String,
    pub arn: String,
    /// AUTHORIZED; AUTHORIZING for OAuth (eddy never calls the
    /// authorization endpoint, so it stays there); DEAUTHORIZED.
    pub state: String,
    pub authorization_type: String,
    /// The public part of `AuthParameters` (no secret values).
    pub auth_parameters: Value,
    pub secret_arn: String,
    pub description: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub authorized_ms: i64,
}

/// An API destination, as DescribeApiDestination shows it (its state comes
/// from its connection's, see [`destination_state`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiDestinationRecord {
    pub name: String,
    pub arn: String,
    pub connection_arn: String,
    pub endpoint: String,
    pub http_method: String,
    pub rate_per_second: i64,
    pub description: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// ACTIVE while the destination's connection is AUTHORIZED, else INACTIVE.
pub(super) fn destination_state(connection: Option<&ConnectionRecord>) -> &'static str {
    match connection {
        Some(c) if c.state == "AUTHORIZED" => "ACTIVE",
        _ => "INACTIVE",
    }
}

/// The state a new connection of this type starts in.
pub(super) fn initial_state(auth_type: &str) -> &'static str {
    if auth_type == "OAUTH_CLIENT_CREDENTIALS" {
        "AUTHORIZING"
    } else {
        "AUTHORIZED"
    }
}

/// `connection/NAME/ID` of a connection ARN → NAME.
pub(super) fn connection_name_of(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":connection/")?;
    rest.split_once('/').map(|(name, _)| name)
}

// ----- member checks: each returns AWS's wording of one failure -----

fn name_chars_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// A connection's or API destination's `name`: pattern, then length.
pub(super) fn name_errors(name: Option<&str>, errors: &mut Vec<String>) {
    let Some(name) = name else {
        errors.push(null_error("name"));
        return;
    };
    if !name_chars_ok(name) {
        errors.push(format!(
            "Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\.\\-_A-Za-z0-9]+"
        ));
    }
    if name.len() > MAX_NAME {
        errors.push(format!(
            "Value '{name}' at 'name' failed to satisfy constraint: Member must have length less \
             than or equal to {MAX_NAME}"
        ));
    }
}

pub(super) fn null_error(member: &str) -> String {
    format!("Value null at '{member}' failed to satisfy constraint: Member must not be null")
}

pub(super) fn enum_errors(value: &str, member: &str, allowed: &[&str], errors: &mut Vec<String>) {
    if !allowed.contains(&value) {
        errors.push(format!(
            "Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum \
             value set: [{}]",
            allowed.join(", ")
        ));
    }
}

/// Whether `arn` matches [`CONNECTION_ARN_PATTERN`].
pub(super) fn connection_arn_ok(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return false;
    };
    let parts: Vec<&str> = rest.splitn(4, ':').collect();
    let [service, region, account, resource] = parts[..] else {
        return false;
    };
    let Some((name, id)) = resource
        .strip_prefix("connection/")
        .and_then(|r| r.split_once('/'))
    else {
        return false;
    };
    partition
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c == b'-')
        && service == "events"
        && region
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && (account.is_empty()
            || (account.len() == 12 && account.bytes().all(|c| c.is_ascii_digit())))
        && name_chars_ok(name)
        && !id.is_empty()
        && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

pub(super) fn connection_arn_errors(arn: &str, errors: &mut Vec<String>) {
    if !connection_arn_ok(arn) {
        errors.push(format!(
            "Value '{arn}' at 'connectionArn' failed to satisfy constraint: Member must satisfy \
             regular expression pattern: {CONNECTION_ARN_PATTERN}"
        ));
    }
}

/// Whether `endpoint` matches [`ENDPOINT_PATTERN`]: URL characters and
/// `%XX` escapes only (the optional last character is one of them too).
pub(super) fn endpoint_ok(endpoint: &str) -> bool {
    let b = endpoint.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
                i += 3;
                continue;
            }
            return false;
        }
        if !(b[i].is_ascii_alphanumeric() || b"-()_.!~*';/?:@&=+$,".contains(&b[i])) {
            return false;
        }
        i += 1;
    }
    !b.is_empty()
}

pub(super) fn endpoint_errors(endpoint: &str, errors: &mut Vec<String>) {
    if !endpoint_ok(endpoint) {
        errors.push(format!(
            "Value '{endpoint}' at 'invocationEndpoint' failed to satisfy constraint: Member must \
             satisfy regular expression pattern: {ENDPOINT_PATTERN}"
        ));
    }
}

/// "N validation error(s) detected: a; b", or None when there are none.
pub(super) fn validation_message(errors: &[String]) -> Option<String> {
    match errors.len() {
        0 => None,
        1 => Some(format!("1 validation error detected: {}", errors[0])),
        n => Some(format!(
            "{n} validation errors detected: {}",
            errors.join("; ")
        )),
    }
}

/// The public part of one `{Key, Value, IsValueSecret}` list: secret values dropped.
fn public_params(list: &Value) -> Value {
    match list {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    let secret = p.get("IsValueSecret").and_then(Value::as_bool) == Some(true);
                    if let (true, Some(o)) = (secret, p.as_object_mut()) {
                        o.remove("Value");
                    }
                    p
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// HTTP parameters (`HeaderParameters`, `QueryStringParameters`,
/// `BodyParameters`) without their secret values.
pub(super) fn public_http_parameters(p: &Value) -> Value {
    match p {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), public_params(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn connection_arns_are_checked_as_aws_pattern_says() {
        let ok = "arn:aws:events:us-east-1:111111111111:connection/my.conn-1/a1b2-c3";
        assert!(connection_arn_ok(ok));
        assert_eq!(connection_name_of(ok), Some("my.conn-1"));
        assert!(connection_arn_ok(
            "arn:aws-cn:events:cn-north-1::connection/c/1"
        ));
        for bad in [
            "invalid-connection-arn",
            "arn:aws:events:us-east-1:111111111111:connection/c",
            "arn:aws:events:us-east-1:1111:connection/c/1",
            "arn:aws:sqs:us-east-1:111111111111:connection/c/1",
            "arn:aws:events:us-east-1:111111111111:connection/c c/1",
            "arn:aws:events:US-east-1:111111111111:connection/c/1",
        ] {
            assert!(!connection_arn_ok(bad), "{bad}");
        }
    }

    #[test]
    fn endpoints_are_checked_as_aws_pattern_says() {
        for ok in [
            "https://example.com/api",
            "invalid-endpoint",
            "http://127.0.0.1:8080/a?b=c&d=%2F",
        ] {
            assert!(endpoint_ok(ok), "{ok}");
        }
        for bad in [
            "",
            "https://example.com/a b",
            "https://x/%2",
            "https://x/%zz",
            "a\"b",
        ] {
            assert!(!endpoint_ok(bad), "{bad}");
        }
    }

    #[test]
    fn several_failures_make_one_message() {
        let mut errors = Vec::new();
        let long = "This should fail with two errors 123467890123412341234123412341234";
        name_errors(Some(long), &mut errors);
        enum_errors("INVALID", "authorizationType", &AUTH_TYPES, &mut errors);
        assert_eq!(
            validation_message(&errors).unwrap(),
            format!(
                "3 validation errors detected: Value '{long}' at 'name' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; \
                 Value '{long}' at 'name' failed to satisfy constraint: Member must have length \
                 less than or equal to 64; Value 'INVALID' at 'authorizationType' failed to \
                 satisfy constraint: Member must satisfy enum value set: [BASIC, \
                 OAUTH_CLIENT_CREDENTIALS, API_KEY]"
            )
        );
        let mut one = Vec::new();
        name_errors(None, &mut one);
        assert_eq!(
            validation_message(&one).unwrap(),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: \
             Member must not be null"
        );
        assert_eq!(validation_message(&[]), None);
    }

    #[test]
    fn secret_parameter_values_are_not_kept() {
        let p = json!({"HeaderParameters": [
            {"Key": "a", "Value": "1", "IsValueSecret": false},
            {"Key": "b", "Value": "2", "IsValueSecret": true},
        ]});
        assert_eq!(
            public_http_parameters(&p),
            json!({"HeaderParameters": [
                {"Key": "a", "Value": "1", "IsValueSecret": false},
                {"Key": "b", "IsValueSecret": true},
            ]})
        );
    }

    #[test]
    fn a_destination_is_active_only_while_its_connection_is_authorized() {
        let mut c = ConnectionRecord {
            name: "c".to_string(),
            arn: "arn".to_string(),
            state: initial_state("BASIC").to_string(),
            authorization_type: "BASIC".to_string(),
            auth_parameters: json!({}),
            secret_arn: String::new(),
            description: None,
            created_ms: 0,
            modified_ms: 0,
            authorized_ms: 0,
        };
        assert_eq!(destination_state(Some(&c)), "ACTIVE");
        c.state = initial_state("OAUTH_CLIENT_CREDENTIALS").to_string();
        assert_eq!(c.state, "AUTHORIZING");
        assert_eq!(destination_state(Some(&c)), "INACTIVE");
        assert_eq!(destination_state(None), "INACTIVE");
    }
}
