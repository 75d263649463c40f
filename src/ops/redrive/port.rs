//! The narrow port the client-side move talks to the backend through: read a
//! queue, receive, send a batch (to a queue, onto a bus or to a topic), delete a batch,
//! release (visibility 0). [`Clients`] implements it for real; the tests
//! implement it with a scripted fake, so that the move's failure paths
//! (unknown send outcomes, half-failed batches, failed deletes, a journal
//! that cannot be written) are tested without a server and deterministically.

use std::future::Future;

use crate::aws::{Clients, Error};
use crate::domain::{
    BatchOutcome, EventBus, EventEntry, Message, OutgoingMessage, Publish, PutEventOutcome, Queue,
    Topic,
};

/// What the client-side move needs from a backend, and nothing more.
pub trait Port: Send + Sync + 'static {
    /// The queue (attributes and counts) at `url`.
    fn queue(&self, url: &str) -> impl Future<Output = Result<Queue, Error>> + Send;
    /// The event buses (to check a destination bus exists).
    fn buses(&self) -> impl Future<Output = Result<Vec<EventBus>, Error>> + Send;
    /// One receive of at most `max` (≤ 10) messages, held for `visibility_s`.
    fn receive(
        &self,
        url: &str,
        max: u32,
        visibility_s: i32,
        wait_s: i32,
    ) -> impl Future<Output = Result<Vec<Message>, Error>> + Send;
    /// Sends a batch to a queue: one outcome per message, in order.
    fn send_batch(
        &self,
        url: &str,
        msgs: &[OutgoingMessage],
    ) -> impl Future<Output = Result<Vec<BatchOutcome>, Error>> + Send;
    /// Puts a batch of events onto a bus: one outcome per entry, in order.
    fn put_events(
        &self,
        entries: &[EventEntry],
    ) -> impl Future<Output = Result<Vec<PutEventOutcome>, Error>> + Send;
    /// The SNS topic with this ARN (FIFO, content-based deduplication).
    fn topic(&self, arn: &str) -> impl Future<Output = Result<Topic, Error>> + Send;
    /// Publishes a batch to a topic: one outcome per message, in order.
    fn publish_batch(
        &self,
        arn: &str,
        msgs: &[Publish],
    ) -> impl Future<Output = Result<Vec<BatchOutcome>, Error>> + Send;
    /// Deletes by receipt handle: one outcome per handle, in order.
    fn delete_batch(
        &self,
        url: &str,
        handles: &[String],
    ) -> impl Future<Output = Result<Vec<BatchOutcome>, Error>> + Send;
    /// Makes held messages visible again at once (visibility 0).
    fn release(
        &self,
        url: &str,
        handles: &[String],
    ) -> impl Future<Output = Result<Vec<BatchOutcome>, Error>> + Send;
    /// Where the backend is, for messages (`http://localhost:4566`, `AWS us-east-1`).
    fn label(&self) -> String;
}

impl Port for Clients {
    async fn queue(&self, url: &str) -> Result<Queue, Error> {
        self.get_queue(url).await
    }

    async fn buses(&self) -> Result<Vec<EventBus>, Error> {
        self.list_buses().await
    }

    async fn receive(
        &self,
        url: &str,
        max: u32,
        visibility_s: i32,
        wait_s: i32,
    ) -> Result<Vec<Message>, Error> {
        Clients::receive(self, url, max, Some(visibility_s), wait_s).await
    }

    async fn send_batch(
        &self,
        url: &str,
        msgs: &[OutgoingMessage],
    ) -> Result<Vec<BatchOutcome>, Error> {
        Clients::send_batch(self, url, msgs).await
    }

    async fn put_events(&self, entries: &[EventEntry]) -> Result<Vec<PutEventOutcome>, Error> {
        Clients::put_events(self, entries).await
    }

    async fn topic(&self, arn: &str) -> Result<Topic, Error> {
        self.get_topic(arn).await
    }

    async fn publish_batch(&self, arn: &str, msgs: &[Publish]) -> Result<Vec<BatchOutcome>, Error> {
        Clients::publish_batch(self, arn, msgs).await
    }

    async fn delete_batch(
        &self,
        url: &str,
        handles: &[String],
    ) -> Result<Vec<BatchOutcome>, Error> {
        Clients::delete_batch(self, url, handles).await
    }

    async fn release(&self, url: &str, handles: &[String]) -> Result<Vec<BatchOutcome>, Error> {
        self.change_visibility_batch(url, handles, 0).await
    }

    fn label(&self) -> String {
        self.endpoint_label()
    }
}
