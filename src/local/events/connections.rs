//! Connection and API destination operations: create, describe, list,
//! update, delete (and DeauthorizeConnection), checked as AWS checks them
//! (every member failure of a call in one "N validation errors detected"
//! message) and journaled whole ([`ChangeKind::ConnectionPut`] and the like).
//!
//! eddy stores and lists them, and answers with AWS's states, but never
//! calls an API destination nor an OAuth authorization endpoint: an OAuth
//! connection stays AUTHORIZING (and its destinations INACTIVE). The
//! connection's secret ARN names a Secrets Manager secret that eddy does not
//! create (it has no Secrets Manager).

use super::Events;
use super::arns::split_arn;
use super::destinations::{
    AUTH_TYPES, ApiDestinationRecord, ConnectionRecord, DEFAULT_RATE_PER_SECOND, HTTP_METHODS,
    connection_arn_errors, connection_name_of, endpoint_errors, enum_errors, initial_state,
    name_errors, null_error, public_http_parameters, validation_message,
};
use super::journal::{ChangeKind, change};
use super::state::{Region, read, region, region_of, write};
use super::wire::{
    ApiDestinationOut, ApiDestinationRequest, ApiDestinationWritten, ApiDestinationsOut,
    ConnectionOut, ConnectionRequest, ConnectionWritten, ConnectionsOut, Empty,
    ListApiDestinationsRequest, ListConnectionsRequest, NameRequest, exists, need, paginate, reply,
};
use crate::local::core::AwsError;
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use serde_json::{Map, Value, json};

/// The members each authorization type needs in `AuthParameters`:
/// (parameters key, required members, the members shown back).
fn auth_shape(
    auth_type: &str,
) -> (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
) {
    match auth_type {
        "BASIC" => (
            "BasicAuthParameters",
            &["Username", "Password"],
            &["Username"],
        ),
        "API_KEY" => (
            "ApiKeyAuthParameters",
            &["ApiKeyName", "ApiKeyValue"],
            &["ApiKeyName"],
        ),
        _ => (
            "OAuthParameters",
            &["AuthorizationEndpoint", "HttpMethod", "ClientParameters"],
            &["AuthorizationEndpoint", "HttpMethod"],
        ),
    }
}

/// The public part of `params` for `auth_type` (what DescribeConnection
/// shows), or why they are not enough. `old` holds the public parameters
/// an update starts from (an update may send only what changes).
fn public_auth(auth_type: &str, params: &Value, old: Option<&Value>) -> Result<Value, AwsError> {
    let (key, required, shown) = auth_shape(auth_type);
    let mut out = Map::new();
    let given = params.get(key).filter(|v| v.is_object());
    let before = old.and_then(|o| o.get(key));
    match (given, before) {
        (None, Some(before)) => {
            out.insert(key.to_string(), before.clone());
        }
        (None, None) => {
            return Err(AwsError::validation(format!(
                "{key} is required in AuthParameters for AuthorizationType {auth_type}."
            )));
        }
        (Some(p), before) => {
            let lacking = required.iter().find(|m| p.get(**m).is_none());
            if let (None, Some(m)) = (before, lacking) {
                return Err(AwsError::validation(format!(
                    "{key}.{m} is required in AuthParameters for AuthorizationType {auth_type}."
                )));
            }
            let mut public = before
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for m in shown {
                if let Some(v) = p.get(*m) {
                    public.insert(m.to_string(), v.clone());
                }
            }
            if let Some(id) = p.pointer("/ClientParameters/ClientID") {
                public.insert("ClientParameters".to_string(), json!({"ClientID": id}));
            }
            if let Some(h) = p.get("OAuthHttpParameters") {
                public.insert("OAuthHttpParameters".to_string(), public_http_parameters(h));
            }
            out.insert(key.to_string(), Value::Object(public));
        }
    }
    match params.get("InvocationHttpParameters") {
        Some(h) => {
            out.insert(
                "InvocationHttpParameters".to_string(),
                public_http_parameters(h),
            );
        }
        None => {
            if let Some(h) = old.and_then(|o| o.get("InvocationHttpParameters")) {
                out.insert("InvocationHttpParameters".to_string(), h.clone());
            }
        }
    }
    Ok(Value::Object(out))
}

fn connection_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Failed to describe the connection(s). Connection '{name}' does not exist."),
    )
}

fn destination_not_found(name: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!(
            "Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
        ),
    )
}

fn check(errors: &[String]) -> Result<(), AwsError> {
    match validation_message(errors) {
        Some(m) => Err(AwsError::validation(m)),
        None => Ok(()),
    }
}

/// The connection an API destination names by ARN, if it exists in `r`.
fn connection_by_arn<'a>(r: &'a Region, arn: &str) -> Option<&'a ConnectionRecord> {
    connection_name_of(arn)
        .and_then(|n| r.connections.get(n))
        .filter(|c| c.arn == arn)
}

/// The connection (a copy) a destination names: it must exist in this
/// region when the ARN is this account's and region's.
fn destination_connection(r: &Region, arn: &str) -> Result<Option<ConnectionRecord>, AwsError> {
    let name = connection_name_of(arn).unwrap_or_default();
    let local_arn = matches!(split_arn(arn), Some((_, region, account, _))
        if region == r.name && account == r.account);
    match connection_by_arn(r, arn) {
        Some(c) => Ok(Some(c.clone())),
        None if local_arn => Err(connection_not_found(name)),
        None => Ok(None),
    }
}

/// `InvocationRateLimitPerSecond`: at least 1 (None when not given).
fn rate_param(v: Option<&Value>) -> Result<Option<i64>, AwsError> {
    match v {
        None => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => Ok(Some(n)),
            _ => Err(AwsError::validation(format!(
                "1 validation error detected: Value '{v}' at 'invocationRateLimitPerSecond' failed \
                 to satisfy constraint: Member must have value greater than or equal to 1"
            ))),
        },
    }
}

impl Events {
    // ----- connections -----

    pub(super) fn create_connection(
        &self,
        local: &Core,
        b: ConnectionRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let mut errors = Vec::new();
        name_errors(b.name.get(), &mut errors);
        match b.authorization_type.get() {
            Some(t) => enum_errors(t, "authorizationType", &AUTH_TYPES, &mut errors),
            None => errors.push(null_error("authorizationType")),
        }
        let params = b.auth_parameters.get().filter(|p| p.is_object());
        if params.is_none() {
            errors.push(null_error("authParameters"));
        }
        check(&errors)?;
        let (Some(name), Some(auth_type), Some(params)) =
            (b.name.get(), b.authorization_type.get(), params)
        else {
            return Err(AwsError::internal(
                "CreateConnection: members checked above",
            ));
        };
        let auth_parameters = public_auth(auth_type, params, None)?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        if r.connections.contains_key(name) {
            return Err(exists(format!("Connection {name} already exists.")));
        }
        let id = uuid::Uuid::new_v4();
        // The secret has its own id, and a 6-character suffix as Secrets Manager adds.
        let secret_id = uuid::Uuid::new_v4();
        let suffix: String = uuid::Uuid::new_v4().simple().to_string()[..6].to_string();
        let record = ConnectionRecord {
            name: name.to_string(),
            arn: format!(
                "arn:aws:events:{}:{}:connection/{name}/{id}",
                ctx.region, ctx.account
            ),
            state: initial_state(auth_type).to_string(),
            authorization_type: auth_type.to_string(),
            auth_parameters,
            secret_arn: format!(
                "arn:aws:secretsmanager:{}:{}:secret:events!connection/{name}/{secret_id}-{suffix}",
                ctx.region, ctx.account
            ),
            description: b.description.owned(),
            created_ms: now,
            modified_ms: now,
            authorized_ms: now,
        };
        let out = reply(ConnectionWritten::created(&record))?;
        let change = change(ctx, ChangeKind::ConnectionPut { connection: record });
        self.commit(local, &mut st, change, now)?;
        Ok(out)
    }

    pub(super) fn describe_connection(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let name = need(&b.name, "name")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let c = r
            .connections
            .get(name)
            .ok_or_else(|| connection_not_found(name))?;
        reply(ConnectionOut::described(c))
    }

    pub(super) fn list_connections(&self, b: ListConnectionsRequest, ctx: &Ctx) -> OpResult {
        let (limit, token) = b.page.params()?;
        let prefix = b.name_prefix.get().unwrap_or("");
        let state = b.connection_state.get();
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let items: Vec<(&String, ConnectionOut)> = r
            .connections
            .iter()
            .filter(|(n, c)| n.starts_with(prefix) && state.is_none_or(|s| c.state == s))
            .map(|(n, c)| (n, ConnectionOut::listed(c)))
            .collect();
        let (connections, next_token) = paginate(items, limit, token.as_deref());
        reply(ConnectionsOut {
            connections,
            next_token,
        })
    }

    pub(super) fn update_connection(
        &self,
        local: &Core,
        b: ConnectionRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let mut errors = Vec::new();
        name_errors(b.name.get(), &mut errors);
        if let Some(t) = b.authorization_type.get() {
            enum_errors(t, "authorizationType", &AUTH_TYPES, &mut errors);
        }
        check(&errors)?;
        let name = need(&b.name, "name")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let mut c = r
            .connections
            .get(name)
            .cloned()
            .ok_or_else(|| connection_not_found(name))?;
        let auth_type = b
            .authorization_type
            .get()
            .unwrap_or(&c.authorization_type)
            .to_string();
        if let Some(params) = b.auth_parameters.get().filter(|p| p.is_object()) {
            // A new type starts from nothing; the same type from what it had.
            let old = (auth_type == c.authorization_type).then_some(&c.auth_parameters);
            c.auth_parameters = public_auth(&auth_type, params, old)?;
            c.authorized_ms = now;
        } else if auth_type != c.authorization_type {
            public_auth(&auth_type, &json!({}), None)?;
        }
        c.state = initial_state(&auth_type).to_string();
        c.authorization_type = auth_type;
        if let Some(d) = b.description.owned() {
            c.description = Some(d);
        }
        c.modified_ms = now;
        let out = reply(ConnectionWritten::changed(&c, &c.state))?;
        let change = change(ctx, ChangeKind::ConnectionPut { connection: c });
        self.commit(local, &mut st, change, now)?;
        Ok(out)
    }

    pub(super) fn delete_connection(
        &self,
        local: &Core,
        b: NameRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "name")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let c = r
            .connections
            .get(name)
            .cloned()
            .ok_or_else(|| connection_not_found(name))?;
        let change = change(
            ctx,
            ChangeKind::ConnectionDeleted {
                name: name.to_string(),
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(ConnectionWritten::changed(&c, "DELETING"))
    }

    /// Drops the connection's authorization: DEAUTHORIZED, and its
    /// destinations INACTIVE, until UpdateConnection authorizes it again.
    pub(super) fn deauthorize_connection(
        &self,
        local: &Core,
        b: NameRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "name")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let mut c = r
            .connections
            .get(name)
            .cloned()
            .ok_or_else(|| connection_not_found(name))?;
        c.state = "DEAUTHORIZED".to_string();
        c.modified_ms = now;
        let out = reply(ConnectionWritten::changed(&c, "DEAUTHORIZING"))?;
        let change = change(ctx, ChangeKind::ConnectionPut { connection: c });
        self.commit(local, &mut st, change, now)?;
        Ok(out)
    }

    // ----- API destinations -----

    pub(super) fn create_api_destination(
        &self,
        local: &Core,
        b: ApiDestinationRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let mut errors = Vec::new();
        name_errors(b.name.get(), &mut errors);
        match b.connection_arn.get() {
            Some(arn) => connection_arn_errors(arn, &mut errors),
            None => errors.push(null_error("connectionArn")),
        }
        match b.http_method.get() {
            Some(m) => enum_errors(m, "httpMethod", &HTTP_METHODS, &mut errors),
            None => errors.push(null_error("httpMethod")),
        }
        match b.invocation_endpoint.get() {
            Some(e) => endpoint_errors(e, &mut errors),
            None => errors.push(null_error("invocationEndpoint")),
        }
        check(&errors)?;
        let (Some(name), Some(connection_arn), Some(method), Some(endpoint)) = (
            b.name.get(),
            b.connection_arn.get(),
            b.http_method.get(),
            b.invocation_endpoint.get(),
        ) else {
            return Err(AwsError::internal(
                "CreateApiDestination: members checked above",
            ));
        };
        let rate = rate_param(b.invocation_rate_limit_per_second.get())?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        if r.api_destinations.contains_key(name) {
            return Err(exists(format!(
                "An api-destination '{name}' already exists."
            )));
        }
        let connection = destination_connection(r, connection_arn)?;
        let record = ApiDestinationRecord {
            name: name.to_string(),
            arn: format!(
                "arn:aws:events:{}:{}:api-destination/{name}/{}",
                ctx.region,
                ctx.account,
                uuid::Uuid::new_v4()
            ),
            connection_arn: connection_arn.to_string(),
            endpoint: endpoint.to_string(),
            http_method: method.to_string(),
            rate_per_second: rate.unwrap_or(DEFAULT_RATE_PER_SECOND),
            description: b.description.owned(),
            created_ms: now,
            modified_ms: now,
        };
        let out = reply(ApiDestinationWritten::new(&record, connection.as_ref()))?;
        let change = change(
            ctx,
            ChangeKind::ApiDestinationPut {
                destination: record,
            },
        );
        self.commit(local, &mut st, change, now)?;
        Ok(out)
    }

    pub(super) fn describe_api_destination(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let name = need(&b.name, "name")?;
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let d = r
            .api_destinations
            .get(name)
            .ok_or_else(|| destination_not_found(name))?;
        reply(ApiDestinationOut::described(
            d,
            connection_by_arn(r, &d.connection_arn),
        ))
    }

    pub(super) fn list_api_destinations(
        &self,
        b: ListApiDestinationsRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let (limit, token) = b.page.params()?;
        let prefix = b.name_prefix.get().unwrap_or("");
        let connection = b.connection_arn.get();
        let st = read(&self.state);
        let r = region(&st, &ctx.region, &ctx.account)?;
        let items: Vec<(&String, ApiDestinationOut)> = r
            .api_destinations
            .iter()
            .filter(|(n, d)| {
                n.starts_with(prefix) && connection.is_none_or(|c| d.connection_arn == c)
            })
            .map(|(n, d)| {
                let c = connection_by_arn(r, &d.connection_arn);
                (n, ApiDestinationOut::listed(d, c))
            })
            .collect();
        let (api_destinations, next_token) = paginate(items, limit, token.as_deref());
        reply(ApiDestinationsOut {
            api_destinations,
            next_token,
        })
    }

    pub(super) fn update_api_destination(
        &self,
        local: &Core,
        b: ApiDestinationRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let mut errors = Vec::new();
        name_errors(b.name.get(), &mut errors);
        if let Some(arn) = b.connection_arn.get() {
            connection_arn_errors(arn, &mut errors);
        }
        if let Some(m) = b.http_method.get() {
            enum_errors(m, "httpMethod", &HTTP_METHODS, &mut errors);
        }
        if let Some(e) = b.invocation_endpoint.get() {
            endpoint_errors(e, &mut errors);
        }
        check(&errors)?;
        let name = need(&b.name, "name")?;
        let rate = rate_param(b.invocation_rate_limit_per_second.get())?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        let mut d = r
            .api_destinations
            .get(name)
            .cloned()
            .ok_or_else(|| destination_not_found(name))?;
        if let Some(arn) = b.connection_arn.get() {
            destination_connection(r, arn)?;
            d.connection_arn = arn.to_string();
        }
        if let Some(e) = b.invocation_endpoint.get() {
            d.endpoint = e.to_string();
        }
        if let Some(m) = b.http_method.get() {
            d.http_method = m.to_string();
        }
        if let Some(rate) = rate {
            d.rate_per_second = rate;
        }
        if let Some(desc) = b.description.owned() {
            d.description = Some(desc);
        }
        d.modified_ms = now;
        let connection = connection_by_arn(r, &d.connection_arn).cloned();
        let out = reply(ApiDestinationWritten::new(&d, connection.as_ref()))?;
        let change = change(ctx, ChangeKind::ApiDestinationPut { destination: d });
        self.commit(local, &mut st, change, now)?;
        Ok(out)
    }

    pub(super) fn delete_api_destination(
        &self,
        local: &Core,
        b: NameRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let name = need(&b.name, "name")?;
        let mut st = write(&self.state);
        let r = region_of(&mut st, &ctx.region, &ctx.account, now);
        if !r.api_destinations.contains_key(name) {
            return Err(destination_not_found(name));
        }
        let change = change(
            ctx,
            ChangeKind::ApiDestinationDeleted {
                name: name.to_string(),
            },
        );
        self.commit(local, &mut st, change, now)?;
        reply(Empty {})
    }
}

#[cfg(test)]
mod tests {
    use crate::local::core::{AwsError, Ctx};
    use crate::local::{Config, Local, now_ms};
    use serde_json::{Value, json};
    use std::sync::Arc;

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }

    async fn try_call(local: &Arc<Local>, op: &str, body: Value) -> Result<Value, AwsError> {
        local.events.handle(local, op, body, &ctx()).await
    }

    async fn call(local: &Arc<Local>, op: &str, body: Value) -> Value {
        try_call(local, op, body)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"))
    }

    async fn fails(local: &Arc<Local>, op: &str, body: Value) -> (String, String) {
        let e = try_call(local, op, body)
            .await
            .err()
            .unwrap_or_else(|| panic!("{op} accepted"));
        (e.code, e.message)
    }

    fn basic(name: &str) -> Value {
        json!({"Name": name, "AuthorizationType": "BASIC", "AuthParameters": {
            "BasicAuthParameters": {"Username": "user", "Password": "pass"},
            "InvocationHttpParameters": {"HeaderParameters": [
                {"Key": "k", "Value": "hidden", "IsValueSecret": true}]},
        }})
    }

    #[tokio::test]
    async fn a_connection_is_created_described_listed_updated_and_deleted() {
        let local = Local::new(&Config::default()).unwrap();
        let out = call(&local, "CreateConnection", basic("c1")).await;
        assert_eq!(out["ConnectionState"], "AUTHORIZED");
        let arn = out["ConnectionArn"].as_str().unwrap().to_string();
        assert!(
            arn.starts_with("arn:aws:events:us-east-1:000000000000:connection/c1/"),
            "{arn}"
        );
        assert!(out.get("LastAuthorizedTime").is_none());
        let d = call(&local, "DescribeConnection", json!({"Name": "c1"})).await;
        assert_eq!(
            d["AuthParameters"],
            json!({"BasicAuthParameters": {"Username": "user"},
                   "InvocationHttpParameters": {"HeaderParameters": [{"Key": "k", "IsValueSecret": true}]}}),
            "no password, no secret value"
        );
        let secret = d["SecretArn"].as_str().unwrap();
        assert!(
            secret.starts_with(
                "arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/c1/"
            ),
            "{secret}"
        );
        assert!(!d.to_string().contains("pass") && !d.to_string().contains("hidden"));
        let connection_id = arn.rsplit('/').next().unwrap();
        assert!(
            !secret.contains(connection_id),
            "the secret has its own id: {secret}"
        );
        // OAuth connections stay AUTHORIZING: eddy never calls the endpoint.
        let oauth = json!({"Name": "c2", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {
            "OAuthParameters": {"AuthorizationEndpoint": "https://example.com/oauth", "HttpMethod": "POST",
                "ClientParameters": {"ClientID": "id", "ClientSecret": "s"}}}});
        assert_eq!(
            call(&local, "CreateConnection", oauth).await["ConnectionState"],
            "AUTHORIZING"
        );
        let d = call(&local, "DescribeConnection", json!({"Name": "c2"})).await;
        assert_eq!(
            d["AuthParameters"]["OAuthParameters"]["ClientParameters"],
            json!({"ClientID": "id"})
        );
        let listed = call(&local, "ListConnections", json!({"NamePrefix": "c1"})).await;
        let listed = listed["Connections"].as_array().unwrap().clone();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["Name"], "c1");
        assert!(listed[0].get("AuthParameters").is_none() && listed[0].get("SecretArn").is_none());
        let by_state = call(
            &local,
            "ListConnections",
            json!({"ConnectionState": "AUTHORIZING"}),
        )
        .await;
        assert_eq!(by_state["Connections"][0]["Name"], "c2");
        // An update may send only what changes.
        let up =
            json!({"Name": "c1", "AuthParameters": {"BasicAuthParameters": {"Username": "new"}}});
        assert_eq!(
            call(&local, "UpdateConnection", up).await["ConnectionState"],
            "AUTHORIZED"
        );
        let d = call(&local, "DescribeConnection", json!({"Name": "c1"})).await;
        assert_eq!(
            d["AuthParameters"]["BasicAuthParameters"],
            json!({"Username": "new"})
        );
        assert!(
            d["AuthParameters"]
                .get("InvocationHttpParameters")
                .is_some()
        );
        let out = call(&local, "DeauthorizeConnection", json!({"Name": "c1"})).await;
        assert_eq!(out["ConnectionState"], "DEAUTHORIZING");
        let d = call(&local, "DescribeConnection", json!({"Name": "c1"})).await;
        assert_eq!(d["ConnectionState"], "DEAUTHORIZED");
        let out = call(&local, "DeleteConnection", json!({"Name": "c1"})).await;
        assert_eq!(out["ConnectionState"], "DELETING");
        let e = fails(&local, "DescribeConnection", json!({"Name": "c1"})).await;
        assert_eq!(
            e,
            (
                "ResourceNotFoundException".to_string(),
                "Failed to describe the connection(s). Connection 'c1' does not exist.".to_string()
            )
        );
        let e = fails(&local, "CreateConnection", basic("c2")).await;
        assert_eq!(e.0, "ResourceAlreadyExistsException");
    }

    #[tokio::test]
    async fn connection_requests_are_checked_as_aws_checks_them() {
        let local = Local::new(&Config::default()).unwrap();
        let long = "This should fail with two errors 123467890123412341234123412341234";
        let body = json!({"Name": long, "AuthorizationType": "INVALID",
            "AuthParameters": {"BasicAuthParameters": {"Username": "user", "Password": "pass"}}});
        let e = fails(&local, "CreateConnection", body).await;
        assert_eq!(e.0, "ValidationException");
        assert_eq!(
            e.1,
            format!(
                "3 validation errors detected: Value '{long}' at 'name' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; \
                 Value '{long}' at 'name' failed to satisfy constraint: Member must have length \
                 less than or equal to 64; Value 'INVALID' at 'authorizationType' failed to \
                 satisfy constraint: Member must satisfy enum value set: [BASIC, \
                 OAUTH_CLIENT_CREDENTIALS, API_KEY]"
            )
        );
        // The type's parameters must be there.
        let body = json!({"Name": "c", "AuthorizationType": "API_KEY",
            "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": "p"}}});
        let e = fails(&local, "CreateConnection", body).await;
        assert!(e.1.contains("ApiKeyAuthParameters"), "{}", e.1);
        let body = json!({"Name": "c", "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "k"}}});
        let e = fails(&local, "CreateConnection", body).await;
        assert!(e.1.contains("ApiKeyValue"), "{}", e.1);
    }

    #[tokio::test]
    async fn an_api_destination_follows_its_connection() {
        let local = Local::new(&Config::default()).unwrap();
        let conn = call(&local, "CreateConnection", basic("c")).await;
        let conn_arn = conn["ConnectionArn"].as_str().unwrap().to_string();
        let body = json!({"Name": "d", "ConnectionArn": conn_arn, "HttpMethod": "POST",
            "InvocationEndpoint": "https://example.com/api", "Description": "first"});
        let out = call(&local, "CreateApiDestination", body).await;
        assert_eq!(out["ApiDestinationState"], "ACTIVE");
        let arn = out["ApiDestinationArn"].as_str().unwrap();
        assert!(
            arn.starts_with("arn:aws:events:us-east-1:000000000000:api-destination/d/"),
            "{arn}"
        );
        let d = call(&local, "DescribeApiDestination", json!({"Name": "d"})).await;
        assert_eq!(
            (
                &d["InvocationRateLimitPerSecond"],
                &d["Description"],
                &d["HttpMethod"]
            ),
            (&json!(300), &json!("first"), &json!("POST"))
        );
        let listed = call(&local, "ListApiDestinations", json!({"NamePrefix": "d"})).await;
        assert!(listed["ApiDestinations"][0].get("Description").is_none());
        let up = json!({"Name": "d", "HttpMethod": "PUT", "InvocationEndpoint": "https://example.com/v2"});
        assert_eq!(
            call(&local, "UpdateApiDestination", up).await["ApiDestinationState"],
            "ACTIVE"
        );
        call(&local, "DeauthorizeConnection", json!({"Name": "c"})).await;
        let d = call(&local, "DescribeApiDestination", json!({"Name": "d"})).await;
        assert_eq!(
            (&d["ApiDestinationState"], &d["HttpMethod"]),
            (&json!("INACTIVE"), &json!("PUT"))
        );
        call(&local, "DeleteApiDestination", json!({"Name": "d"})).await;
        let e = fails(&local, "DescribeApiDestination", json!({"Name": "d"})).await;
        assert_eq!(
            e.1,
            "Failed to describe the api-destination(s). An api-destination 'd' does not exist."
        );
        // Invalid members are reported together.
        let body = json!({"Name": "d2", "ConnectionArn": "invalid-connection-arn",
            "HttpMethod": "INVALID_METHOD", "InvocationEndpoint": "invalid-endpoint"});
        let e = fails(&local, "CreateApiDestination", body).await;
        assert_eq!(
            e.1,
            "2 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' failed \
             to satisfy constraint: Member must satisfy regular expression pattern: \
             ^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$; \
             Value 'INVALID_METHOD' at 'httpMethod' failed to satisfy constraint: Member must \
             satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]"
        );
        // A connection of this account and region that does not exist.
        let gone = format!(
            "{}x",
            conn_arn.rsplit_once('/').unwrap().0.replace("/c", "/nope")
        );
        let body = json!({"Name": "d3", "ConnectionArn": format!("{gone}/1"), "HttpMethod": "GET",
            "InvocationEndpoint": "https://example.com"});
        let e = fails(&local, "CreateApiDestination", body).await;
        assert_eq!(e.0, "ResourceNotFoundException");
    }

    #[tokio::test]
    async fn bus_permissions_show_in_the_bus_and_are_removed_by_id_or_all() {
        let local = Local::new(&Config::default()).unwrap();
        call(&local, "CreateEventBus", json!({"Name": "b"})).await;
        let put = |sid: &str, principal: &str| json!({"EventBusName": "b", "Action": "events:PutEvents", "Principal": principal, "StatementId": sid});
        call(&local, "PutPermission", put("s1", "000000000000")).await;
        call(&local, "PutPermission", put("s2", "*")).await;
        call(&local, "PutPermission", put("s2", "*")).await;
        let d = call(&local, "DescribeEventBus", json!({"Name": "b"})).await;
        let policy: Value = serde_json::from_str(d["Policy"].as_str().unwrap()).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 2, "{policy}");
        assert_eq!(
            statements[0]["Principal"],
            json!({"AWS": "arn:aws:iam::000000000000:root"})
        );
        assert_eq!(
            statements[0]["Resource"],
            "arn:aws:events:us-east-1:000000000000:event-bus/b"
        );
        let e = fails(
            &local,
            "RemovePermission",
            json!({"EventBusName": "b", "StatementId": "zz"}),
        )
        .await;
        assert_eq!(
            e,
            (
                "ResourceNotFoundException".to_string(),
                "Statement with the provided id does not exist.".to_string()
            )
        );
        call(
            &local,
            "RemovePermission",
            json!({"EventBusName": "b", "StatementId": "s1"}),
        )
        .await;
        let d = call(&local, "DescribeEventBus", json!({"Name": "b"})).await;
        assert!(!d["Policy"].as_str().unwrap().contains("s1"));
        call(
            &local,
            "RemovePermission",
            json!({"EventBusName": "b", "RemoveAllPermissions": true}),
        )
        .await;
        let d = call(&local, "DescribeEventBus", json!({"Name": "b"})).await;
        assert!(d.get("Policy").is_none(), "{d}");
        // A whole policy document replaces every statement.
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Sid": "p", "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "events:ListRules", "Resource": "*"}]});
        call(
            &local,
            "PutPermission",
            json!({"EventBusName": "b", "Policy": doc.to_string()}),
        )
        .await;
        let d = call(&local, "DescribeEventBus", json!({"Name": "b"})).await;
        assert_eq!(
            serde_json::from_str::<Value>(d["Policy"].as_str().unwrap()).unwrap(),
            doc
        );
        let e = fails(&local, "PutPermission", json!({"EventBusName": "nope", "Action": "events:PutEvents", "Principal": "*", "StatementId": "s"})).await;
        assert_eq!(e.1, "Event bus nope does not exist.");
        let e = fails(&local, "RemovePermission", json!({"StatementId": "zz"})).await;
        assert_eq!(
            e.0, "ResourceNotFoundException",
            "the default bus has no policy"
        );
    }

    #[tokio::test]
    async fn connections_destinations_and_policies_survive_a_restart() {
        let dir = std::env::temp_dir().join(format!(
            "eddy-events-connections-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let config = Config {
            data_dir: Some(dir.clone()),
            ..Config::default()
        };
        let conn_arn;
        {
            let local = Local::new(&config).unwrap();
            conn_arn = call(&local, "CreateConnection", basic("c")).await["ConnectionArn"]
                .as_str()
                .unwrap()
                .to_string();
            call(&local, "CreateConnection", basic("gone")).await;
            call(&local, "DeleteConnection", json!({"Name": "gone"})).await;
            let body = json!({"Name": "d", "ConnectionArn": conn_arn, "HttpMethod": "POST",
                "InvocationEndpoint": "https://example.com/api"});
            call(&local, "CreateApiDestination", body).await;
            call(
                &local,
                "PutPermission",
                json!({"Action": "events:PutEvents", "Principal": "*", "StatementId": "s"}),
            )
            .await;
        }
        let local = Local::new(&config).unwrap();
        let d = call(&local, "DescribeConnection", json!({"Name": "c"})).await;
        assert_eq!(
            (d["ConnectionArn"].as_str(), &d["ConnectionState"]),
            (Some(conn_arn.as_str()), &json!("AUTHORIZED"))
        );
        let listed = call(&local, "ListConnections", json!({})).await;
        assert_eq!(listed["Connections"].as_array().unwrap().len(), 1);
        let d = call(&local, "DescribeApiDestination", json!({"Name": "d"})).await;
        assert_eq!(d["ApiDestinationState"], "ACTIVE");
        let bus = call(&local, "DescribeEventBus", json!({})).await;
        assert!(
            bus["Policy"].as_str().unwrap().contains("\"Sid\":\"s\""),
            "{bus}"
        );
        let journal = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect::<String>();
        assert!(
            !journal.contains("pass") && !journal.contains("hidden"),
            "no secret journaled"
        );
        drop(local);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
