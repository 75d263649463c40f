//! SNS's journal records (`local::Record::Sns`) and their replay: topics
//! and subscriptions are recorded whole at every change (small, and replay
//! is a put), deletions by ARN, and deliveries waiting for a retry
//! (HTTP(S), or any that failed on the server side) until they are settled
//! (delivered or dead-lettered), so a restart loses none of them.
//! Not journaled: FIFO deduplication ids and sequence numbers (a restart
//! starts a new window; sequence numbers keep increasing within a run).

use super::deliver::Delivery;
use super::state::{State, SubRecord, TopicRecord};
use serde::{Deserialize, Serialize};

/// One SNS state change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Change {
    TopicPut(TopicRecord),
    TopicDeleted {
        arn: String,
    },
    SubPut(SubRecord),
    SubDeleted {
        arn: String,
    },
    /// A delivery waiting for its next attempt (replaces an earlier record
    /// of the same id).
    Pending(Delivery),
    /// A pending delivery that was delivered, dead-lettered or dropped.
    Settled {
        id: String,
    },
}

/// Applies a replayed change to the state and the pending deliveries.
pub fn apply(state: &mut State, pending: &mut super::deliver::Pending, change: Change) {
    match change {
        Change::TopicPut(t) => state.put_topic(t),
        Change::TopicDeleted { arn } => state.delete_topic(&arn),
        Change::SubPut(s) => state.put_sub(s),
        Change::SubDeleted { arn } => state.delete_sub(&arn),
        Change::Pending(d) => pending.put(d),
        Change::Settled { id } => pending.remove(&id),
    }
}
