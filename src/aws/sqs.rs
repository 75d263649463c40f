//! SQS: queues and their counts, the DLQ map, safe peek, send, delete,
//! visibility, purge and message move tasks.

use super::{Clients, Error};
use crate::domain::{BatchOutcome, DeadLetterQueue, Message, MoveTask, OutgoingMessage, Queue};
use std::collections::BTreeMap;

/// How to peek.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeekOptions {
    /// Peek even when one receive can dead-letter messages (`maxReceiveCount` <= 2).
    pub force: bool,
    /// Keep the messages invisible (for the visibility timeout) instead of releasing them.
    pub hold: bool,
}

/// What a peek saw.
#[derive(Debug, Clone)]
pub struct Peek {
    pub queue: Queue,
    pub messages: Vec<Message>,
    /// Things the user must know (FIFO group held, messages at their last receive).
    pub warnings: Vec<String>,
}

impl Clients {
    /// A queue URL from a name or URL.
    pub async fn queue_url(&self, name_or_url: &str) -> Result<String, Error> {
        let _ = name_or_url;
        todo!()
    }

    /// Every queue (optionally by name prefix) with all its attributes,
    /// fetched concurrently; sorted by name.
    pub async fn list_queues(&self, prefix: Option<&str>) -> Result<Vec<Queue>, Error> {
        let _ = prefix;
        todo!()
    }

    pub async fn get_queue(&self, name_or_url: &str) -> Result<Queue, Error> {
        let _ = name_or_url;
        todo!()
    }

    /// Every queue that is some queue's DLQ, with the queues that feed it
    /// (from `RedrivePolicy`, completed by `ListDeadLetterSourceQueues`).
    pub async fn dead_letter_queues(&self) -> Result<Vec<DeadLetterQueue>, Error> {
        todo!()
    }

    /// Safe peek: see the module docs of the issue; never on a timer.
    pub async fn peek(&self, queue: &str, max: u32, opts: PeekOptions) -> Result<Peek, Error> {
        let _ = (queue, max, opts);
        todo!()
    }

    /// A plain receive (for operations that consume), with all attributes.
    pub async fn receive(
        &self,
        queue_url: &str,
        max: u32,
        visibility_timeout_s: Option<i32>,
        wait_s: i32,
    ) -> Result<Vec<Message>, Error> {
        let _ = (queue_url, max, visibility_timeout_s, wait_s);
        todo!()
    }

    /// Sends one message; returns its message id.
    pub async fn send(&self, queue_url: &str, msg: &OutgoingMessage) -> Result<String, Error> {
        let _ = (queue_url, msg);
        todo!()
    }

    /// Sends messages in batches of 10; one outcome per message, in order (ids "0", "1", …).
    pub async fn send_batch(
        &self,
        queue_url: &str,
        msgs: &[OutgoingMessage],
    ) -> Result<Vec<BatchOutcome>, Error> {
        let _ = (queue_url, msgs);
        todo!()
    }

    /// Deletes by receipt handle in batches of 10; one outcome per handle, in order.
    pub async fn delete_batch(
        &self,
        queue_url: &str,
        receipt_handles: &[String],
    ) -> Result<Vec<BatchOutcome>, Error> {
        let _ = (queue_url, receipt_handles);
        todo!()
    }

    /// Sets the visibility timeout of received messages (0 releases them), in batches of 10.
    pub async fn change_visibility_batch(
        &self,
        queue_url: &str,
        receipt_handles: &[String],
        timeout_s: i32,
    ) -> Result<Vec<BatchOutcome>, Error> {
        let _ = (queue_url, receipt_handles, timeout_s);
        todo!()
    }

    pub async fn purge(&self, queue_url: &str) -> Result<(), Error> {
        let _ = queue_url;
        todo!()
    }

    /// Starts a server-side move of a DLQ's messages (to their sources when
    /// `destination_arn` is None); returns the task handle.
    pub async fn start_move_task(
        &self,
        source_arn: &str,
        destination_arn: Option<&str>,
        max_per_second: Option<i32>,
    ) -> Result<String, Error> {
        let _ = (source_arn, destination_arn, max_per_second);
        todo!()
    }

    pub async fn list_move_tasks(&self, source_arn: &str) -> Result<Vec<MoveTask>, Error> {
        let _ = source_arn;
        todo!()
    }

    /// Cancels a move task; returns how many messages it had moved.
    pub async fn cancel_move_task(&self, task_handle: &str) -> Result<u64, Error> {
        let _ = task_handle;
        todo!()
    }

    /// Creates a queue (attributes as SQS names them); returns its URL.
    pub async fn create_queue(
        &self,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<String, Error> {
        let _ = (name, attributes);
        todo!()
    }

    pub async fn delete_queue(&self, queue_url: &str) -> Result<(), Error> {
        let _ = queue_url;
        todo!()
    }

    pub async fn set_queue_attributes(
        &self,
        queue_url: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<(), Error> {
        let _ = (queue_url, attributes);
        todo!()
    }
}
