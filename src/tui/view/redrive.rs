//! A redrive's progress, then its summary.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Redrive(r) = state.top() else {
        return;
    };
    let p = &r.progress;
    let total = p.approximate_total.or(r.planned);
    let done = p.moved + p.recovered;
    let status = match (&r.summary, r.cancelling) {
        (Some(Ok(s)), _) if s.cancelled => "cancelled".to_string(),
        (Some(Ok(_)), _) => "done".to_string(),
        (Some(Err(_)), _) => "failed".to_string(),
        (None, true) => "cancelling: finishing the batch in flight…".to_string(),
        (None, false) => format!("{:?}", p.phase).to_lowercase(),
    };
    let secs = p.elapsed_ms as f64 / 1000.0;
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let lines = vec![
        kv(
            state,
            "redrive",
            format!("{} → {}", escape(&r.dlq), escape(&r.to)),
        ),
        kv(state, "status", status),
        kv(
            state,
            "moved",
            format!(
                "{done}{} · {rate:.0} msg/s · {secs:.1} s",
                total.map(|t| format!(" of ~{t}")).unwrap_or_default()
            ),
        ),
        kv(
            state,
            "seen",
            format!(
                "{} · skipped {} · failed {} · recovered {} · held elsewhere {}",
                p.seen, p.skipped, p.failed, p.recovered, p.in_flight_elsewhere
            ),
        ),
    ];
    let ratio = match total {
        Some(t) if t > 0 => (done as f64 / t as f64).min(1.0),
        _ if r.summary.is_some() => 1.0,
        _ => 0.0,
    };
    let [top, gauge, rest] = Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines), top);
    frame.render_widget(
        ratatui::widgets::Gauge::default()
            .gauge_style(style(state, Meaning::Accent))
            .ratio(ratio)
            .label(format!("{:.0}%", ratio * 100.0)),
        gauge,
    );
    if let Some(Ok(s)) = &r.summary {
        // The summary's text is terminal-safe (ops::redrive escapes it).
        let text: Vec<Line> = s
            .to_string()
            .lines()
            .map(|l| Line::from(l.to_string()))
            .collect();
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::ALL).title(" summary ")),
            rest,
        );
    }
}
