//! The wire of the operations that reach past a bus: connections, API
//! destinations (requests read leniently, as in `wire.rs`, and their
//! answers), and a bus's permissions (PutPermission, RemovePermission).
//! Their List requests are in `wire.rs`, next to the `Page` they share.

use super::super::destinations::{ApiDestinationRecord, ConnectionRecord, destination_state};
use super::responses::secs;
use crate::local::members::{Raw, Str};
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;

// ----- requests -----

/// `CreateConnection` and `UpdateConnection` (where all but `Name` are optional).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(in crate::local::events) struct ConnectionRequest {
    pub(in crate::local::events) name: Str,
    pub(in crate::local::events) description: Str,
    pub(in crate::local::events) authorization_type: Str,
    /// Read only when it is an object.
    pub(in crate::local::events) auth_parameters: Raw,
}

/// `DescribeConnection`, `DeleteConnection`, `DeauthorizeConnection` and
/// the API destination ones that take only a name.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(in crate::local::events) struct NameRequest {
    pub(in crate::local::events) name: Str,
}

/// `CreateApiDestination` and `UpdateApiDestination` (where all but `Name` are optional).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(in crate::local::events) struct ApiDestinationRequest {
    pub(in crate::local::events) name: Str,
    pub(in crate::local::events) description: Str,
    pub(in crate::local::events) connection_arn: Str,
    pub(in crate::local::events) invocation_endpoint: Str,
    pub(in crate::local::events) http_method: Str,
    pub(in crate::local::events) invocation_rate_limit_per_second: Raw,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(in crate::local::events) struct PutPermissionRequest {
    pub(in crate::local::events) event_bus_name: Str,
    pub(in crate::local::events) action: Str,
    pub(in crate::local::events) principal: Str,
    pub(in crate::local::events) statement_id: Str,
    /// Read only when it is an object.
    pub(in crate::local::events) condition: Raw,
    pub(in crate::local::events) policy: Str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(in crate::local::events) struct RemovePermissionRequest {
    pub(in crate::local::events) event_bus_name: Str,
    pub(in crate::local::events) statement_id: Str,
    pub(in crate::local::events) remove_all_permissions: Raw,
}

// ----- responses -----

/// What CreateConnection, UpdateConnection, DeleteConnection and
/// DeauthorizeConnection answer (the first without `LastAuthorizedTime`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ConnectionWritten<'a> {
    connection_arn: &'a str,
    connection_state: &'a str,
    creation_time: f64,
    last_modified_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_authorized_time: Option<f64>,
}

impl<'a> ConnectionWritten<'a> {
    pub(in crate::local::events) fn created(c: &'a ConnectionRecord) -> Self {
        ConnectionWritten {
            connection_arn: &c.arn,
            connection_state: &c.state,
            creation_time: secs(c.created_ms),
            last_modified_time: secs(c.modified_ms),
            last_authorized_time: None,
        }
    }

    /// An update, delete or deauthorization, in `state`.
    pub(in crate::local::events) fn changed(c: &'a ConnectionRecord, state: &'a str) -> Self {
        ConnectionWritten {
            connection_state: state,
            last_authorized_time: Some(secs(c.authorized_ms)),
            ..ConnectionWritten::created(c)
        }
    }
}

/// A connection as ListConnections shows it; DescribeConnection adds the
/// parameters, the secret and the description ([`ConnectionOut::described`]).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ConnectionOut<'a> {
    name: &'a str,
    connection_arn: &'a str,
    connection_state: &'a str,
    authorization_type: &'a str,
    creation_time: f64,
    last_modified_time: f64,
    last_authorized_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_parameters: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

impl<'a> ConnectionOut<'a> {
    pub(in crate::local::events) fn listed(c: &'a ConnectionRecord) -> Self {
        ConnectionOut {
            name: &c.name,
            connection_arn: &c.arn,
            connection_state: &c.state,
            authorization_type: &c.authorization_type,
            creation_time: secs(c.created_ms),
            last_modified_time: secs(c.modified_ms),
            last_authorized_time: secs(c.authorized_ms),
            auth_parameters: None,
            secret_arn: None,
            description: None,
        }
    }

    pub(in crate::local::events) fn described(c: &'a ConnectionRecord) -> Self {
        ConnectionOut {
            auth_parameters: Some(&c.auth_parameters),
            secret_arn: Some(&c.secret_arn),
            description: c.description.as_deref(),
            ..ConnectionOut::listed(c)
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ConnectionsOut<'a> {
    pub(in crate::local::events) connections: Vec<ConnectionOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}

/// What CreateApiDestination and UpdateApiDestination answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ApiDestinationWritten<'a> {
    api_destination_arn: &'a str,
    api_destination_state: &'static str,
    creation_time: f64,
    last_modified_time: f64,
}

impl<'a> ApiDestinationWritten<'a> {
    pub(in crate::local::events) fn new(
        d: &'a ApiDestinationRecord,
        connection: Option<&ConnectionRecord>,
    ) -> Self {
        ApiDestinationWritten {
            api_destination_arn: &d.arn,
            api_destination_state: destination_state(connection),
            creation_time: secs(d.created_ms),
            last_modified_time: secs(d.modified_ms),
        }
    }
}

/// An API destination as ListApiDestinations shows it; DescribeApiDestination
/// adds the description.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ApiDestinationOut<'a> {
    name: &'a str,
    api_destination_arn: &'a str,
    api_destination_state: &'static str,
    connection_arn: &'a str,
    invocation_endpoint: &'a str,
    http_method: &'a str,
    invocation_rate_limit_per_second: i64,
    creation_time: f64,
    last_modified_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

impl<'a> ApiDestinationOut<'a> {
    pub(in crate::local::events) fn listed(
        d: &'a ApiDestinationRecord,
        connection: Option<&ConnectionRecord>,
    ) -> Self {
        ApiDestinationOut {
            name: &d.name,
            api_destination_arn: &d.arn,
            api_destination_state: destination_state(connection),
            connection_arn: &d.connection_arn,
            invocation_endpoint: &d.endpoint,
            http_method: &d.http_method,
            invocation_rate_limit_per_second: d.rate_per_second,
            creation_time: secs(d.created_ms),
            last_modified_time: secs(d.modified_ms),
            description: None,
        }
    }

    pub(in crate::local::events) fn described(
        d: &'a ApiDestinationRecord,
        connection: Option<&ConnectionRecord>,
    ) -> Self {
        ApiDestinationOut {
            description: d.description.as_deref(),
            ..ApiDestinationOut::listed(d, connection)
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(in crate::local::events) struct ApiDestinationsOut<'a> {
    pub(in crate::local::events) api_destinations: Vec<ApiDestinationOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(in crate::local::events) next_token: Option<String>,
}
