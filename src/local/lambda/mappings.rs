//! Event source mapping operations (SQS sources only): create, list, get,
//! update, delete; their validation (lambda.md §3); and what the pollers
//! read of a mapping each round.

use super::state::Mapping;
use super::wire::{
    Reply, body_object, conflict, in_range, invalid, not_found, opt_bool, opt_int, opt_obj, opt_str,
};
use super::{Lambda, LambdaHost};
use crate::local::core::{AwsError, Ctx};
use serde_json::{Value, json};
use std::sync::Arc;

/// Pollers per mapping without `ScalingConfig.MaximumConcurrency` (AWS starts with five).
pub const DEFAULT_POLLERS: u32 = 5;

/// The settings a poller needs, read each round (updates apply at once).
#[derive(Debug, Clone)]
pub struct Polling {
    pub function: String,
    pub source_arn: String,
    pub batch_size: u32,
    pub window_s: u32,
    pub enabled: bool,
    pub report_failures: bool,
    pub pollers: u32,
}

/// Checks a mapping's batching settings as AWS does for an SQS source.
pub fn check(
    batch_size: i64,
    window_s: i64,
    fifo: bool,
    response_types: &[String],
    max_concurrency: Option<i64>,
) -> Result<(), AwsError> {
    in_range("BatchSize", batch_size, 1, 10_000)?;
    in_range("MaximumBatchingWindowInSeconds", window_s, 0, 300)?;
    if fifo && batch_size > 10 {
        return Err(invalid(format!(
            "Batch size ({batch_size}) is greater than the maximum allowed for a FIFO queue (10)"
        )));
    }
    if batch_size > 10 && window_s < 1 {
        return Err(invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
        ));
    }
    if let Some(t) = response_types
        .iter()
        .find(|t| *t != "ReportBatchItemFailures")
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '[{t}]' at 'functionResponseTypes' failed to satisfy constraint: \
             Member must satisfy enum value set: [ReportBatchItemFailures]"
        )));
    }
    if let Some(m) = max_concurrency {
        in_range("MaximumConcurrency", m, 2, 1000)?;
    }
    Ok(())
}

fn response_types(m: &serde_json::Map<String, Value>) -> Result<Option<Vec<String>>, AwsError> {
    match m.get("FunctionResponseTypes") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid("FunctionResponseTypes must be strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid("FunctionResponseTypes must be a list")),
    }
}

fn max_concurrency(m: &serde_json::Map<String, Value>) -> Result<Option<i64>, AwsError> {
    match opt_obj(m, "ScalingConfig")? {
        Some(s) => opt_int(s, "MaximumConcurrency"),
        None => Ok(None),
    }
}

impl Lambda {
    fn mapping_not_found() -> AwsError {
        not_found("The resource you requested does not exist.")
    }

    pub(super) fn create_mapping<H: LambdaHost>(
        &self,
        host: &Arc<H>,
        body: &[u8],
        ctx: &Ctx,
        now: i64,
    ) -> Result<Reply, AwsError> {
        let m = body_object(body)?;
        let function =
            opt_str(&m, "FunctionName")?.ok_or_else(|| invalid("FunctionName is required"))?;
        let source = opt_str(&m, "EventSourceArn")?.ok_or_else(|| {
            invalid("EventSourceArn is required (eddy's backend polls SQS queues)")
        })?;
        if !source.starts_with("arn:aws:sqs:") {
            return Err(invalid(format!(
                "Unsupported event source {source}: eddy's backend runs event source mappings for SQS queues only"
            )));
        }
        let fifo = source.ends_with(".fifo");
        let batch = opt_int(&m, "BatchSize")?.unwrap_or(10);
        let window = opt_int(&m, "MaximumBatchingWindowInSeconds")?.unwrap_or(0);
        let types = response_types(&m)?.unwrap_or_default();
        let max_c = max_concurrency(&m)?;
        check(batch, window, fifo, &types, max_c)?;
        let enabled = opt_bool(&m, "Enabled")?.unwrap_or(true);
        if !host.sqs().has_queue(&source) {
            return Err(invalid(format!(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. \
                 SQS Error Message: The specified queue {source} does not exist"
            )));
        }
        let (key, name) = self.key_of(&function, ctx)?;
        let mut regions = self.lock();
        let region = regions.entry(key.clone()).or_default();
        let f = region.functions.get(&name).ok_or_else(|| {
            not_found(format!(
                "Function not found: {}",
                super::functions::arn_of(&key, &name)
            ))
        })?;
        let function_arn = f.arn.clone();
        if let Some(other) = region
            .mappings
            .values()
            .find(|x| x.source_arn == source && x.function_arn == function_arn)
        {
            return Err(conflict(format!(
                "An event source mapping with SQS arn (\" {source} \") and function (\" {name} \") already exists. \
                 Please update or delete the existing mapping with UUID {}",
                other.uuid
            )));
        }
        let uuid = uuid::Uuid::new_v4().to_string();
        let (run, _) = tokio::sync::watch::channel(enabled);
        let mapping = Mapping {
            uuid: uuid.clone(),
            source_arn: source,
            function_arn,
            function_name: name,
            batch_size: batch as u32,
            window_s: window as u32,
            enabled,
            report_failures: !types.is_empty(),
            max_concurrency: max_c.map(|v| v as u32),
            last_modified_ms: now,
            last_result: None,
            run,
        };
        let reply = mapping.to_json("Creating");
        let rx = mapping.run.subscribe();
        region.mappings.insert(uuid.clone(), mapping);
        drop(regions);
        super::poller::start(host, key, uuid, rx);
        Ok(Reply::json(202, &reply))
    }

    pub(super) fn list_mappings(
        &self,
        q: &[(String, String)],
        ctx: &Ctx,
    ) -> Result<Reply, AwsError> {
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let max = match get("MaxItems") {
            Some(v) => in_range(
                "MaxItems",
                v.parse()
                    .map_err(|_| invalid("MaxItems must be an integer"))?,
                1,
                10_000,
            )? as usize,
            None => 100,
        };
        let function_arn = match get("FunctionName") {
            Some(f) => {
                let (key, name) = self.key_of(&f, ctx)?;
                Some(super::functions::arn_of(&key, &name))
            }
            None => None,
        };
        let source = get("EventSourceArn");
        let regions = self.lock();
        let key = (ctx.account.clone(), ctx.region.clone());
        let all: Vec<&Mapping> = regions
            .get(&key)
            .map(|r| {
                r.mappings
                    .values()
                    .filter(|m| source.as_ref().is_none_or(|s| &m.source_arn == s))
                    .filter(|m| function_arn.as_ref().is_none_or(|f| &m.function_arn == f))
                    .collect()
            })
            .unwrap_or_default();
        let start = match get("Marker") {
            Some(mk) => all
                .iter()
                .position(|m| m.uuid == mk)
                .ok_or_else(|| invalid(format!("Marker {mk} is not one this backend gave out")))?,
            None => 0,
        };
        let page: Vec<Value> = all
            .iter()
            .skip(start)
            .take(max)
            .map(|m| m.to_json(m.state()))
            .collect();
        let mut v = json!({"EventSourceMappings": page});
        if let Some(next) = all.get(start + max) {
            v["NextMarker"] = json!(next.uuid);
        }
        Ok(Reply::json(200, &v))
    }

    fn with_mapping<T>(
        &self,
        uuid: &str,
        ctx: &Ctx,
        then: impl FnOnce(&mut Mapping) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let mut regions = self.lock();
        let key = (ctx.account.clone(), ctx.region.clone());
        let m = regions
            .get_mut(&key)
            .and_then(|r| r.mappings.get_mut(uuid))
            .ok_or_else(Self::mapping_not_found)?;
        then(m)
    }

    pub(super) fn get_mapping(&self, uuid: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        self.with_mapping(uuid, ctx, |m| Ok(Reply::json(200, &m.to_json(m.state()))))
    }

    pub(super) fn update_mapping(
        &self,
        body: &[u8],
        uuid: &str,
        ctx: &Ctx,
        now: i64,
    ) -> Result<Reply, AwsError> {
        let b = body_object(body)?;
        let function = match opt_str(&b, "FunctionName")? {
            Some(f) => {
                let (key, name) = self.key_of(&f, ctx)?;
                let exists = self
                    .lock()
                    .get(&key)
                    .is_some_and(|r| r.functions.contains_key(&name));
                if !exists {
                    return Err(not_found(format!(
                        "Function not found: {}",
                        super::functions::arn_of(&key, &name)
                    )));
                }
                Some((super::functions::arn_of(&key, &name), name))
            }
            None => None,
        };
        let batch = opt_int(&b, "BatchSize")?;
        let window = opt_int(&b, "MaximumBatchingWindowInSeconds")?;
        let types = response_types(&b)?;
        let max_c = max_concurrency(&b)?;
        let enabled = opt_bool(&b, "Enabled")?;
        self.with_mapping(uuid, ctx, |m| {
            let fifo = m.source_arn.ends_with(".fifo");
            let types_now = types.clone().unwrap_or_else(|| {
                if m.report_failures {
                    vec!["ReportBatchItemFailures".to_string()]
                } else {
                    Vec::new()
                }
            });
            check(
                batch.unwrap_or(m.batch_size as i64),
                window.unwrap_or(m.window_s as i64),
                fifo,
                &types_now,
                max_c.or(m.max_concurrency.map(i64::from)),
            )?;
            let state = match enabled {
                Some(true) if !m.enabled => "Enabling",
                Some(false) if m.enabled => "Disabling",
                _ => "Updating",
            };
            if let Some((arn, name)) = function {
                m.function_arn = arn;
                m.function_name = name;
            }
            if let Some(v) = batch {
                m.batch_size = v as u32;
            }
            if let Some(v) = window {
                m.window_s = v as u32;
            }
            if types.is_some() {
                m.report_failures = !types_now.is_empty();
            }
            if let Some(v) = max_c {
                m.max_concurrency = Some(v as u32);
            }
            if let Some(e) = enabled {
                m.enabled = e;
            }
            m.last_modified_ms = now;
            m.run.send_replace(m.enabled);
            Ok(Reply::json(202, &m.to_json(state)))
        })
    }

    pub(super) fn delete_mapping(&self, uuid: &str, ctx: &Ctx) -> Result<Reply, AwsError> {
        let mut regions = self.lock();
        let key = (ctx.account.clone(), ctx.region.clone());
        let m = regions
            .get_mut(&key)
            .and_then(|r| r.mappings.remove(uuid))
            .ok_or_else(Self::mapping_not_found)?;
        // Dropping the sender stops the pollers.
        let reply = m.to_json("Deleting");
        drop(m);
        Ok(Reply::json(202, &reply))
    }

    /// What a poller of this mapping does now; None once it is deleted.
    pub(super) fn polling(&self, key: &(String, String), uuid: &str) -> Option<Polling> {
        let regions = self.lock();
        let m = regions.get(key)?.mappings.get(uuid)?;
        Some(Polling {
            function: m.function_arn.clone(),
            source_arn: m.source_arn.clone(),
            batch_size: m.batch_size,
            window_s: m.window_s,
            enabled: m.enabled,
            report_failures: m.report_failures,
            pollers: m
                .max_concurrency
                .unwrap_or(DEFAULT_POLLERS)
                .min(super::invoke::DEFAULT_CONCURRENCY as u32),
        })
    }

    /// Records the result of a mapping's last batch.
    pub(super) fn set_last_result(&self, key: &(String, String), uuid: &str, result: &str) {
        if let Some(m) = self
            .lock()
            .get_mut(key)
            .and_then(|r| r.mappings.get_mut(uuid))
        {
            m.last_result = Some(result.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batching_is_validated_as_for_sqs() {
        let none: Vec<String> = Vec::new();
        assert!(check(10, 0, false, &none, None).is_ok());
        assert!(check(0, 0, false, &none, None).is_err());
        assert!(check(10_001, 1, false, &none, None).is_err());
        let e = check(11, 0, false, &none, None).unwrap_err();
        assert!(e.message.contains("greater than 0"), "{}", e.message);
        assert!(check(11, 1, false, &none, None).is_ok());
        assert!(check(11, 1, true, &none, None).is_err());
        assert!(check(10, 301, false, &none, None).is_err());
        assert!(check(10, 0, false, &["Other".to_string()], None).is_err());
        assert!(
            check(
                10,
                0,
                false,
                &["ReportBatchItemFailures".to_string()],
                Some(2)
            )
            .is_ok()
        );
        assert!(check(10, 0, false, &none, Some(1)).is_err());
        assert!(check(10, 0, false, &none, Some(1001)).is_err());
    }
}
