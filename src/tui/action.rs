//! User intents. The snake_case name of each is what the keymap in the
//! config file uses (`peek = ["p"]`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave eddy (asks first while an operation runs).
    Quit,
    /// The `?` overlay: keys of the current view.
    Help,
    /// Close the overlay, clear the filter, or go back one view.
    Back,
    /// Drill into the selected row.
    Open,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ScrollLeft,
    ScrollRight,
    /// `/`: filter the current list.
    Filter,
    /// `:`: the command palette (`:queues`, `:dlqs`, `:buses`, `:logs`, `:functions`, `:topics`, `:ctx`, `:q`).
    Command,
    /// Refresh the current view now.
    Refresh,
    /// Safe peek of the selected queue (explicit; never on a timer).
    Peek,
    /// Peek again for a bigger sample (up to `peek_max`), each a safe peek.
    PeekMore,
    /// Sort by the next column / reverse the order.
    SortNext,
    SortReverse,
    /// Copy the message body to the clipboard (OSC 52).
    CopyBody,
    /// Inspector: raw body instead of pretty-printed JSON.
    ToggleRaw,
    /// Jump to the DLQ of the selected queue.
    GoToDlq,
    /// Mark / unmark the selected message (for delete and redrive).
    Mark,
    /// Delete every message of the queue (asks first; refused read-only).
    Purge,
    /// Delete the marked (or selected) messages (asks first; refused read-only).
    Delete,
    /// Edit the message and send it again (to a queue or a bus).
    Edit,
    /// Enable or disable the rule (asks first; refused read-only).
    ToggleRule,
    /// Tail the bus (or the rule's pattern): a temporary queue and rule.
    Tail,
    /// Pause / resume a tail.
    Pause,
    /// Save what the tail shows to a JSON Lines file.
    Save,
    /// The pattern workbench on the rule, the tail's events or the peeked messages.
    Workbench,
    /// Move the DLQ's messages (or the marked ones) back to a queue or onto a bus.
    Redrive,
    /// Cancel the running operation (after the batch in flight).
    Cancel,
    /// Replay a time range of the archive onto its bus (asks first; refused read-only).
    Replay,
    /// Jump to a time (asks for it: `10m` ago, `14:05`, RFC 3339).
    Jump,
    /// The log view of the function (a message: at its "why it failed" evidence).
    Logs,
    /// Publish a message to the topic (asks first; refused read-only).
    Publish,
    /// Which subscriptions of a topic the message would reach, and why.
    Reach,
}

impl Action {
    /// Every action, for help screens and config validation.
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Help,
        Action::Back,
        Action::Open,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::ScrollLeft,
        Action::ScrollRight,
        Action::Filter,
        Action::Command,
        Action::Refresh,
        Action::Peek,
        Action::PeekMore,
        Action::SortNext,
        Action::SortReverse,
        Action::CopyBody,
        Action::ToggleRaw,
        Action::GoToDlq,
        Action::Mark,
        Action::Purge,
        Action::Delete,
        Action::Edit,
        Action::ToggleRule,
        Action::Tail,
        Action::Pause,
        Action::Save,
        Action::Workbench,
        Action::Redrive,
        Action::Cancel,
        Action::Replay,
        Action::Jump,
        Action::Logs,
        Action::Publish,
        Action::Reach,
    ];

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help for this view",
            Action::Back => "back / close",
            Action::Open => "open the selected row",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::ScrollLeft => "scroll left",
            Action::ScrollRight => "scroll right",
            Action::Filter => "filter the list",
            Action::Command => {
                ":queues :dlqs :buses :logs :functions :topics :archives :tasks :workbench :ctx :q"
            }
            Action::Refresh => "refresh now",
            Action::Peek => "peek messages (safe: released at once)",
            Action::PeekMore => "peek more: a bigger sample, up to peek_max (each a safe peek)",
            Action::SortNext => "sort by the next column",
            Action::SortReverse => "reverse the sort",
            Action::CopyBody => "copy the body (OSC 52)",
            Action::ToggleRaw => "raw / pretty body",
            Action::GoToDlq => "go to this queue's DLQ",
            Action::Mark => "mark / unmark the message",
            Action::Purge => "purge the queue (asks first)",
            Action::Delete => "delete the marked or selected messages (asks first)",
            Action::Edit => "edit the message and send it again",
            Action::ToggleRule => "enable / disable the rule (asks first)",
            Action::Tail => "tail: watch the events live",
            Action::Pause => "pause / resume",
            Action::Save => "save the events to a JSON Lines file",
            Action::Workbench => "pattern workbench (test a pattern on these events)",
            Action::Redrive => "redrive: move the DLQ's (or the marked) messages (asks first)",
            Action::Cancel => "cancel (the batch in flight finishes first)",
            Action::Replay => "replay a time range of the archive onto its bus (asks first)",
            Action::Jump => "jump to a time (10m ago, 14:05 UTC, RFC 3339)",
            Action::Logs => {
                "the log view: the consumer's log group at the evidence (why it failed)"
            }
            Action::Publish => "publish a message to the topic (asks first)",
            Action::Reach => {
                "which subscriptions of a topic this message would reach, each filter policy explained"
            }
        }
    }
}
