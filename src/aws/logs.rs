//! CloudWatch Logs: groups, streams, filtered events and live tail.

use super::{Clients, Error};
use crate::domain::{LogEvent, LogGroup, LogStream};
use tokio::sync::mpsc;

impl Clients {
    pub async fn list_log_groups(&self, prefix: Option<&str>) -> Result<Vec<LogGroup>, Error> {
        let _ = prefix;
        todo!()
    }

    pub async fn list_log_streams(&self, group: &str) -> Result<Vec<LogStream>, Error> {
        let _ = group;
        todo!()
    }

    /// Events of a group between two times (ms since the epoch), with an
    /// optional CloudWatch `filterPattern`, oldest first, at most `limit`.
    pub async fn filter_log_events(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: Option<i64>,
        end_ms: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<LogEvent>, Error> {
        let _ = (group, filter, start_ms, end_ms, limit);
        todo!()
    }

    /// Follows a group: StartLiveTail where the backend has it, else polling
    /// FilterLogEvents. Events arrive on the channel until it is dropped.
    pub fn tail_logs(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: i64,
    ) -> mpsc::Receiver<Result<LogEvent, Error>> {
        let _ = (group, filter, start_ms);
        todo!()
    }

    pub async fn create_log_group(&self, group: &str) -> Result<(), Error> {
        let _ = group;
        todo!()
    }

    /// Writes events (ms timestamps) to a stream, creating the stream if needed.
    pub async fn put_log_events(
        &self,
        group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) -> Result<(), Error> {
        let _ = (group, stream, events);
        todo!()
    }
}
