//! The rule view: its pattern above, its targets below; refresh the
//! targets, open a target that is a queue, render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

use crate::domain::{Arn, Target, queue_name};
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use std::time::Instant;

pub(crate) fn target_name(arn: &str) -> String {
    Arn::parse(arn)
        .map(|a| {
            let r = a.resource.strip_prefix("log-group:").unwrap_or(&a.resource);
            format!("{} {}", a.service, r)
        })
        .unwrap_or_else(|| arn.to_string())
}

pub(crate) fn target_input(t: &Target) -> String {
    if let Some(i) = &t.input {
        format!("input {}", first_line(i, 60))
    } else if let Some(p) = &t.input_path {
        format!("path {}", escape(p))
    } else if let Some(x) = &t.input_transformer {
        format!("transformer {}", first_line(&x.input_template, 60))
    } else {
        "whole event".to_string()
    }
}

/// The rule screen's areas: the rule (state line and pattern), the targets.
pub(crate) fn rule_split(s: &RuleScreen, area: Rect) -> [Rect; 2] {
    let top_h = (s.pattern.len() as u16 + 3).min(area.height / 2).max(3);
    Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(area)
}

/// The rule view.
pub struct RuleView;

impl super::kind::View for RuleView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Rule(r) = state.top() else {
            return Vec::new();
        };
        name_order(
            r.targets.value.data().map(Vec::as_slice),
            &r.list,
            |t| &t.arn,
            false,
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Rule(s) = state.top() else { return };
        let mut lines: Vec<Line> = vec![kv(
            state,
            "state",
            format!(
                "{}{}",
                escape(s.rule.state.as_str()),
                s.rule
                    .description
                    .as_deref()
                    .map(|d| format!(" · {}", escape(d)))
                    .unwrap_or_default()
            ),
        )];
        lines.extend(s.pattern.iter().map(|l| Line::from(l.as_str())));
        let [top, bottom] = rule_split(s, area);
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
                " rule {} on {} ",
                escape(&s.rule.name),
                escape(&s.bus)
            ))),
            top,
        );
        let all = s.targets.value.data().map(Vec::as_slice).unwrap_or(&[]);
        let Some(block) = list_block(state, frame, bottom, "targets", &s.targets, &s.list, None)
        else {
            return;
        };
        let (range, selected) = visible(&s.list, table_rows_in(bottom));
        let wide = area.width >= WIDE;
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            (
                vec!["target", "input", "retry", "dlq"],
                vec![
                    Constraint::Fill(2),
                    Constraint::Fill(2),
                    Constraint::Length(12),
                    Constraint::Fill(1),
                ],
            )
        } else {
            (
                vec!["target", "input", "dlq"],
                vec![
                    Constraint::Fill(2),
                    Constraint::Fill(2),
                    Constraint::Fill(1),
                ],
            )
        };
        let cols = column_widths(bottom, &widths);
        let dlq_col = widths.len() - 1;
        let table_rows = s.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|t| {
                let retry = t
                    .retry_policy
                    .as_ref()
                    .map(|r| {
                        format!(
                            "{}× {}",
                            r.maximum_retry_attempts
                                .map(|n| n.to_string())
                                .unwrap_or("?".into()),
                            secs(r.maximum_event_age_s)
                        )
                    })
                    .unwrap_or_else(|| "default".to_string());
                let dlq = t
                    .dlq_arn
                    .as_deref()
                    .map(|d| escape(queue_name(d)).into_owned())
                    .unwrap_or_else(|| "-".to_string());
                let mut cells = vec![
                    Cell::from(cut(&escape(&target_name(&t.arn)), cols[0])),
                    Cell::from(cut(&target_input(t), cols[1])),
                ];
                if wide {
                    cells.push(Cell::from(retry));
                }
                cells.push(Cell::from(cut(&dlq, cols[dlq_col])));
                Row::new(cells)
            })
            .collect();
        table(
            state,
            frame,
            bottom,
            block,
            &header,
            widths,
            table_rows,
            selected,
            s.targets.value.error().is_some(),
        );
    }

    /// Refreshes the open rule's targets.
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let req = state.req();
        if let Screen::Rule(r) = state.top_mut()
            && r.targets.begin(req)
        {
            return vec![Effect::FetchTargets {
                req,
                rule: r.rule.name.clone(),
                bus: r.bus.clone(),
            }];
        }
        Vec::new()
    }

    /// Opens the target `id` when it is a queue.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let id = key;
        let Screen::Rule(r) = state.top() else {
            return Vec::new();
        };
        let Some(arn) = r
            .targets
            .value
            .data()
            .and_then(|ts| ts.iter().find(|t| t.id == id))
            .map(|t| t.arn.clone())
        else {
            return Vec::new();
        };
        if arn.starts_with("arn:") && arn.split(':').nth(2) == Some("sqs") {
            super::queue::open_queue(state, arn, None)
        } else {
            state.flash(Level::Info, format!("{} is not a queue", escape(&arn)));
            Vec::new()
        }
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Rule(r) = state.top() else {
            return None;
        };
        r.targets.value.data()?.get(i).map(|t| t.id.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Tail => super::tail::start_tail(state),
            Action::ToggleRule => ops_ui::toggle_rule(state),
            Action::Workbench => super::workbench::open_workbench(state),
            _ => return None,
        })
    }

    fn list_rows(&self, state: &AppState, body: Rect) -> usize {
        let Screen::Rule(s) = state.top() else {
            return 0;
        };
        let [_, bottom] = rule_split(s, body);
        table_rows_in(bottom)
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Rule(r) = state.top() else {
            return None;
        };
        freshness(state, &r.targets)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Rule(r) = state.top() else {
            return None;
        };
        r.targets.value.error()
    }
}

/// A rule's targets answered.
pub(crate) fn targets_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<Target>, aws::Error>,
) -> Vec<Effect> {
    fn targets_of(state: &mut AppState, req: ReqId) -> Option<&mut Live<Vec<Target>>> {
        state.stack.iter_mut().find_map(|s| match s {
            Screen::Rule(r) if r.targets.pending == Some(req) => Some(&mut r.targets),
            _ => None,
        })
    }
    state.answer(targets_of, req, at, result);
    Vec::new()
}
