//! Pure render functions: each draws a piece of the state and nothing else. No I/O, no mutation.

mod certificates;
mod columns;
pub mod dialogs;
mod events;
pub mod fit;
mod footer;
mod help;
mod hpas;
pub mod logs;
mod pods;
mod releases;
pub mod resources;
pub mod sandbox;
pub mod setup;
mod status;
pub mod style;
pub mod table;
pub mod text;
mod workloads;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::layout;
use crate::app::views::TopView;
use crate::app::{App, Connection, PaneId, PromptKind, keys};
use crate::cluster::Scope;

/// Below this the layout cannot hold together; we ask for a bigger terminal instead.
pub const MIN_SIZE: (u16, u16) = (40, 12);

pub fn render(app: &App, frame: &mut Frame) {
    render_app(app, frame.area(), frame.buffer_mut());
}

/// What every pane's render function gets.
pub struct PaneContext<'a> {
    pub app: &'a App,
    pub pane: PaneId,
    pub focused: bool,
    pub scope: &'a str,
    pub all_namespaces: bool,
}

impl PaneContext<'_> {
    /// The columns of `pane` not drawn: hidden with `:cols`, wide ones out of wide mode, and
    /// the namespace when one namespace is in view.
    pub fn not_drawn(&self, pane: PaneId) -> Vec<usize> {
        self.app.columns.not_drawn(pane, self.all_namespaces)
    }

    /// While reconnecting or while the server does not answer, panes say that what they show
    /// may be out of date.
    pub fn stale_notice(&self) -> Option<Line<'static>> {
        match &self.app.connection {
            Connection::Reconnecting { message } => Some(Line::styled(
                format!(" showing last known state: {message} "),
                style::error(),
            )),
            Connection::NoAnswer { last_answer } => Some(Line::styled(
                format!(" {} ", status::no_answer(*last_answer, self.app.now)),
                style::error(),
            )),
            Connection::Rejected { since } => {
                Some(Line::styled(format!(" {} ", status::rejected(*since)), style::error()))
            }
            Connection::StorageDown { last_answer } => Some(Line::styled(
                format!(" {} ", status::storage_down(*last_answer, self.app.now)),
                style::error(),
            )),
            // The server answers, but this pane's watch does not.
            _ => self.app.panes.get(self.pane).no_answer_since.map(|since| {
                Line::styled(
                    format!(" {} ", status::pane_no_answer(self.pane, since, self.app.now)),
                    style::error(),
                )
            }),
        }
    }
}

/// Each pane on screen, dimmed while its rows may be out of date.
fn render_panes(app: &App, screen: &layout::Screen, buf: &mut Buffer) {
    let (scope, all_namespaces) = match app.target.as_ref().map(|t| &t.scope) {
        Some(Scope::Namespace(ns)) => (ns.as_str(), false),
        _ => ("all namespaces", true),
    };
    for &(pane, rect) in &screen.panes {
        let cx = PaneContext {
            app,
            pane,
            focused: pane == app.focus,
            scope,
            all_namespaces,
        };
        match pane {
            PaneId::Pods => pods::render(&cx, rect, buf),
            PaneId::Workloads => workloads::render(&cx, rect, buf),
            PaneId::Hpas => hpas::render(&cx, rect, buf),
            PaneId::Events => events::render(&cx, rect, buf),
            PaneId::Releases => releases::render(&cx, rect, buf),
            PaneId::Certificates => certificates::render(&cx, rect, buf),
            PaneId::Resources => resources::render(&cx, rect, buf),
        }
        // Rows the cluster may have changed since are dimmed, so stale data never looks live.
        if app.connection.shows_last_known() || app.panes.get(pane).no_answer_since.is_some() {
            buf.set_style(
                rect.inner(ratatui::layout::Margin::new(1, 1)),
                ratatui::style::Modifier::DIM,
            );
        }
    }
}

pub fn render_app(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let msg = format!(
            "Terminal too small ({}x{}): kubedeck needs at least {}x{}.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        Paragraph::new(msg).wrap(Wrap { trim: true }).render(area, buf);
        return;
    }
    let screen = layout::screen(app, area);
    status::render_header(app, screen.header, buf);
    let body = layout::body(&screen);
    match &app.connection {
        Connection::BadConfig(problem) => {
            status::render_config_problem(app, problem, body, buf);
            render_footer(app, false, screen.footer, buf);
            return;
        }
        Connection::Unreachable { .. } | Connection::Starting | Connection::Connecting
            if !app.data.pods.is_synced() =>
        {
            status::render_connecting(app, body, buf);
            render_footer(app, false, screen.footer, buf);
            return;
        }
        _ => {}
    }
    status::render_summary(app, screen.summary, buf);
    // The counts are as old as the rows: "pods 5/5 ready" must not look current either.
    if app.connection.shows_last_known() {
        buf.set_style(screen.summary, ratatui::style::Modifier::DIM);
    }
    if let Some(tabs) = screen.tabs {
        render_tabs(app, tabs, buf);
    }
    render_panes(app, &screen, buf);
    match &app.top {
        Some(TopView::History(h)) => releases::render_history(app, h, body, buf),
        Some(TopView::Diff(d)) => releases::render_diff_view(d, body, buf),
        Some(TopView::Text(t)) => text::render(app, t, body, buf),
        Some(TopView::Logs(view)) => logs::render(view, body, buf),
        Some(TopView::Plan(view)) => dialogs::render_plan(view, body, buf),
        Some(TopView::Confirm(dialog)) => dialogs::render_confirm(dialog, body, buf),
        Some(TopView::Demos(list)) => dialogs::render_demos(list, body, buf),
        // A running operation (deploy, scale, demo) keeps the panes above in view, so its effect
        // on pods, workloads and HPAs shows live while its log runs below.
        Some(TopView::ActionLog(log)) => {
            let height = (body.height * 2 / 5).max(8).min(body.height);
            let lower = Rect::new(body.x, body.y + body.height - height, body.width, height);
            dialogs::render_action_log(log, lower, buf)
        }
        None => {}
    }
    render_footer(app, true, screen.footer, buf);
    if app.switcher.is_some() {
        render_switcher(app, area, buf);
    }
    columns::render(app, area, buf);
    if let Some(offset) = app.help {
        help::render(app, offset, area, buf);
    }
}

/// The namespace or context switcher: what was typed, and the matches best first.
fn render_switcher(app: &App, area: Rect, buf: &mut Buffer) {
    use crate::app::switcher::SwitcherKind;
    let Some(s) = &app.switcher else { return };
    let matches = app.switcher_matches();
    let height = (matches.len() as u16 + 4).clamp(6, area.height.saturating_sub(4).max(6));
    let rect = centered(area, 60, height);
    ratatui::widgets::Clear.render(rect, buf);
    let title = match s.kind {
        SwitcherKind::Namespace => " Namespace (type to search, Enter to switch, Esc to cancel) ",
        SwitcherKind::Context => " Context (type to search, Enter to switch, Esc to cancel) ",
    };
    let visible = usize::from(height.saturating_sub(3));
    let skip = s.selected.saturating_sub(visible.saturating_sub(1));
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", style::title()),
        Span::raw(s.query.clone()),
        Span::raw("█"),
    ])];
    if matches.is_empty() {
        lines.push(Line::styled("no match", style::dim()));
    }
    for (i, m) in matches.iter().enumerate().skip(skip).take(visible) {
        let current = match (s.kind, app.target.as_ref()) {
            (SwitcherKind::Namespace, Some(t)) => {
                t.scope.label() == m || (t.scope == Scope::All && m == crate::app::switcher::ALL_NAMESPACES)
            }
            (SwitcherKind::Context, Some(t)) => &t.context == m,
            _ => false,
        };
        let text = if current { format!("{m}  (current)") } else { m.clone() };
        lines.push(if i == s.selected {
            Line::styled(text, style::selected())
        } else {
            Line::raw(text)
        });
    }
    Paragraph::new(lines).block(boxed(title)).render(rect, buf);
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    for (i, pane) in PaneId::ALL.into_iter().enumerate() {
        let title = match pane {
            PaneId::Resources => app.resource_kind.title(),
            other => other.title(),
        };
        let label = format!(" {} {title} ", i + 1);
        spans.push(if pane == app.focus {
            Span::styled(label, style::key_hint())
        } else {
            Span::raw(label)
        });
    }
    Line::from(spans).render(area, buf);
}

/// The bottom line: the open prompt, else a notice, else key hints from the key map.
fn render_footer(app: &App, has_data: bool, area: Rect, buf: &mut Buffer) {
    if let Some(prompt) = &app.prompt {
        // A lead made for this prompt (the shell's pod, the workload to scale).
        let shell_lead;
        let lead = match prompt.kind {
            PromptKind::Filter => "/",
            PromptKind::Command => ":",
            PromptKind::Deploy => "deploy [RELEASE --chart PATH -f VALUES]: ",
            PromptKind::Scale => {
                shell_lead = app.scale_prompt_lead();
                shell_lead.as_str()
            }
            PromptKind::LogSearch | PromptKind::TextSearch => "search /",
            PromptKind::LogFields => "JSON fields (comma-separated): ",
            PromptKind::LogSave => "save to: ",
            PromptKind::Shell => {
                shell_lead = app.shell_prompt_lead();
                shell_lead.as_str()
            }
            PromptKind::Forward => "forward LOCAL[:REMOTE] (127.0.0.1 only): ",
        };
        let mut spans = vec![
            Span::styled(lead, style::title()),
            Span::raw(prompt.text.clone()),
            Span::raw("█"),
        ];
        if prompt.kind == PromptKind::Command {
            let options = app.completions(&prompt.text);
            if !options.is_empty() && !prompt.text.is_empty() {
                spans.push(Span::styled(format!("   Tab: {}", options.join("  ")), style::dim()));
            }
        }
        Line::from(spans).render(area, buf);
        return;
    }
    if let Some(rows) = layout::notice_rows(app, area.width) {
        let lines: Vec<Line> = rows.into_iter().map(|r| Line::styled(r, style::error())).collect();
        Paragraph::new(lines).render(area, buf);
        return;
    }
    let bindings: Vec<keys::ActiveBinding> = app
        .keymap
        .bindings_for(app.key_context())
        .into_iter()
        .filter(|b| b.in_footer && (has_data || b.action == keys::Action::Quit || b.action == keys::Action::Help))
        .collect();
    footer::hints(&bindings, area.width).render(area, buf);
}

/// A bordered box in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

pub fn boxed<'a>(title: &'a str) -> Block<'a> {
    Block::bordered().title(Span::styled(title, style::title()))
}

#[cfg(test)]
pub(crate) mod tests;
