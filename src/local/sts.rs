//! STS on the wire (the query protocol: a form-encoded `Action=...` body,
//! XML answers, AWS's `<ErrorResponse>` on errors): `GetCallerIdentity`
//! (the account's root), `AssumeRole`, `GetFederationToken` and
//! `GetSessionToken`, which hand out temporary credentials that eddy's
//! backend accepts like any others (it checks no signatures). There is no
//! IAM here: any well-formed role ARN can be assumed.
//!
//! `server` routes a query-protocol request here first ([`handle`] answers
//! `None` for an action that is not STS's); the parameters are checked the
//! way STS checks them (`ValidationError` with AWS's messages).

use super::core::{AwsError, Ctx};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// Default and bounds of `DurationSeconds` (AssumeRole: up to the role's
/// maximum session, 12 h at most; the others: 36 h).
const DEFAULT_DURATION: i64 = 3600;
const MIN_DURATION: i64 = 900;
const MAX_ROLE_DURATION: i64 = 43_200;
const MAX_TOKEN_DURATION: i64 = 129_600;

/// Answers an STS action for the caller's account (`ctx.account`: from its
/// access key, see `server`), or `None` when `action` is not one of STS's.
pub fn handle(ctx: &Ctx, action: &str, params: &[(String, String)]) -> Option<Response> {
    let now = crate::local::core::now_ms() / 1000;
    let account = ctx.account.as_str();
    let result = match action {
        "GetCallerIdentity" => Ok(caller_identity(account)),
        "AssumeRole" => assume_role(account, params, now),
        "GetFederationToken" => federation_token(account, params, now),
        "GetSessionToken" => session_token(params, now),
        _ => return None,
    };
    Some(match result {
        Ok(body) => respond(action, &body),
        Err(e) => error_response(&e),
    })
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "ValidationError", message)
}

fn missing(key: &str) -> AwsError {
    validation(format!(
        "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
    ))
}

/// `[\w+=,.@-]*` within `min..=max` characters (session and user names).
fn check_name(value: &str, member: &str, min: usize, max: usize) -> Result<(), AwsError> {
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    {
        return Err(validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    let n = value.chars().count();
    if n < min {
        return Err(validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
        )));
    }
    if n > max {
        return Err(validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

fn duration(params: &[(String, String)], max: i64) -> Result<i64, AwsError> {
    let Some(raw) = param(params, "DurationSeconds") else {
        return Ok(DEFAULT_DURATION);
    };
    let d: i64 = raw
        .parse()
        .map_err(|_| validation(format!("Value '{raw}' for DurationSeconds is not a number")))?;
    if d < MIN_DURATION {
        return Err(validation(format!(
            "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {MIN_DURATION}"
        )));
    }
    if d > max {
        return Err(validation(format!(
            "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to {max}"
        )));
    }
    Ok(d)
}

/// A role ARN `arn:<partition>:<service>:<region>:<account>:<resource>`:
/// partition, service and resource must be there (STS's "... is invalid").
/// Returns the role's name (the resource's last path segment).
fn role_name(arn: &str) -> Result<&str, AwsError> {
    let invalid = || validation(format!("{arn} is invalid"));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1].is_empty() || parts[2].is_empty() {
        return Err(invalid());
    }
    let resource = parts[5];
    if resource.is_empty() {
        return Err(invalid());
    }
    Ok(resource.rsplit('/').next().unwrap_or(resource))
}

/// An id of `len` upper-case letters and digits after `prefix`, random.
fn random_id(prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::from(prefix);
    while out.len() < prefix.len() + len {
        for b in uuid::Uuid::new_v4().as_bytes() {
            if out.len() == prefix.len() + len {
                break;
            }
            out.push(ALPHABET[usize::from(*b) % ALPHABET.len()] as char);
        }
    }
    out
}

fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )[..40]
        .to_string()
}

fn iso(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// The `<Credentials>` element of temporary credentials valid `secs` from `now`.
fn credentials(now: i64, secs: i64) -> String {
    format!(
        "<Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
         <SessionToken>FQoGZXIvYXdzE{}</SessionToken><Expiration>{}</Expiration></Credentials>",
        random_id("ASIA", 16),
        secret(),
        uuid::Uuid::new_v4().simple(),
        iso(now + secs)
    )
}

fn caller_identity(account: &str) -> String {
    format!(
        "<Arn>arn:aws:iam::{account}:root</Arn><UserId>{account}</UserId><Account>{account}</Account>"
    )
}

fn assume_role(account: &str, params: &[(String, String)], now: i64) -> Result<String, AwsError> {
    let session = param(params, "RoleSessionName").ok_or_else(|| missing("roleSessionName"))?;
    check_name(session, "roleSessionName", 2, 64)?;
    let arn = param(params, "RoleArn").ok_or_else(|| missing("roleArn"))?;
    let role = role_name(arn)?;
    let secs = duration(params, MAX_ROLE_DURATION)?;
    let policy = param(params, "Policy").unwrap_or("");
    let role_account = arn.split(':').nth(4).filter(|a| !a.is_empty());
    let mut xml = credentials(now, secs);
    let _ = write!(
        xml,
        "<AssumedRoleUser><AssumedRoleId>{}:{session}</AssumedRoleId>\
         <Arn>arn:aws:sts::{}:assumed-role/{}/{session}</Arn></AssumedRoleUser>",
        random_id("AROA", 17),
        role_account.unwrap_or(account),
        xml_escape(role)
    );
    if !policy.is_empty() {
        let _ = write!(
            xml,
            "<PackedPolicySize>{}</PackedPolicySize>",
            packed_size(policy)
        );
    }
    Ok(xml)
}

fn federation_token(
    account: &str,
    params: &[(String, String)],
    now: i64,
) -> Result<String, AwsError> {
    let name = param(params, "Name").ok_or_else(|| missing("name"))?;
    check_name(name, "name", 2, 32)?;
    let secs = duration(params, MAX_TOKEN_DURATION)?;
    let policy = param(params, "Policy").unwrap_or("");
    let mut xml = credentials(now, secs);
    let _ = write!(
        xml,
        "<FederatedUser><Arn>arn:aws:sts::{account}:federated-user/{name}</Arn>\
         <FederatedUserId>{account}:{name}</FederatedUserId></FederatedUser>\
         <PackedPolicySize>{}</PackedPolicySize>",
        packed_size(policy)
    );
    Ok(xml)
}

fn session_token(params: &[(String, String)], now: i64) -> Result<String, AwsError> {
    let secs = duration(params, MAX_TOKEN_DURATION)?;
    Ok(credentials(now, secs))
}

/// The share (percent) of the packed-policy limit a session policy uses;
/// eddy approximates AWS's compression by the policy's length.
fn packed_size(policy: &str) -> usize {
    if policy.is_empty() {
        0
    } else {
        (policy.len() * 100 / 2048).clamp(1, 100)
    }
}

fn respond(action: &str, result: &str) -> Response {
    let xml = format!(
        "<{action}Response xmlns=\"{XMLNS}\"><{action}Result>{result}</{action}Result>\
         <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        uuid::Uuid::new_v4()
    );
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], xml).into_response()
}

/// AWS's query-protocol error document.
pub fn error_response(e: &AwsError) -> Response {
    let fault = if e.sender_fault { "Sender" } else { "Receiver" };
    let xml = format!(
        "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>{fault}</Type><Code>{}</Code>\
         <Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        xml_escape(&e.code),
        xml_escape(&e.message),
        uuid::Uuid::new_v4()
    );
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, [(header::CONTENT_TYPE, "text/xml")], xml).into_response()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn assume(arn: &str, session: &str) -> Result<String, AwsError> {
        assume_role(
            "000000000000",
            &params(&[("RoleArn", arn), ("RoleSessionName", session)]),
            1_800_000_000,
        )
    }

    #[test]
    fn assume_role_rejects_bad_arns_as_sts_does() {
        for arn in [
            "nothing-valid-in-here",
            "arn::b:::something/test-role",
            "arn:a::::something/test-role",
            "arn:a:::something/test-role",
            "arn:a:a::aaaaaaaaaa:",
        ] {
            let e = assume(arn, "Session1").unwrap_err();
            assert_eq!(e.code, "ValidationError", "{arn}");
            assert_eq!(e.message, format!("{arn} is invalid"));
        }
        let e = assume("arn:a:b:::something/test-role", "Session1:2").unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        );
        let e = assume_role("1", &params(&[("RoleArn", "arn:aws:iam::1:role/r")]), 0).unwrap_err();
        assert!(e.message.contains("'roleSessionName'"), "{}", e.message);
    }

    #[test]
    fn assume_role_hands_out_credentials_for_the_role() {
        let xml = assume("arn:aws:iam::123456789012:role/path/my-role", "s-1").unwrap();
        assert!(
            xml.contains("<Arn>arn:aws:sts::123456789012:assumed-role/my-role/s-1</Arn>"),
            "{xml}"
        );
        assert!(xml.contains("<AccessKeyId>ASIA"), "{xml}");
        // One hour from the (fake) clock.
        assert!(
            xml.contains("<Expiration>2027-01-15T09:00:00Z</Expiration>"),
            "{xml}"
        );
        assert!(xml.contains(":s-1</AssumedRoleId>"), "{xml}");
        let e = assume_role(
            "1",
            &params(&[
                ("RoleArn", "arn:aws:iam::1:role/r"),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "100"),
            ]),
            0,
        )
        .unwrap_err();
        assert!(e.message.contains("greater than or equal to 900"), "{e:?}");
    }

    #[test]
    fn federation_and_session_tokens() {
        let xml = federation_token(
            "111111111111",
            &params(&[("Name", "TestName1"), ("DurationSeconds", "900")]),
            0,
        )
        .unwrap();
        assert!(
            xml.contains("<FederatedUserId>111111111111:TestName1</FederatedUserId>"),
            "{xml}"
        );
        assert!(
            xml.contains("<Arn>arn:aws:sts::111111111111:federated-user/TestName1</Arn>"),
            "{xml}"
        );
        assert!(xml.contains("<PackedPolicySize>0</PackedPolicySize>"));
        assert!(xml.contains("<Expiration>1970-01-01T00:15:00Z</Expiration>"));
        let e = federation_token("1", &params(&[("Name", "a b")]), 0).unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert!(session_token(&[], 0).unwrap().contains("<SessionToken>"));
    }

    #[test]
    fn only_sts_actions_are_answered() {
        let ctx = Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        };
        assert!(handle(&ctx, "ListQueues", &[]).is_none());
        let r = handle(&ctx, "GetCallerIdentity", &[]).expect("sts");
        assert_eq!(r.status(), StatusCode::OK);
        let r = handle(&ctx, "AssumeRole", &params(&[("RoleSessionName", "s1")])).expect("sts");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}
