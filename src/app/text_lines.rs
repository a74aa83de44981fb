//! The lines of a text view (an object's YAML, its events, a pod's containers), wrapped at
//! words to the width on screen, and the view's `/` search. Update scrolls and searches the
//! same rows the views draw, so the lines are made here, on the state side.

use super::logs::LogSearch;
use super::views::{Loadable, TextBody, TextView, TopView};
use super::{App, PaneId, Prompt, PromptKind, layout};
use crate::cluster::objects;
use crate::cluster::pods::PodRow;

/// How a line of a text view is meant to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Heading,
    Good,
    Warn,
    Bad,
    Dim,
}

/// One screen row of a text view: a piece of a line, and which line it is part of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    pub text: String,
    pub tone: Tone,
    pub line: usize,
}

/// The columns a text view's text has: its box on screen, less the borders.
pub fn text_width(app: &App) -> usize {
    let area = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
    usize::from(layout::body(&layout::screen(app, area)).width.saturating_sub(2)).max(1)
}

/// Lines wrapped at words into rows of at most `width` columns, each row in its line's tone:
/// what a dialog draws, and what its scrolling counts.
pub fn wrap_lines(lines: Vec<(String, Tone)>, width: usize) -> Vec<(String, Tone)> {
    lines
        .into_iter()
        .flat_map(|(text, tone)| {
            crate::text::wrap_words(&text, width)
                .into_iter()
                .map(move |row| (row, tone))
        })
        .collect()
}

/// The view's lines wrapped at words into rows of at most `width` columns.
pub fn rows(app: &App, view: &TextView, width: usize) -> Vec<TextRow> {
    lines(app, view)
        .into_iter()
        .enumerate()
        .flat_map(|(line, (text, tone))| {
            crate::text::wrap_words(&text, width)
                .into_iter()
                .map(move |text| TextRow { text, tone, line })
        })
        .collect()
}

/// The lines to show, worked out from the state each time so live views stay live.
pub fn lines(app: &App, view: &TextView) -> Vec<(String, Tone)> {
    match &view.body {
        TextBody::Yaml {
            value: Loadable::Loading,
            ..
        } => vec![("Reading the object ...".into(), Tone::Dim)],
        TextBody::Yaml {
            value: Loadable::Failed(why),
            ..
        } => vec![(why.clone(), Tone::Bad)],
        TextBody::Yaml {
            value: Loadable::Ready(v),
            revealed,
            ..
        } => {
            let (lines, _) = objects::yaml_lines(v, revealed.as_deref());
            lines.into_iter().map(|l| (l, Tone::Plain)).collect()
        }
        TextBody::Events(_) if !app.data.events.is_synced() => match &app.panes.get(PaneId::Events).problem {
            Some(why) => vec![(why.clone(), Tone::Bad)],
            None => vec![("Reading events ...".into(), Tone::Dim)],
        },
        TextBody::Events(object) => {
            let rows = app.events_of(object);
            if rows.is_empty() {
                return vec![(
                    "No events for this object (Kubernetes keeps them for an hour).".into(),
                    Tone::Dim,
                )];
            }
            rows.into_iter()
                .map(|e| {
                    let when = e.last_seen.map(|t| crate::text::age(t, app.now)).unwrap_or_default();
                    let tone = if e.warning { Tone::Warn } else { Tone::Plain };
                    (
                        format!("{when:>6} ago  {:<20} x{:<4} {}", e.reason, e.count, e.message),
                        tone,
                    )
                })
                .collect()
        }
        TextBody::PodDetail(key) => match app.data.pods.get(key) {
            None => vec![("The pod is gone.".into(), Tone::Dim)],
            Some(pod) => {
                let mut lines = pod_detail(pod);
                lines.extend(usage_lines(app, pod));
                lines
            }
        },
        TextBody::Describe { lines, .. } => match lines {
            Loadable::Loading => vec![("Reading the object ...".into(), Tone::Dim)],
            Loadable::Failed(why) => vec![(why.clone(), Tone::Bad)],
            Loadable::Ready(lines) => lines
                .iter()
                .map(|l| {
                    use crate::cluster::resources::Tone as T;
                    let tone = match l.tone {
                        T::Plain => Tone::Plain,
                        T::Good => Tone::Good,
                        T::Warn => Tone::Warn,
                        T::Bad => Tone::Bad,
                        T::Dim => Tone::Dim,
                        T::Heading => Tone::Heading,
                    };
                    (l.text.clone(), tone)
                })
                .collect(),
        },
    }
}

fn pod_detail(pod: &PodRow) -> Vec<(String, Tone)> {
    let mut lines = vec![
        (
            format!(
                "Status:   {}   Ready {}/{}   Restarts {}",
                pod.status, pod.ready, pod.total, pod.restarts
            ),
            Tone::Heading,
        ),
        (format!("Node:     {}", pod.node), Tone::Plain),
        (format!("IP:       {}", pod.ip), Tone::Plain),
    ];
    if !pod.labels.is_empty() {
        let labels: Vec<String> = pod.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.push((
            format!("Labels:   {}", crate::text::sanitize(&labels.join(", "))),
            Tone::Plain,
        ));
    }
    lines.push((String::new(), Tone::Plain));
    lines.push(("Containers:".into(), Tone::Heading));
    for c in &pod.containers {
        let tone = if c.ready || c.state.starts_with("terminated: Completed") {
            Tone::Good
        } else if c.state.starts_with("waiting: ContainerCreating") || c.state == "not started" {
            Tone::Warn
        } else {
            Tone::Bad
        };
        let kind = if c.init { " (init)" } else { "" };
        lines.push((format!("  {}{kind}: {}", c.name, c.state), tone));
        lines.push((
            format!("    image: {}   ready {}   restarts {}", c.image, c.ready, c.restarts),
            Tone::Plain,
        ));
        if let Some(last) = &c.last_termination {
            lines.push((format!("    last terminated: {last}"), Tone::Warn));
        }
    }
    lines
}

/// Live CPU and memory with a sparkline of the last minutes (four lines, as
/// `TextView::line_count` counts them).
fn usage_lines(app: &App, pod: &PodRow) -> Vec<(String, Tone)> {
    use crate::app::usage::{Level, SAMPLES, share, sparkline};
    use crate::cluster::resources::quantity::{format_bytes, format_cpu};
    let mut lines = vec![
        (String::new(), Tone::Plain),
        ("Usage (metrics.k8s.io, every 15 s):".into(), Tone::Heading),
    ];
    let Some(h) = app.data.usage.pods.get(&pod.key) else {
        let why = app
            .data
            .usage
            .problem
            .clone()
            .unwrap_or_else(|| "no reading yet".into());
        lines.push((format!("  {why}"), Tone::Dim));
        lines.push((String::new(), Tone::Plain));
        return lines;
    };
    let describe = |used: f64, request: f64, limit: f64, text: String, spark: String| {
        let (r, l, level) = share(used, request, limit);
        let pct = |p: Option<f64>, what: &str| p.map(|p| format!(", {p:.0}% of {what}")).unwrap_or_default();
        let tone = match level {
            Level::Fine => Tone::Plain,
            Level::Near => Tone::Warn,
            Level::AtLimit => Tone::Bad,
        };
        (
            format!("{spark:<SAMPLES$} {text}{}{}", pct(r, "request"), pct(l, "limit")),
            tone,
        )
    };
    let cpu = describe(
        h.now.cpu_millis,
        pod.requests.cpu_millis,
        pod.limits.cpu_millis,
        format_cpu(h.now.cpu_millis),
        sparkline(&h.cpu, SAMPLES),
    );
    let mem = describe(
        h.now.memory_bytes,
        pod.requests.memory_bytes,
        pod.limits.memory_bytes,
        format_bytes(h.now.memory_bytes),
        sparkline(&h.memory, SAMPLES),
    );
    lines[1].0 = format!("Usage (metrics.k8s.io, every 15 s; last {} min):", SAMPLES / 4);
    lines.push((format!("  CPU {}", cpu.0), cpu.1));
    lines.push((format!("  MEM {}", mem.0), mem.1));
    lines
}

/// How many times the search matches in the view's lines (not rows: a match cut by a wrap
/// counts once).
pub fn match_count(app: &App, view: &TextView) -> usize {
    let Some(search) = &view.search else { return 0 };
    lines(app, view)
        .iter()
        .map(|(text, _)| search.regex.find_iter(text).filter(|m| !m.is_empty()).count())
        .sum()
}

impl App {
    /// `/` in the YAML view: a prompt holding the current search.
    pub(super) fn open_text_search(&mut self) {
        let Some(TopView::Text(view)) = self.top.as_ref() else {
            return;
        };
        let text = view.search.as_ref().map(|s| s.text.clone()).unwrap_or_default();
        self.prompt = Some(Prompt::new(PromptKind::TextSearch, text));
    }

    /// Enter on the search prompt: the same regex and smartcase rules as the log view's
    /// search; the view moves to the first match from the top row on.
    pub(super) fn text_search_done(&mut self, text: &str) {
        let Some(TopView::Text(view)) = self.top.as_mut() else {
            return;
        };
        match LogSearch::parse(text) {
            Ok(search) => {
                let found = search.is_some();
                view.search = search;
                if found {
                    self.find_in_text(None);
                }
            }
            Err(e) => self.notice = Some(e),
        }
    }

    /// `n` / `N` (Some(true) / Some(false)): the next or previous line with a match, put at
    /// the top; None: the first match from the top row on, that row included.
    pub(super) fn find_in_text(&mut self, forward: Option<bool>) {
        let Some(TopView::Text(view)) = self.top.as_ref() else {
            return;
        };
        let Some(search) = view.search.clone() else {
            self.notice = Some("nothing to find: search with / first".into());
            return;
        };
        let rows = rows(self, view, text_width(self));
        let matching: Vec<bool> = lines(self, view)
            .iter()
            .map(|(text, _)| search.regex.is_match(text))
            .collect();
        let current = rows.get(view.offset).map_or(0, |r| r.line);
        let is_match = |line: usize| matching.get(line).copied().unwrap_or(false);
        let line = match forward {
            // A new search looks from the top row on, then from the start (as vim wraps).
            None => (current..matching.len()).chain(0..current).find(|&l| is_match(l)),
            Some(true) => (current + 1..matching.len()).find(|&l| is_match(l)),
            Some(false) => (0..current).rev().find(|&l| is_match(l)),
        };
        // The first row of the line found, or where the view is when a match starts there.
        let found = line.map(|l| match forward {
            None if rows.get(view.offset).is_some_and(|r| r.line == l) => view.offset,
            _ => rows.iter().position(|r| r.line == l).unwrap_or(0),
        });
        let Some(TopView::Text(view)) = self.top.as_mut() else {
            return;
        };
        match found {
            Some(row) => view.offset = row,
            None => {
                let which = match forward {
                    Some(false) => "earlier ",
                    Some(true) => "later ",
                    None => "",
                };
                self.notice = Some(format!("no {which}line matches /{}/", search.text))
            }
        }
    }
}

#[cfg(test)]
mod tests;
