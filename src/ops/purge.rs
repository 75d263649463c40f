//! Purge: delete every message of a queue (PurgeQueue), audited with the
//! approximate count it deleted.

use super::audit::Audit;
use super::{Confirmation, Done, Error, TYPED_ABOVE};
use crate::aws::Clients;
use crate::domain::{Queue, QueueUrl};
use crate::text::{plural, thousands};

/// Messages in the queue, as its counts say (visible, in flight, delayed).
pub fn total(queue: &Queue) -> u64 {
    let c = &queue.counts;
    c.visible + c.in_flight + c.delayed
}

/// What purging `queue` deletes; above [`TYPED_ABOVE`] messages, the
/// queue's name must be typed.
pub fn confirmation(queue: &Queue) -> Confirmation {
    let c = &queue.counts;
    let total = total(queue);
    Confirmation {
        title: format!("purge {}", queue.name),
        facts: vec![
            format!(
                "deletes all ~{} (visible {}, in flight {}, delayed {})",
                plural(total, "message", "messages"),
                thousands(c.visible),
                thousands(c.in_flight),
                thousands(c.delayed)
            ),
            "this cannot be undone".to_string(),
        ],
        typed: (total > TYPED_ABOVE).then(|| queue.name.clone()),
    }
}

/// What a purge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    pub queue: Queue,
    /// Messages deleted, approximately (the queue's counts just before).
    pub count: u64,
}

/// Purges the queue at `queue`: reads its counts, purges it, and records
/// `purge` (the queue URL, the approximate count). SQS may take up to 60 s
/// to finish.
pub async fn purge(c: &Clients, audit: &Audit, queue: &QueueUrl) -> Result<Done<Purged>, Error> {
    let q = c.get_queue(queue.as_str()).await?;
    let count = total(&q);
    c.purge(&q.url).await?;
    let recorded = audit.record("purge", &q.url, count, "approximate count");
    Ok(Done::audited(Purged { queue: q, count }, recorded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::QueueCounts;
    use std::collections::BTreeMap;

    fn queue(visible: u64) -> Queue {
        let mut q = Queue::from_attributes("http://x/1/orders", BTreeMap::new());
        q.counts = QueueCounts {
            visible,
            in_flight: 2,
            delayed: 0,
        };
        q
    }

    #[test]
    fn the_confirmation_states_the_blast_radius() {
        let c = confirmation(&queue(1));
        assert_eq!(
            c.one_line(),
            "purge orders: deletes all ~3 messages (visible 1, in flight 2, delayed 0); this cannot be undone"
        );
        assert_eq!(c.typed, None);
        let big = confirmation(&queue(1_000));
        assert!(
            big.one_line().contains("~1,002 messages (visible 1,000"),
            "{big:?}"
        );
        assert_eq!(
            big.typed.as_deref(),
            Some("orders"),
            "above 100 the name is typed"
        );
    }
}
