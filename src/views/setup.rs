//! The first-run wizard's screen: the steps with their marks and times on the left, the current
//! step's settings and result on the right above its live output, the keys at the bottom.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::style;
use crate::actions::setup::StepId;
use crate::app::setup::{Mode, SetupState, StepStatus, StepView};

pub fn render(state: &SetupState, area: Rect, buf: &mut Buffer) {
    if area.width < super::MIN_SIZE.0 || area.height < super::MIN_SIZE.1 {
        Paragraph::new("Terminal too small for the setup wizard.")
            .wrap(Wrap { trim: true })
            .render(area, buf);
        return;
    }
    let [header, body, notice, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let number = state.current + 1;
    Line::from(vec![
        Span::styled(" kubedeck setup ", style::title()),
        Span::styled(" │ ", style::dim()),
        Span::raw(format!("Todo Chatbot on Minikube, namespace {}", state.namespace)),
        Span::styled(" │ ", style::dim()),
        Span::raw(format!("step {number} of {}", state.steps.len())),
    ])
    .render(header, buf);
    let [list, right] = Layout::horizontal([Constraint::Length(36), Constraint::Fill(1)]).areas(body);
    render_steps(state, list, buf);
    let step = state.step();
    let detail_lines = detail(state, step);
    // Rows after wrapping, so a long failure sentence and its hint are shown whole.
    let inner_width = usize::from(right.width.saturating_sub(2)).max(1);
    let rows: usize = detail_lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_width))
        .sum();
    let detail_height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(right.height * 2 / 3);
    let [top, log] = Layout::vertical([Constraint::Length(detail_height), Constraint::Fill(1)]).areas(right);
    Paragraph::new(detail_lines)
        .wrap(Wrap { trim: false })
        .block(Block::bordered().title(Span::styled(format!(" {number}. {} ", step.id.title()), style::title())))
        .render(top, buf);
    render_log(state, step, log, buf);
    if let Some(n) = &state.notice {
        Line::styled(format!(" {n}"), style::warning()).render(notice, buf);
    }
    Line::styled(keys(state), style::dim()).render(footer, buf);
}

fn render_steps(state: &SetupState, area: Rect, buf: &mut Buffer) {
    let lines: Vec<Line> = state
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (mark, mark_style) = match &s.status {
                StepStatus::Pending => ("·", style::dim()),
                StepStatus::Running { .. } => ("▶", style::warning()),
                StepStatus::Done { .. } => ("✓", style::good()),
                StepStatus::Failed { .. } => ("✗", style::error()),
                StepStatus::Skipped => ("↷", style::dim()),
            };
            let time = match &s.status {
                StepStatus::Running { started } => seconds(state.now.saturating_duration_since(*started)),
                StepStatus::Done { elapsed: Some(d), .. } | StepStatus::Failed { elapsed: d, .. } => seconds(*d),
                StepStatus::Done { elapsed: None, .. } | StepStatus::Skipped if s.earlier => "earlier".into(),
                StepStatus::Skipped => "skipped".into(),
                _ => String::new(),
            };
            let name = format!("{}. {}", i + 1, s.id.title());
            let name_style = if i == state.current {
                style::title()
            } else {
                Default::default()
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), mark_style),
                Span::styled(format!("{name:<23}"), name_style),
                Span::styled(format!("{time:>8}"), style::dim()),
            ])
        })
        .collect();
    Paragraph::new(lines)
        .block(Block::bordered().title(Span::styled(" Steps ", style::title())))
        .render(area, buf);
}

fn seconds(d: Duration) -> String {
    if d.as_secs() < 60 {
        format!("{:.1}s", d.as_secs_f32())
    } else {
        crate::text::human_duration(d)
    }
}

/// What the step does, its fields or its result.
fn detail(state: &SetupState, step: &StepView) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw(describe(step.id, &state.namespace))];
    match &step.status {
        StepStatus::Done { summary, .. } => lines.push(Line::styled(format!("✓ {summary}"), style::good())),
        StepStatus::Failed { reason, .. } => lines.push(Line::styled(format!("✗ {reason}"), style::error())),
        StepStatus::Skipped => lines.push(Line::styled("↷ skipped", style::dim())),
        StepStatus::Running { .. } | StepStatus::Pending => {}
    }
    if state.mode == Mode::Finished {
        lines.push(Line::styled(
            format!(
                "All steps finished. Open the dashboard with `kubedeck -n {}`.",
                state.namespace
            ),
            style::good(),
        ));
    }
    let editing = match state.mode {
        Mode::Editing { field } => Some(field),
        _ => None,
    };
    if !step.fields.is_empty() && !matches!(step.status, StepStatus::Done { .. } | StepStatus::Skipped) {
        lines.push(Line::raw(""));
        for (i, f) in step.fields.iter().enumerate() {
            let shown = if f.masked {
                "•".repeat(f.value.chars().count().min(40))
            } else {
                crate::text::sanitize(&f.value)
            };
            let focused = editing == Some(i);
            let cursor = if focused { "█" } else { "" };
            let label_style = if focused { style::title() } else { Default::default() };
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<20}", f.label), label_style),
                Span::raw(format!("{shown}{cursor}")),
                Span::styled(format!("   {}", f.hint), style::dim()),
            ]));
        }
    }
    lines
}

fn describe(step: StepId, namespace: &str) -> String {
    match step {
        StepId::Tools => "docker 24+ with its engine running and minikube 1.32+ are required; kubectl 1.29+ and helm 3.14+ are optional.".into(),
        StepId::Minikube => "`minikube start --driver=docker` with this size; a running profile is reused as it is.".into(),
        StepId::Addons => "Enables the ingress and metrics-server addons and waits until their pods are ready.".into(),
        StepId::Images => "Builds the frontend, backend and MCP server images into Minikube (`minikube image build`), or uses the image names you give.".into(),
        StepId::Secrets => format!("Creates the Secret the app reads in namespace {namespace}. Typed values are masked, kept in memory only, never written to disk."),
        StepId::Deploy => format!("Deploys the bundled chart with the local values into {namespace}, waiting for the rollout."),
        StepId::Access => "Finds the Minikube IP, shows the /etc/hosts line for todo.local, and checks that the ingress answers.".into(),
    }
}

fn render_log(state: &SetupState, step: &StepView, area: Rect, buf: &mut Buffer) {
    let inner = usize::from(area.height.saturating_sub(2));
    let end = step.log.len().saturating_sub(state.scroll);
    let start = end.saturating_sub(inner);
    let lines: Vec<Line> = step.log[start..end]
        .iter()
        .map(|l| {
            if l.starts_with("$ ") {
                Line::styled(l.clone(), style::title())
            } else {
                Line::raw(l.clone())
            }
        })
        .collect();
    let title = if state.scroll > 0 {
        format!(" Output (scrolled up {} lines; PgDn to follow) ", state.scroll)
    } else {
        " Output ".to_owned()
    };
    Paragraph::new(lines)
        .block(Block::bordered().title(Span::styled(title, style::title())))
        .render(area, buf);
}

fn keys(state: &SetupState) -> String {
    let step = state.step();
    let skip = if step.id.skippable() { "  s skip" } else { "" };
    match state.mode {
        Mode::Editing { .. } if step.id == StepId::Secrets => {
            " Enter run  Tab/↑↓ next field  Ctrl-G generate secret  Ctrl-U clear  Esc stop editing".into()
        }
        Mode::Editing { .. } => {
            format!(" Enter run  Tab/↑↓ next field  Ctrl-U clear  Esc stop editing (then{skip} q quit)")
        }
        Mode::Running { cancelling: true } => " cancelling ...".into(),
        Mode::Running { .. } if step.id == StepId::Deploy => {
            " PgUp/PgDn scroll (the deploy cannot be cancelled halfway)".into()
        }
        Mode::Running { .. } => format!(" q/Esc cancel this step and quit{skip}  PgUp/PgDn scroll"),
        Mode::Waiting if state.dockerfile_offer.is_some() => {
            " y write the Dockerfile templates  n no, back to the folders".into()
        }
        Mode::Waiting => {
            let edit = if step.fields.is_empty() { "" } else { "  e edit" };
            format!(" r run again{edit}{skip}  q quit (resumes here next time)  PgUp/PgDn scroll")
        }
        Mode::Finished => " q quit".into(),
    }
}
