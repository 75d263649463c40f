//! The `:` palette: jump to a root view (queues, dlqs, buses, logs, functions, topics, archives), switch context (profile, region,
//! endpoint, the embedded backend), quit.

use crate::aws;
use crate::tui::state::*;
use crate::tui::view;
use crate::tui::workbench::Workbench;

/// `:` commands and their aliases.
pub const COMMANDS: &[(&str, &[&str])] = &[
    ("queues", &["sqs", "queue"]),
    ("dlqs", &["dlq"]),
    ("buses", &["bus", "eb", "events", "rules"]),
    ("logs", &["log", "lg"]),
    ("functions", &["lambda", "function", "fn"]),
    ("topics", &["sns", "topic"]),
    ("archives", &["archive", "replays", "replay"]),
    ("tasks", &["task", "jobs", "ops"]),
    ("ctx", &["context"]),
    ("workbench", &["wb", "pattern"]),
    ("region", &[]),
    ("endpoint", &[]),
    ("q", &["quit", "q!", "exit"]),
];

pub(crate) fn run_command(state: &mut AppState, text: &str) -> Vec<Effect> {
    let text = text.trim_start_matches(':').trim();
    let (word, arg) = match text.split_once(char::is_whitespace) {
        Some((w, a)) => (w.to_lowercase(), a.trim().to_string()),
        None => (text.to_lowercase(), String::new()),
    };
    if word.is_empty() {
        return Vec::new();
    }
    match word.as_str() {
        "region" | "endpoint" if arg.is_empty() => {
            state.flash(
                Level::Error,
                format!("give a value: :{word} eu-west-1, :endpoint http://localhost:4566, :endpoint - (none)"),
            );
            return Vec::new();
        }
        "region" => {
            let mut settings = state.context.settings.clone();
            settings.region = Some(arg);
            let local = state.context.local;
            return view::contexts::switch_context(state, local, settings);
        }
        "endpoint" => {
            if arg != "-" && !(arg.starts_with("http://") || arg.starts_with("https://")) {
                state.flash(
                    Level::Error,
                    format!(
                        "`{}` is not an endpoint: give a URL like http://localhost:4566, or - for none",
                        crate::text::escape(&arg)
                    ),
                );
                return Vec::new();
            }
            let mut settings = state.context.settings.clone();
            settings.endpoint_url = (arg != "-").then_some(arg);
            return view::contexts::switch_context(state, false, settings);
        }
        "ctx" | "context" if !arg.is_empty() => {
            if arg == "local" {
                if !state.local_available {
                    state.flash(
                        Level::Error,
                        "eddy's embedded backend is not running: start eddy with --local",
                    );
                    return Vec::new();
                }
                let settings = aws::Settings {
                    region: state.context.local.then(|| state.context.region.clone()),
                    ..aws::Settings::default()
                };
                return view::contexts::switch_context(state, true, settings);
            }
            let profile = arg
                .strip_prefix("profile ")
                .unwrap_or(&arg)
                .trim()
                .to_string();
            return view::contexts::switch_context(
                state,
                false,
                aws::Settings {
                    profile: Some(profile),
                    ..aws::Settings::default()
                },
            );
        }
        _ => {}
    }
    let Some((name, _)) = COMMANDS
        .iter()
        .find(|(name, aliases)| *name == word || aliases.contains(&word.as_str()))
    else {
        state.flash(
            Level::Error,
            format!(
                "unknown command :{}; try :queues :dlqs :buses :logs :functions :topics :workbench :ctx :region :endpoint :q",
                crate::text::escape(&word)
            ),
        );
        return Vec::new();
    };
    match *name {
        "q" => view::tasks::quit(state),
        "tasks" => {
            state.stack.push(Screen::Tasks(ListView::default()));
            Vec::new()
        }
        "workbench" => {
            let events = view::workbench::events_for_workbench(state);
            state.stack.push(Screen::Workbench(Box::new(Workbench::new(
                view::workbench::WORKBENCH_START,
                events,
            ))));
            Vec::new()
        }
        "ctx" => {
            let mut effects = close_above(state, 0);
            state.stack.clear();
            state.stack.push(Screen::Contexts(ListView::default()));
            let req = state.req();
            if state.profiles.begin(req) {
                effects.push(Effect::FetchProfiles { req });
            }
            effects
        }
        root => go_root(state, root),
    }
}

/// Replaces the stack with a root view and fetches what it shows.
pub(crate) fn go_root(state: &mut AppState, root: &str) -> Vec<Effect> {
    let mut effects = close_above(state, 0);
    state.stack.clear();
    state.flash = None;
    match root {
        "dlqs" => {
            state.stack.push(Screen::Dlqs(ListView::default()));
            effects.extend(view::dlqs::refresh(state));
        }
        "buses" => {
            state.stack.push(Screen::Buses(ListView::default()));
            let req = state.req();
            if state.buses.begin(req) {
                effects.push(Effect::FetchBuses { req });
            }
        }
        "logs" => {
            state.stack.push(Screen::LogGroups(ListView::default()));
            let req = state.req();
            if state.log_groups.begin(req) {
                effects.push(Effect::FetchLogGroups { req });
            }
        }
        "functions" => {
            effects.extend(view::functions::open(state));
        }
        "topics" => {
            effects.extend(view::topics::open(state));
        }
        "archives" => {
            state
                .stack
                .push(Screen::Archives(Box::<ArchivesScreen>::default()));
            effects.extend(view::archives::refresh(state));
        }
        _ => {
            state.stack.push(Screen::Queues(ListView::default()));
            effects.extend(state.fetch_queues());
        }
    }
    effects
}

/// Stops what the screens above `keep` run (a log follow, a bus tail):
/// they are about to close.
pub(crate) fn close_above(state: &AppState, keep: usize) -> Vec<Effect> {
    state
        .stack
        .iter()
        .skip(keep)
        .filter_map(|s| view::of(s).on_close(s))
        .collect()
}
