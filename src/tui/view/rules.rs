//! The rules view: a bus's rules with state, targets and a one-line
//! pattern; refresh, open a rule, render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use std::time::Instant;

pub const RULE_COLUMNS: &[&str] = &["name", "state", "targets", "pattern"];

pub(crate) fn pattern_summary(p: Option<&str>, schedule: Option<&str>) -> String {
    match (p, schedule) {
        (Some(p), _) => {
            let min = serde_json::from_str::<serde_json::Value>(p)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| p.to_string());
            first_line(&min, 120)
        }
        (None, Some(s)) => format!("schedule {}", escape(s)),
        (None, None) => "-".to_string(),
    }
}

/// The rules view.
pub struct Rules;

impl super::kind::View for Rules {
    fn columns(&self) -> &'static [&'static str] {
        RULE_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Rules(r) = state.top() else {
            return Vec::new();
        };
        sorted_order(
            r.rules.value.data().map(Vec::as_slice),
            &r.list,
            |x| &x.rule.name,
            |a, b, col| match col {
                1 => a.rule.state.as_str().cmp(b.rule.state.as_str()),
                2 => a.targets.cmp(&b.targets),
                3 => a.rule.pattern.cmp(&b.rule.pattern),
                _ => std::cmp::Ordering::Equal,
            },
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Rules(s) = state.top() else {
            return;
        };
        let all = s.rules.value.data().map(Vec::as_slice).unwrap_or(&[]);
        let Some(block) = list_block(
            state,
            frame,
            area,
            &format!("rules of {}", escape(&s.bus)),
            &s.rules,
            &s.list,
            sort_label(RULE_COLUMNS, &s.list),
        ) else {
            return;
        };
        let (range, selected) = visible(&s.list, table_rows_in(area));
        // Names get their width first; the pattern takes the rest.
        let longest = s.list.order[range.clone()]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|r| escape(&r.rule.name).chars().count())
            .max()
            .unwrap_or(0);
        let (name_w, _) = name_and_spark(area, 4, 8 + 7, longest, 8, 0, (1, 3));
        let widths = vec![
            Constraint::Length(name_w),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Fill(3),
        ];
        let cols = column_widths(area, &widths);
        let table_rows = s.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|r| {
                let m = if r.rule.state.as_str() == "ENABLED" {
                    Meaning::Ok
                } else {
                    Meaning::Warn
                };
                Row::new(vec![
                    Cell::from(cut(&escape(&r.rule.name), cols[0])),
                    Cell::from(escape(r.rule.state.as_str()).into_owned()).style(style(state, m)),
                    Cell::from(r.targets.to_string()),
                    Cell::from(cut(
                        &pattern_summary(r.rule.pattern.as_deref(), r.rule.schedule.as_deref()),
                        cols[3],
                    )),
                ])
            })
            .collect();
        table(
            state,
            frame,
            area,
            block,
            &["name", "state", "targets", "pattern"],
            widths,
            table_rows,
            selected,
            s.rules.value.error().is_some(),
        );
    }

    /// Reads the rules of the open bus again, superseding a read in flight
    /// (`r`, after an action on one of them).
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let req = state.req();
        if let Screen::Rules(r) = state.top_mut() {
            r.rules.restart(req);
            return vec![Effect::FetchRules {
                req,
                bus: r.bus.clone(),
            }];
        }
        Vec::new()
    }

    /// The rules again on the interval (stretched by what one read costs:
    /// see [`list_every`]).
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        let req = state.req();
        if let Screen::Rules(r) = state.top_mut()
            && r.rules.due(now)
            && r.rules.begin(req)
        {
            return vec![Effect::FetchRules {
                req,
                bus: r.bus.clone(),
            }];
        }
        Vec::new()
    }

    /// Opens the rule `name`: its pattern and targets.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let name = key;
        let Screen::Rules(r) = state.top() else {
            return Vec::new();
        };
        let Some(row) = r
            .rules
            .value
            .data()
            .and_then(|rs| rs.iter().find(|x| x.rule.name == name))
        else {
            return Vec::new();
        };
        let rule = row.rule.clone();
        let bus = r.bus.clone();
        let req = state.req();
        let mut screen = RuleScreen {
            pattern: super::rule::pattern_lines(&rule),
            bus,
            rule,
            latest: Live::default(),
            targets: Live::default(),
            functions: Default::default(),
            list: ListView::default(),
        };
        // The row may be older than the rule: read it again with its targets.
        let effects = crate::tui::ops_ui::refetch_rule(&mut screen, req);
        state.stack.push(Screen::Rule(Box::new(screen)));
        effects
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Rules(r) = state.top() else {
            return None;
        };
        r.rules.value.data()?.get(i).map(|r| r.rule.name.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Tail => super::tail::start_tail(state),
            Action::ToggleRule => ops_ui::toggle_rule(state),
            Action::Workbench => super::workbench::open_workbench(state),
            _ => return None,
        })
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Rules(r) = state.top() else {
            return None;
        };
        freshness(state, &r.rules)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Rules(r) = state.top() else {
            return None;
        };
        r.rules.value.error()
    }
}

/// A bus's rules answered.
pub(crate) fn rules_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<RuleRow>, aws::Error>,
) -> Vec<Effect> {
    fn rules_of(state: &mut AppState, req: ReqId) -> Option<&mut Live<Vec<RuleRow>>> {
        state.stack.iter_mut().find_map(|s| match s {
            Screen::Rules(r) if r.rules.pending == Some(req) => Some(&mut r.rules),
            _ => None,
        })
    }
    let every = state.config.refresh;
    let cost = result.as_ref().map_or(1, |rows| 1 + rows.len());
    let ok = result.is_ok();
    if state.answer(rules_of, req, at, result) && ok {
        // One read is ListRules plus ListTargetsByRule per rule.
        for s in state.stack.iter_mut() {
            if let Screen::Rules(r) = s
                && r.rules.value.at() == Some(at)
                && r.rules.pending.is_none()
            {
                r.rules.next_refresh = Some(at + list_every(every, cost));
            }
        }
    }
    Vec::new()
}
