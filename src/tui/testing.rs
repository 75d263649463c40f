//! What the TUI's unit tests share: key presses as `Msg`s and a queue built
//! from its attributes. Only compiled for tests; imports nothing but the
//! state and the domain, so any test module may use it.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::Queue;
use crate::tui::state::Msg;

/// The character `c` pressed.
pub(crate) fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The key `c` pressed.
pub(crate) fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A standard queue `name` with `visible` messages, whose redrive policy
/// names `dlq` (maxReceiveCount 3) when given.
pub(crate) fn queue(name: &str, visible: u64, dlq: Option<&str>) -> Queue {
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "QueueArn".to_string(),
        format!("arn:aws:sqs:us-east-1:1:{name}"),
    );
    attrs.insert(
        "ApproximateNumberOfMessages".to_string(),
        visible.to_string(),
    );
    if let Some(d) = dlq {
        attrs.insert(
            "RedrivePolicy".to_string(),
            format!(
                r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:{d}","maxReceiveCount":3}}"#
            ),
        );
    }
    Queue::from_attributes(&format!("http://x/1/{name}"), attrs)
}
