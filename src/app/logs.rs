//! The log view's state: a bounded buffer of lines from a running tail, where the user is in it
//! (following the end, or paused on a line), and how lines are shown (wrap, timestamps, search,
//! filter, JSON). Only what is on screen is ever laid out; see `views::logs`.

use std::collections::VecDeque;
use std::sync::Arc;

use regex::Regex;

use super::keys::Action;
use super::views::TopView;
use super::{App, Effect, PaneId, Prompt, PromptKind};
use crate::ansi::StyledText;
use crate::cluster::logs::{ContainerChoice, LogEvent, LogRequest, LogTarget};

pub use crate::config::LogSettings;

/// One line in the buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Numbers lines in arrival order; stays with the line as older ones are dropped.
    pub seq: u64,
    /// Index into `LogView::sources` (which pod and container); picks the prefix colour.
    pub source: u16,
    pub time: Option<jiff::Timestamp>,
    pub text: StyledText,
    /// Written by kubedeck about the stream (reconnecting, pod joined), not by the container.
    pub notice: bool,
}

/// How JSON lines are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonMode {
    Raw,
    Pretty,
    /// Only these fields, as `field=value`.
    Fields(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct LogSearch {
    pub text: String,
    pub regex: Regex,
}

/// Two searches are the same when they were typed the same (the regex follows from the text).
impl PartialEq for LogSearch {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[derive(Debug, Clone)]
pub struct LogView {
    /// Matches the `Msg::Logs` of this view's stream; messages of older streams are ignored.
    pub stream: u64,
    pub request: LogRequest,
    pub lines: VecDeque<LogLine>,
    pub capacity: usize,
    next_seq: u64,
    /// `pod/container` of each source, in order of first line.
    pub sources: Vec<Arc<str>>,
    /// Containers of the target's pods, for the picker.
    pub containers: Vec<String>,
    /// None while following the end; else the first line on screen.
    pub paused_at: Option<u64>,
    /// Lines that arrived since the view was paused.
    pub unseen: u64,
    pub wrap: bool,
    pub timestamps: bool,
    pub json: JsonMode,
    /// Fields for `JsonMode::Fields`, kept while switching modes.
    pub fields: Vec<String>,
    pub search: Option<LogSearch>,
    /// Only lines matching the search are shown.
    pub filtering: bool,
    /// Set once the stream will send no more.
    pub ended: Option<Result<(), String>>,
}

impl LogView {
    pub fn new(stream: u64, request: LogRequest, capacity: usize) -> LogView {
        LogView {
            stream,
            request,
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 0,
            sources: Vec::new(),
            containers: Vec::new(),
            paused_at: None,
            unseen: 0,
            wrap: false,
            timestamps: false,
            json: JsonMode::Raw,
            fields: vec!["level".into(), "msg".into()],
            search: None,
            filtering: false,
            ended: None,
        }
    }

    pub fn title(&self) -> String {
        let mut what = format!("Logs of {} in {}", self.request.target, self.request.namespace);
        match &self.request.container {
            ContainerChoice::Default => {}
            ContainerChoice::Named(c) => what.push_str(&format!(" (container {c})")),
            ContainerChoice::All => what.push_str(" (all containers)"),
        }
        if self.request.previous {
            what.push_str(" (previous container)");
        }
        what
    }

    /// Whether lines carry a `pod/container` prefix: when more than one source can show up.
    pub fn shows_source(&self) -> bool {
        matches!(self.request.target, LogTarget::Workload(_))
            || self.request.container == ContainerChoice::All
            || self.sources.len() > 1
    }

    /// Whether the line is shown under the current filter. Notices always are.
    pub fn visible(&self, line: &LogLine) -> bool {
        line.notice || !self.filtering || self.search.as_ref().is_none_or(|s| s.regex.is_match(&line.text.text))
    }

    fn push(&mut self, source: u16, time: Option<jiff::Timestamp>, text: StyledText, notice: bool) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
        }
        self.lines.push_back(LogLine {
            seq: self.next_seq,
            source,
            time,
            text,
            notice,
        });
        self.next_seq += 1;
        if self.paused_at.is_some() {
            self.unseen += 1;
        }
    }

    fn source_index(&mut self, pod: &str, container: &str) -> u16 {
        let name = format!("{pod}/{container}");
        match self.sources.iter().position(|s| **s == *name) {
            Some(i) => i as u16,
            None => {
                self.sources.push(name.into());
                (self.sources.len() - 1) as u16
            }
        }
    }

    /// Applies what the stream reported.
    pub fn on_event(&mut self, event: LogEvent) {
        match event {
            LogEvent::Lines { pod, container, lines } => {
                let source = self.source_index(&pod, &container);
                for line in lines {
                    self.push(source, line.time, line.text, false);
                }
            }
            LogEvent::Notice(text) => self.notice(text),
            LogEvent::Containers(names) => self.containers = names,
            LogEvent::Ended(outcome) => {
                match &outcome {
                    Ok(()) if self.request.follow && !self.request.previous => {
                        self.notice("the log stream ended".into())
                    }
                    Ok(()) => self.notice("end of log".into()),
                    Err(e) => self.notice(e.clone()),
                }
                self.ended = Some(outcome);
            }
        }
    }

    fn notice(&mut self, text: String) {
        self.push(0, None, StyledText::plain(format!("── {text} ──")), true);
    }

    /// Index in `lines` of the line numbered `seq`, or of the first line after it if it was dropped.
    pub fn index_of(&self, seq: u64) -> usize {
        let front = self.lines.front().map_or(0, |l| l.seq);
        usize::try_from(seq.saturating_sub(front))
            .unwrap_or(usize::MAX)
            .min(self.lines.len())
    }

    /// The line `steps` visible lines from `index` (negative: back), stopping at either end.
    fn step(&self, index: usize, steps: isize) -> usize {
        let mut at = index.min(self.lines.len().saturating_sub(1));
        let mut left = steps.unsigned_abs();
        while left > 0 {
            let next = if steps < 0 {
                (0..at).rev().find(|&i| self.visible(&self.lines[i]))
            } else {
                (at + 1..self.lines.len()).find(|&i| self.visible(&self.lines[i]))
            };
            match next {
                Some(i) => at = i,
                None => break,
            }
            left -= 1;
        }
        at
    }

    /// Moves the view for a navigation key. `first_shown` is the first line on screen while
    /// following (what pausing starts from); `page` is the screen height in lines.
    pub fn navigate(&mut self, action: Action, first_shown: Option<u64>, page: usize) {
        if self.lines.is_empty() {
            return;
        }
        let last = self.lines.len() - 1;
        let current = match self.paused_at {
            Some(seq) => self.index_of(seq),
            None => first_shown.map_or(last, |s| self.index_of(s)),
        };
        let page = page.max(1) as isize;
        let target = match action {
            Action::Up => self.step(current, -1),
            Action::Down => self.step(current, 1),
            Action::PageUp => self.step(current, -page),
            Action::PageDown => self.step(current, page),
            Action::Top => (0..self.lines.len())
                .find(|&i| self.visible(&self.lines[i]))
                .unwrap_or(0),
            Action::Bottom => return self.follow(),
            _ => return,
        };
        // Moving down past the last screenful picks up following again.
        let at_end = first_shown.is_some_and(|s| self.lines[target].seq >= s) && action != Action::Top;
        if matches!(action, Action::Down | Action::PageDown) && at_end {
            return self.follow();
        }
        self.pause_at(self.lines[target].seq);
    }

    /// Stops following with `seq` as the first line on screen; lines arriving from now on count
    /// as unseen.
    pub fn pause_at(&mut self, seq: u64) {
        if self.paused_at.is_none() {
            self.unseen = 0;
        }
        self.paused_at = Some(seq);
    }

    /// `J`: raw, pretty-printed, chosen fields, raw again.
    pub fn next_json_mode(&mut self) {
        self.json = match self.json {
            JsonMode::Raw => JsonMode::Pretty,
            JsonMode::Pretty => JsonMode::Fields(self.fields.clone()),
            JsonMode::Fields(_) => JsonMode::Raw,
        }
    }

    /// `f`: only the lines matching the search, or all again; there must be a search.
    pub fn toggle_filter(&mut self) -> Result<(), String> {
        if self.search.is_none() {
            return Err("filter shows the lines matching the search: search with / first".into());
        }
        self.filtering = !self.filtering;
        Ok(())
    }

    pub fn follow(&mut self) {
        self.paused_at = None;
        self.unseen = 0;
    }

    /// `n` / `N`: the next or previous line matching the search, from the first line on screen.
    pub fn find(&mut self, forward: bool, first_shown: Option<u64>) -> Result<(), String> {
        let Some(search) = &self.search else {
            return Err("nothing to find: search with / first".into());
        };
        let from = match self.paused_at.or(first_shown) {
            Some(seq) => self.index_of(seq),
            None => self.lines.len(),
        };
        let hit = |i: &usize| !self.lines[*i].notice && search.regex.is_match(&self.lines[*i].text.text);
        let found = if forward {
            (from + 1..self.lines.len()).find(hit)
        } else {
            (0..from.min(self.lines.len())).rev().find(hit)
        };
        match found {
            Some(i) => {
                self.pause_at(self.lines[i].seq);
                Ok(())
            }
            None => Err(format!(
                "no {} line matches /{}/",
                if forward { "later" } else { "earlier" },
                search.text
            )),
        }
    }

    /// The buffer as plain text, as it would be saved.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            if let Some(t) = line.time.filter(|_| self.timestamps) {
                out.push_str(&t.to_string());
                out.push(' ');
            }
            if self.shows_source() && !line.notice {
                out.push_str(&self.sources[usize::from(line.source)]);
                out.push(' ');
            }
            out.push_str(&line.text.text);
            out.push('\n');
        }
        out
    }
}

/// Compiles a search: a regex, or the literal text when it is not one; case-insensitive unless
/// it has capitals (as in less and vim's smartcase).
pub fn compile_search(text: &str) -> Result<Regex, String> {
    let smart = if text.chars().any(char::is_uppercase) {
        ""
    } else {
        "(?i)"
    };
    Regex::new(&format!("{smart}{text}"))
        .or_else(|_| Regex::new(&format!("{smart}{}", regex::escape(text))))
        .map_err(|e| format!("cannot search for {text:?}: {e}"))
}

impl LogSearch {
    /// What the search prompt's text asks for: nothing when empty, else its regex.
    pub fn parse(text: &str) -> Result<Option<LogSearch>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        compile_search(text).map(|regex| {
            Some(LogSearch {
                text: text.to_owned(),
                regex,
            })
        })
    }
}

impl App {
    /// `l`: the logs of the selected pod (Pods) or of every pod of the selected workload (Workloads).
    pub(super) fn open_logs(&mut self) {
        let Some(key) = self.panes.get(self.focus).selected_key().cloned() else {
            return;
        };
        let target = match self.focus {
            PaneId::Pods => LogTarget::Pod(key.name.to_string()),
            PaneId::Workloads => match self.data.workload(&key) {
                Some(row) => LogTarget::Workload(row.workload()),
                None => return,
            },
            _ => {
                self.notice = Some("logs are for pods (1) and workloads (5): select one there".into());
                return;
            }
        };
        let request = LogRequest {
            namespace: key.namespace.to_string(),
            target,
            container: ContainerChoice::Default,
            previous: false,
            tail: Some(self.log_settings.tail),
            since_seconds: None,
            follow: true,
        };
        self.start_logs(request, None);
    }

    /// Starts (or restarts, keeping the display settings of `keep`) a log stream in a view.
    fn start_logs(&mut self, request: LogRequest, keep: Option<LogView>) {
        self.log_streams += 1;
        let mut view = LogView::new(self.log_streams, request.clone(), self.log_settings.buffer);
        if let Some(old) = keep {
            view.wrap = old.wrap;
            view.timestamps = old.timestamps;
            view.json = old.json;
            view.fields = old.fields;
            view.search = old.search;
            view.filtering = old.filtering;
            view.containers = old.containers;
        }
        self.effects.push(Effect::TailLogs(view.stream, request));
        self.top = Some(TopView::Logs(Box::new(view)));
    }

    pub(super) fn on_logs(&mut self, stream: u64, event: LogEvent) -> bool {
        match self.top.as_mut() {
            Some(TopView::Logs(view)) if view.stream == stream => {
                view.on_event(event);
                true
            }
            _ => false,
        }
    }

    /// Keys in the log view.
    pub(super) fn perform_in_logs(&mut self, action: Action) {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let body = super::layout::log_text_area(self, area);
        let Some(TopView::Logs(view)) = self.top.as_mut() else {
            return;
        };
        let first_shown = super::log_rows::first_shown(view, body);
        let page = usize::from(body.height);
        match action {
            Action::Back => {
                self.top = None;
                self.effects.push(Effect::StopLogs);
            }
            Action::LogFollow => match (view.paused_at, first_shown) {
                (Some(_), _) | (None, None) => view.follow(),
                (None, Some(seq)) => view.pause_at(seq),
            },
            Action::LogWrap => view.wrap = !view.wrap,
            Action::LogTimestamps => view.timestamps = !view.timestamps,
            Action::LogJson => view.next_json_mode(),
            Action::LogFilter => {
                if let Err(e) = view.toggle_filter() {
                    self.notice = Some(e);
                }
            }
            Action::LogNext | Action::LogPrevMatch => {
                if let Err(e) = view.find(action == Action::LogNext, first_shown) {
                    self.notice = Some(e);
                }
            }
            Action::LogSearch | Action::LogFields | Action::LogSave => self.open_log_prompt(action),
            Action::LogPrevious | Action::LogContainer => self.switch_log_source(action),
            nav => view.navigate(nav, first_shown, page),
        }
    }

    /// `/`, `F` and `s` in the log view: a prompt holding what is set now.
    fn open_log_prompt(&mut self, action: Action) {
        let Some(TopView::Logs(view)) = self.top.as_ref() else {
            return;
        };
        let (kind, text) = match action {
            Action::LogSearch => (
                PromptKind::LogSearch,
                view.search.as_ref().map(|s| s.text.clone()).unwrap_or_default(),
            ),
            Action::LogFields => (PromptKind::LogFields, view.fields.join(",")),
            _ => {
                let name = format!(
                    "{}-{}.log",
                    view.request.target.to_string().replace('/', "-"),
                    jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S")
                );
                (PromptKind::LogSave, name)
            }
        };
        self.prompt = Some(Prompt::new(kind, text));
    }

    /// `p` and `c` in the log view: the previous container's logs (or the current one's again),
    /// or the next container (then all of them), as a new stream in the same view.
    fn switch_log_source(&mut self, action: Action) {
        let Some(TopView::Logs(view)) = self.top.as_ref() else {
            return;
        };
        let mut request = view.request.clone();
        if action == Action::LogPrevious {
            request.previous = !request.previous;
        } else {
            let names = &view.containers;
            if names.len() < 2 {
                self.notice = Some("this pod has one container".into());
                return;
            }
            request.container = match &request.container {
                ContainerChoice::Default | ContainerChoice::All => ContainerChoice::Named(names[0].clone()),
                ContainerChoice::Named(c) => match names.iter().position(|n| n == c) {
                    Some(i) if i + 1 < names.len() => ContainerChoice::Named(names[i + 1].clone()),
                    _ => ContainerChoice::All,
                },
            };
        }
        let old = (**view).clone();
        self.start_logs(request, Some(old));
    }

    pub(super) fn log_search_done(&mut self, text: &str) {
        let Some(TopView::Logs(view)) = self.top.as_mut() else {
            return;
        };
        match LogSearch::parse(text) {
            Ok(search) => {
                view.filtering &= search.is_some();
                view.search = search;
            }
            Err(e) => self.notice = Some(e),
        }
    }

    pub(super) fn log_fields_done(&mut self, text: &str) {
        let Some(TopView::Logs(view)) = self.top.as_mut() else {
            return;
        };
        let fields: Vec<String> = text
            .split(',')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        if fields.is_empty() {
            view.json = JsonMode::Raw;
        } else {
            view.fields = fields.clone();
            view.json = JsonMode::Fields(fields);
        }
    }

    pub(super) fn log_save_done(&mut self, path: &str) {
        let Some(TopView::Logs(view)) = self.top.as_ref() else {
            return;
        };
        let path = path.trim();
        if path.is_empty() {
            self.notice = Some("not saved: give a file name".into());
            return;
        }
        self.effects.push(Effect::SaveFile {
            path: path.into(),
            text: view.plain_text(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::logs::RawLine;

    fn view(capacity: usize) -> LogView {
        let request = LogRequest {
            namespace: "todo".into(),
            target: LogTarget::Pod("web".into()),
            container: ContainerChoice::Default,
            previous: false,
            tail: Some(10),
            since_seconds: None,
            follow: true,
        };
        LogView::new(1, request, capacity)
    }

    fn lines(view: &mut LogView, texts: &[&str]) {
        view.on_event(LogEvent::Lines {
            pod: "web".into(),
            container: "app".into(),
            lines: texts
                .iter()
                .map(|t| RawLine {
                    time: None,
                    text: StyledText::parse(t),
                })
                .collect(),
        });
    }

    #[test]
    fn the_buffer_keeps_the_newest_lines() {
        let mut v = view(3);
        lines(&mut v, &["1", "2", "3", "4", "5"]);
        let kept: Vec<_> = v.lines.iter().map(|l| l.text.text.as_str()).collect();
        assert_eq!(kept, ["3", "4", "5"]);
        assert_eq!(v.lines[0].seq, 2);
    }

    #[test]
    fn scrolling_up_pauses_and_counts_new_lines_and_bottom_follows_again() {
        let mut v = view(100);
        lines(&mut v, &["a", "b", "c", "d", "e"]);
        // Three lines fit: c, d, e are on screen while following.
        v.navigate(Action::Up, Some(2), 3);
        assert_eq!(v.paused_at, Some(1));
        lines(&mut v, &["f", "g"]);
        assert_eq!((v.paused_at, v.unseen), (Some(1), 2));
        v.navigate(Action::Bottom, Some(4), 3);
        assert_eq!((v.paused_at, v.unseen), (None, 0));
    }

    #[test]
    fn search_finds_matches_both_ways_and_filter_hides_the_rest() {
        let mut v = view(100);
        lines(&mut v, &["GET / 200", "db error", "GET /x 200", "Another ERROR", "ok"]);
        v.search = Some(LogSearch {
            text: "error".into(),
            regex: compile_search("error").unwrap(),
        });
        v.find(false, None).unwrap();
        assert_eq!(v.paused_at, Some(3), "smartcase: lower-case matches ERROR");
        v.find(false, None).unwrap();
        assert_eq!(v.paused_at, Some(1));
        assert!(v.find(false, None).unwrap_err().contains("no earlier line"));
        v.find(true, None).unwrap();
        assert_eq!(v.paused_at, Some(3));
        v.filtering = true;
        let shown: Vec<_> = v.lines.iter().filter(|l| v.visible(l)).map(|l| l.seq).collect();
        assert_eq!(shown, [1, 3]);
    }

    #[test]
    fn an_invalid_regex_is_searched_as_text() {
        assert!(compile_search("a[").unwrap().is_match("xa[y"));
        assert!(!compile_search("Error").unwrap().is_match("error"));
    }
}
