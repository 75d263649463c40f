//! The keymap scopes: `global` and one per view. The one typed list the
//! config's `[keys.<scope>]` tables, the dispatch of actions, the `?` help and
//! the hint line all derive from, so a view cannot be added without a scope,
//! and a key cannot be listed where it does nothing.

use super::action::Action;

/// Where a binding applies: every view (`Global`) or one view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Queues,
    Dlqs,
    Queue,
    Message,
    Buses,
    Rules,
    Rule,
    Logs,
    Log,
    Ctx,
    Tail,
    Editor,
    Workbench,
    Redrive,
    Archives,
    Tasks,
    Functions,
    Function,
    Topics,
    Topic,
}

use Action::*;

/// What every view does with its keymap: leave, help, the palette, back.
const COMMON: &[Action] = &[Quit, Help, Command, Back];
/// Moving the cursor (or scrolling) in a list or a document.
const NAV: &[Action] = &[Up, Down, PageUp, PageDown, Top, Bottom];

/// The actions `update` runs the same way in every view that has them
/// ([`COMMON`], [`NAV`], and the list keys: filter, sort, refresh, open);
/// every other action is a view's own and runs in its file
/// (`View::on_action`).
pub const SHARED: &[Action] = &[
    Quit,
    Help,
    Command,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ScrollLeft,
    ScrollRight,
    Filter,
    SortNext,
    SortReverse,
    Refresh,
    Open,
];

impl Scope {
    /// Every view scope (all but `Global`), in the order the config lists them.
    pub const VIEWS: &'static [Scope] = &[
        Scope::Queues,
        Scope::Dlqs,
        Scope::Queue,
        Scope::Message,
        Scope::Buses,
        Scope::Rules,
        Scope::Rule,
        Scope::Logs,
        Scope::Log,
        Scope::Ctx,
        Scope::Tail,
        Scope::Editor,
        Scope::Workbench,
        Scope::Redrive,
        Scope::Archives,
        Scope::Tasks,
        Scope::Functions,
        Scope::Function,
        Scope::Topics,
        Scope::Topic,
    ];

    /// The name of the scope's `[keys.<name>]` table.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Queues => "queues",
            Scope::Dlqs => "dlqs",
            Scope::Queue => "queue",
            Scope::Message => "message",
            Scope::Buses => "buses",
            Scope::Rules => "rules",
            Scope::Rule => "rule",
            Scope::Logs => "logs",
            Scope::Log => "log",
            Scope::Ctx => "ctx",
            Scope::Tail => "tail",
            Scope::Editor => "editor",
            Scope::Workbench => "workbench",
            Scope::Redrive => "redrive",
            Scope::Archives => "archives",
            Scope::Tasks => "tasks",
            Scope::Functions => "functions",
            Scope::Function => "function",
            Scope::Topics => "topics",
            Scope::Topic => "topic",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        std::iter::once(Scope::Global)
            .chain(Scope::VIEWS.iter().copied())
            .find(|s| s.name() == name)
    }

    /// The view's own actions (beyond [`COMMON`] and, for lists and
    /// documents, [`NAV`]): what its keys can do.
    fn own(self) -> &'static [Action] {
        match self {
            Scope::Global => &[],
            Scope::Queues => &[
                Open,
                Filter,
                Refresh,
                SortNext,
                SortReverse,
                Peek,
                GoToDlq,
                Purge,
            ],
            Scope::Dlqs => &[
                Open,
                Filter,
                Refresh,
                SortNext,
                SortReverse,
                Peek,
                Purge,
                Redrive,
            ],
            Scope::Queue => &[
                Open, Filter, Refresh, Peek, PeekMore, GoToDlq, Mark, Delete, Edit, Purge,
                Workbench, Redrive,
            ],
            // One peek's snapshot: nothing to refresh (`r` would do nothing).
            Scope::Message => &[CopyBody, ToggleRaw, Delete, Edit, Logs, Reach],
            Scope::Buses => &[Open, Filter, Refresh, SortNext, SortReverse, Tail],
            Scope::Rules => &[
                Open,
                Filter,
                Refresh,
                SortNext,
                SortReverse,
                Tail,
                ToggleRule,
                Workbench,
            ],
            Scope::Rule => &[Open, Filter, Refresh, Tail, ToggleRule, Workbench],
            Scope::Logs => &[Open, Filter, Refresh, SortNext, SortReverse],
            Scope::Log => &[Filter, Pause, Jump],
            Scope::Ctx => &[Open, Filter, Refresh],
            Scope::Tail => &[Open, Filter, Pause, Save, Workbench],
            Scope::Editor | Scope::Workbench => &[],
            Scope::Redrive => &[Cancel],
            Scope::Archives => &[Filter, Refresh, SortNext, SortReverse, Replay],
            Scope::Tasks => &[Filter, Cancel],
            Scope::Functions => &[Open, Filter, Refresh, SortNext, SortReverse],
            Scope::Function => &[Open, Filter, Refresh, Logs],
            Scope::Topics => &[Open, Filter, Refresh, SortNext, SortReverse, Publish],
            Scope::Topic => &[Open, Filter, Refresh, Publish, GoToDlq, Workbench],
        }
    }

    /// Whether `action` does something in this view; `update` runs only
    /// these, the help lists only these, and a `[keys.<view>]` table may bind
    /// only these. In `Global`, every action may be bound (each view takes
    /// the ones it handles).
    pub fn handles(self, action: Action) -> bool {
        match self {
            Scope::Global => true,
            // The editor takes every key as text (its own keys are listed in
            // it); ctrl-c still quits, before any keymap.
            Scope::Editor => false,
            // The workbench takes `esc` itself (editor: to the list; list:
            // close), so `back` is not a key of its keymap.
            Scope::Workbench => {
                (COMMON.contains(&action) && action != Back) || self.own().contains(&action)
            }
            Scope::Redrive => COMMON.contains(&action) || self.own().contains(&action),
            _ => COMMON.contains(&action) || NAV.contains(&action) || self.own().contains(&action),
        }
    }

    /// The actions worth a hint on the status line, most important first.
    pub fn hints(self) -> &'static [Action] {
        match self {
            Scope::Queues => &[Open, Peek, GoToDlq, Filter, SortNext, Command, Help, Quit],
            Scope::Dlqs => &[Open, Peek, Filter, SortNext, Command, Help, Quit],
            Scope::Queue => &[Peek, Open, Mark, Delete, Edit, Workbench, Back, Help, Quit],
            Scope::Message => &[
                Logs, CopyBody, ToggleRaw, Edit, Delete, Back, Help, Reach, Quit,
            ],
            Scope::Buses => &[Open, Tail, Filter, SortNext, Command, Back, Help, Quit],
            Scope::Rules => &[
                Open, Workbench, Tail, ToggleRule, Filter, SortNext, Back, Help, Quit,
            ],
            Scope::Logs => &[Open, Filter, SortNext, Command, Back, Help, Quit],
            Scope::Ctx => &[Open, Filter, Command, Back, Help, Quit],
            Scope::Tail => &[Open, Pause, Workbench, Filter, Save, Back, Help, Quit],
            Scope::Rule => &[Open, Workbench, Tail, ToggleRule, Back, Help, Quit],
            Scope::Log => &[Filter, Jump, Pause, Bottom, Back, Help, Quit],
            // The workbench and the editor draw their own key lines.
            Scope::Workbench | Scope::Editor => &[],
            Scope::Redrive => &[Cancel, Back, Help, Quit],
            Scope::Archives => &[Replay, Filter, SortNext, Refresh, Command, Back, Help, Quit],
            Scope::Tasks => &[Cancel, Filter, Command, Back, Help, Quit],
            Scope::Functions => &[Open, Filter, SortNext, Refresh, Command, Back, Help, Quit],
            Scope::Function => &[Open, Logs, Refresh, Back, Help, Quit],
            Scope::Topics => &[Open, Publish, Filter, SortNext, Command, Back, Help, Quit],
            Scope::Topic => &[Open, Workbench, GoToDlq, Publish, Refresh, Back, Help, Quit],
            Scope::Global => &[Help, Quit],
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in std::iter::once(Scope::Global).chain(Scope::VIEWS.iter().copied()) {
            assert_eq!(Scope::from_name(s.name()), Some(s));
        }
        assert_eq!(Scope::from_name("nope"), None);
    }

    /// The message view and the workbench list only keys that do something
    /// there: no refresh on a message (a peek's snapshot), no `back` in the
    /// workbench (its `esc` is its own).
    #[test]
    fn message_and_workbench_list_no_idle_keys() {
        assert!(!Scope::Message.handles(Refresh));
        assert!(!Scope::Message.handles(Open));
        assert!(!Scope::Message.handles(Filter));
        assert!(!Scope::Message.handles(ScrollLeft));
        assert!(!Scope::Workbench.handles(Back));
        assert!(!Scope::Workbench.handles(Filter));
        assert!(!Scope::Workbench.handles(Refresh));
        assert!(Scope::Workbench.handles(Quit));
    }

    #[test]
    fn every_hint_is_an_action_of_its_view() {
        for &s in Scope::VIEWS {
            for &a in s.hints() {
                assert!(s.handles(a), "{s}: hint {a:?} does nothing there");
            }
        }
    }
}
