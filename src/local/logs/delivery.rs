//! Vended-logs delivery: delivery sources (Put/Get/Describe/DeleteDeliverySource),
//! delivery destinations and their policies (Put/Get/Describe/DeleteDeliveryDestination,
//! Put/Get/DeleteDeliveryDestinationPolicy) and the deliveries linking them
//! (Create/Get/Describe/DeleteDelivery): request types, AWS's checks and
//! not-found messages, operations and answers. eddy stores and journals
//! them; no AWS service sends it logs, so nothing is ever delivered.

use super::Logs;
use super::journal::{Change, Item, Kind};
use super::state::{Delivery, DeliveryDestination, DeliverySource};
use super::wire::{Empty, get, get_limit, get_str, invalid, need_str, reply};
use crate::local::core::{AwsError, Core, Ctx, OpResult};
use crate::local::members::{Raw, Typed};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The largest page of the Describe operations.
const MAX_PAGE: usize = 50;
/// The services that can be a delivery source (vended logs) eddy knows of.
const SOURCE_SERVICES: &[&str] = &[
    "cloudfront",
    "bedrock",
    "codewhisperer",
    "q",
    "entityresolution",
    "sso",
    "workmail",
    "mediapackage",
    "xray",
];
const OUTPUT_FORMATS: &str = "[w3c, raw, json, plain, parquet]";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutDeliverySourceRequest {
    name: Typed<String>,
    resource_arn: Typed<String>,
    log_type: Typed<String>,
    tags: Typed<BTreeMap<String, String>>,
}

/// The operations that name one resource: `name`, `deliveryDestinationName` or `id`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct NameRequest {
    name: Typed<String>,
    delivery_destination_name: Typed<String>,
    delivery_destination_policy: Typed<String>,
    id: Typed<String>,
    limit: Typed<i64>,
    next_token: Typed<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct PutDeliveryDestinationRequest {
    name: Typed<String>,
    output_format: Typed<String>,
    delivery_destination_configuration: Raw,
    delivery_destination_type: Typed<String>,
    tags: Typed<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct CreateDeliveryRequest {
    delivery_source_name: Typed<String>,
    delivery_destination_arn: Typed<String>,
    record_fields: Raw,
    field_delimiter: Raw,
    s3_delivery_configuration: Raw,
    tags: Typed<BTreeMap<String, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SourceOut<'a> {
    name: &'a str,
    arn: String,
    resource_arns: &'a [String],
    service: &'a str,
    log_type: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationConfig<'a> {
    destination_resource_arn: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationOut<'a> {
    name: &'a str,
    arn: String,
    delivery_destination_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_format: Option<&'a str>,
    delivery_destination_configuration: DestinationConfig<'a>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryOut<'a> {
    id: &'a str,
    arn: String,
    delivery_source_name: &'a str,
    delivery_destination_arn: &'a str,
    delivery_destination_type: &'a str,
    #[serde(flatten)]
    settings: &'a BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
}

fn not_found(what: &str) -> AwsError {
    AwsError::new(
        400,
        "ResourceNotFoundException",
        format!("Requested {what} does not exist in this account."),
    )
}

fn arn(account: &str, region: &str, kind: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:{kind}:{name}")
}

/// One page of `(name, out)` pairs by name, with the next page's token.
fn page<T: Serialize>(
    mut all: Vec<(String, T)>,
    b: &NameRequest,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let limit = get_limit(&b.limit, MAX_PAGE, MAX_PAGE)?;
    let after = get_str(&b.next_token, "nextToken")?;
    all.retain(|(n, _)| after.is_none_or(|a| n.as_str() > a));
    let next = (all.len() > limit).then(|| all[limit - 1].0.clone());
    all.truncate(limit);
    Ok((all.into_iter().map(|(_, o)| o).collect(), next))
}

fn source_out<'a>(
    account: &str,
    region: &str,
    name: &'a str,
    s: &'a DeliverySource,
) -> SourceOut<'a> {
    SourceOut {
        name,
        arn: arn(account, region, "delivery-source", name),
        resource_arns: &s.resource_arns,
        service: &s.service,
        log_type: &s.log_type,
        tags: &s.tags,
    }
}

fn destination_out<'a>(
    account: &str,
    region: &str,
    name: &'a str,
    d: &'a DeliveryDestination,
) -> DestinationOut<'a> {
    DestinationOut {
        name,
        arn: arn(account, region, "delivery-destination", name),
        delivery_destination_type: &d.kind,
        output_format: d.output_format.as_deref(),
        delivery_destination_configuration: DestinationConfig {
            destination_resource_arn: &d.resource_arn,
        },
        tags: &d.tags,
    }
}

fn delivery_out<'a>(account: &str, region: &str, id: &'a str, d: &'a Delivery) -> DeliveryOut<'a> {
    DeliveryOut {
        id,
        arn: arn(account, region, "delivery", id),
        delivery_source_name: &d.source,
        delivery_destination_arn: &d.destination_arn,
        delivery_destination_type: &d.kind,
        settings: &d.settings,
        tags: &d.tags,
    }
}

/// A delivery or source name: `[\w-]*`, 1 to 60 characters.
fn check_name(name: &str) -> Result<(), AwsError> {
    if name.is_empty()
        || name.chars().count() > 60
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]*"
        )));
    }
    Ok(())
}

impl Logs {
    pub(super) fn put_delivery_source(
        &self,
        local: &Core,
        b: PutDeliverySourceRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = need_str(&b.name, "name")?;
        check_name(name)?;
        let resource = need_str(&b.resource_arn, "resourceArn")?;
        let log_type = need_str(&b.log_type, "logType")?;
        let tags = get(&b.tags, "tags")?.cloned().unwrap_or_default();
        let service = resource.split(':').nth(2).unwrap_or("");
        if !resource.starts_with("arn:") || !SOURCE_SERVICES.contains(&service) {
            return Err(AwsError::new(
                400,
                "ResourceNotFoundException",
                "Cannot access provided service.",
            ));
        }
        let source = DeliverySource {
            resource_arns: vec![resource.to_string()],
            service: service.to_string(),
            log_type: log_type.to_string(),
            tags,
        };
        let mut st = self.lock(&ctx.account);
        self.commit(
            &mut st,
            local,
            Change::Put {
                region: ctx.region.clone(),
                name: name.to_string(),
                item: Item::DeliverySource(source.clone()),
            },
        )?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            delivery_source: SourceOut<'a>,
        }
        reply(Out {
            delivery_source: source_out(&ctx.account, &ctx.region, name, &source),
        })
    }

    pub(super) fn get_delivery_source(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let name = need_str(&b.name, "name")?;
        let st = self.lock(&ctx.account);
        let s = st
            .delivery_sources
            .get(&(ctx.region.clone(), name.to_string()))
            // AWS's GetDeliverySource ends its message with two full stops
            // (as recorded; DeleteDeliverySource's has one).
            .ok_or_else(|| {
                AwsError::new(
                    400,
                    "ResourceNotFoundException",
                    "Requested Delivery Source does not exist in this account..",
                )
            })?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            delivery_source: SourceOut<'a>,
        }
        reply(Out {
            delivery_source: source_out(&ctx.account, &ctx.region, name, s),
        })
    }

    pub(super) fn describe_delivery_sources(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let st = self.lock(&ctx.account);
        let all = st
            .delivery_sources
            .iter()
            .filter(|((r, _), _)| r == &ctx.region)
            .map(|((r, n), s)| (n.clone(), source_out(&ctx.account, r, n, s)))
            .collect();
        let (delivery_sources, next_token) = page(all, &b)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            delivery_sources: Vec<SourceOut<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        reply(Out {
            delivery_sources,
            next_token,
        })
    }

    pub(super) fn put_delivery_destination(
        &self,
        local: &Core,
        b: PutDeliveryDestinationRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let name = need_str(&b.name, "name")?;
        check_name(name)?;
        let format = get_str(&b.output_format, "outputFormat")?;
        if let Some(f) = format
            && !OUTPUT_FORMATS
                .trim_matches(['[', ']'])
                .split(", ")
                .any(|o| o == f)
        {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '{f}' at 'outputFormat' failed to satisfy constraint: Member must satisfy enum value set: {OUTPUT_FORMATS}"
            )));
        }
        get_str(&b.delivery_destination_type, "deliveryDestinationType")?;
        let resource = b
            .delivery_destination_configuration
            .get()
            .and_then(|c| c.get("destinationResourceArn"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                AwsError::validation(
                    "1 validation error detected: Value null at 'deliveryDestinationConfiguration.destinationResourceArn' failed to satisfy constraint: Member must not be null",
                )
            })?;
        let kind = match resource.split(':').nth(2) {
            Some("s3") => "S3",
            Some("logs") => "CWL",
            Some("firehose") => "FH",
            Some("xray") => "XRAY",
            _ => {
                return Err(invalid(format!(
                    "{resource} is not a supported delivery destination (an S3 bucket, a log group or a Firehose stream)"
                )));
            }
        };
        let tags = get(&b.tags, "tags")?.cloned().unwrap_or_default();
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        let old = st.delivery_destinations.get(&key);
        let destination = DeliveryDestination {
            resource_arn: resource.to_string(),
            kind: kind.to_string(),
            output_format: format.map(str::to_string),
            policy: old.and_then(|d| d.policy.clone()),
            tags,
        };
        self.commit(
            &mut st,
            local,
            Change::Put {
                region: key.0,
                name: key.1,
                item: Item::DeliveryDestination(destination.clone()),
            },
        )?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            delivery_destination: DestinationOut<'a>,
        }
        reply(Out {
            delivery_destination: destination_out(&ctx.account, &ctx.region, name, &destination),
        })
    }

    pub(super) fn get_delivery_destination(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let name = need_str(&b.name, "name")?;
        let st = self.lock(&ctx.account);
        let d = st
            .delivery_destinations
            .get(&(ctx.region.clone(), name.to_string()))
            .ok_or_else(|| not_found("Delivery Destination"))?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            delivery_destination: DestinationOut<'a>,
        }
        reply(Out {
            delivery_destination: destination_out(&ctx.account, &ctx.region, name, d),
        })
    }

    pub(super) fn describe_delivery_destinations(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let st = self.lock(&ctx.account);
        let all = st
            .delivery_destinations
            .iter()
            .filter(|((r, _), _)| r == &ctx.region)
            .map(|((r, n), d)| (n.clone(), destination_out(&ctx.account, r, n, d)))
            .collect();
        let (delivery_destinations, next_token) = page(all, &b)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            delivery_destinations: Vec<DestinationOut<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        reply(Out {
            delivery_destinations,
            next_token,
        })
    }

    /// Put/Get/DeleteDeliveryDestinationPolicy (`op` says which).
    pub(super) fn delivery_destination_policy(
        &self,
        local: &Core,
        b: NameRequest,
        ctx: &Ctx,
        op: &str,
    ) -> OpResult {
        let name = need_str(&b.delivery_destination_name, "deliveryDestinationName")?;
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        let mut d = st
            .delivery_destinations
            .get(&key)
            .cloned()
            .ok_or_else(|| not_found("Delivery Destination"))?;
        match op {
            "Get" => {}
            "Put" => {
                let policy = need_str(&b.delivery_destination_policy, "deliveryDestinationPolicy")?;
                d.policy = Some(policy.to_string());
            }
            _ => d.policy = None,
        }
        let policy = d.policy.clone();
        if op != "Get" {
            self.commit(
                &mut st,
                local,
                Change::Put {
                    region: key.0,
                    name: key.1,
                    item: Item::DeliveryDestination(d),
                },
            )?;
        }
        if op == "Delete" {
            return reply(Empty {});
        }
        let mut inner = serde_json::Map::new();
        if let Some(p) = policy {
            inner.insert("deliveryDestinationPolicy".to_string(), Value::String(p));
        }
        Ok(serde_json::json!({ "policy": inner }))
    }

    pub(super) fn create_delivery(
        &self,
        local: &Core,
        b: CreateDeliveryRequest,
        ctx: &Ctx,
    ) -> OpResult {
        let source = need_str(&b.delivery_source_name, "deliverySourceName")?;
        let destination = need_str(&b.delivery_destination_arn, "deliveryDestinationArn")?;
        let tags = get(&b.tags, "tags")?.cloned().unwrap_or_default();
        let mut settings = BTreeMap::new();
        for (key, raw) in [
            ("recordFields", &b.record_fields),
            ("fieldDelimiter", &b.field_delimiter),
            ("s3DeliveryConfiguration", &b.s3_delivery_configuration),
        ] {
            if let Some(v) = raw.get() {
                settings.insert(key.to_string(), v.clone());
            }
        }
        let mut st = self.lock(&ctx.account);
        if !st
            .delivery_sources
            .contains_key(&(ctx.region.clone(), source.to_string()))
        {
            return Err(not_found("Delivery Source"));
        }
        let dest_name = destination
            .rsplit_once(":delivery-destination:")
            .map(|(_, n)| n)
            .unwrap_or("");
        let kind = st
            .delivery_destinations
            .get(&(ctx.region.clone(), dest_name.to_string()))
            .map(|d| d.kind.clone())
            .ok_or_else(|| not_found("Delivery Destination"))?;
        let id: String = uuid::Uuid::new_v4().simple().to_string()[..16].to_string();
        let delivery = Delivery {
            source: source.to_string(),
            destination_arn: destination.to_string(),
            kind,
            tags,
            settings,
        };
        self.commit(
            &mut st,
            local,
            Change::Put {
                region: ctx.region.clone(),
                name: id.clone(),
                item: Item::Delivery(delivery.clone()),
            },
        )?;
        #[derive(Serialize)]
        struct Out<'a> {
            delivery: DeliveryOut<'a>,
        }
        reply(Out {
            delivery: delivery_out(&ctx.account, &ctx.region, &id, &delivery),
        })
    }

    pub(super) fn get_delivery(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let id = need_str(&b.id, "id")?;
        let st = self.lock(&ctx.account);
        let d = st
            .deliveries
            .get(&(ctx.region.clone(), id.to_string()))
            .ok_or_else(|| not_found("Delivery"))?;
        #[derive(Serialize)]
        struct Out<'a> {
            delivery: DeliveryOut<'a>,
        }
        reply(Out {
            delivery: delivery_out(&ctx.account, &ctx.region, id, d),
        })
    }

    pub(super) fn describe_deliveries(&self, b: NameRequest, ctx: &Ctx) -> OpResult {
        let st = self.lock(&ctx.account);
        let all = st
            .deliveries
            .iter()
            .filter(|((r, _), _)| r == &ctx.region)
            .map(|((r, id), d)| (id.clone(), delivery_out(&ctx.account, r, id, d)))
            .collect();
        let (deliveries, next_token) = page(all, &b)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            deliveries: Vec<DeliveryOut<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_token: Option<String>,
        }
        reply(Out {
            deliveries,
            next_token,
        })
    }

    /// DeleteDeliverySource, DeleteDeliveryDestination and DeleteDelivery.
    pub(super) fn delete_delivery_item(
        &self,
        local: &Core,
        b: NameRequest,
        ctx: &Ctx,
        kind: Kind,
    ) -> OpResult {
        let (name, what) = match kind {
            Kind::Delivery => (need_str(&b.id, "id")?, "Delivery"),
            Kind::DeliverySource => (need_str(&b.name, "name")?, "Delivery Source"),
            _ => (need_str(&b.name, "name")?, "Delivery Destination"),
        };
        let key = (ctx.region.clone(), name.to_string());
        let mut st = self.lock(&ctx.account);
        let exists = match kind {
            Kind::Delivery => st.deliveries.contains_key(&key),
            Kind::DeliverySource => st.delivery_sources.contains_key(&key),
            _ => st.delivery_destinations.contains_key(&key),
        };
        if !exists {
            return Err(not_found(what));
        }
        self.commit(
            &mut st,
            local,
            Change::Delete {
                region: key.0,
                name: key.1,
                kind,
            },
        )?;
        reply(Empty {})
    }
}
