//! The one-line prompts: `/` filter and `:` command line with completion.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::table::Filter;
use super::{App, PaneId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Command,
    /// Values and overrides for `d`.
    Deploy,
    /// A replica count for `s`.
    Scale,
    /// In the log view: `/` search.
    LogSearch,
    /// In the log view: JSON fields to show.
    LogFields,
    /// In the log view: where to save the buffer.
    LogSave,
    /// In the YAML view: `/` search.
    TextSearch,
    /// `x`: the command to run in a container (empty: a shell).
    Shell,
    /// `F`: LOCAL[:REMOTE] ports.
    Forward,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: String) -> Self {
        Prompt { kind, text }
    }
}

const VERBS: &[&str] = &["ns", "ctx", "sort", "cols", "demo", "quit", "help", "pf"];

impl App {
    pub(super) fn on_prompt_key(&mut self, key: KeyEvent) {
        let Some(prompt) = self.prompt.as_mut() else { return };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let prompt = self
                    .prompt
                    .take()
                    .unwrap_or_else(|| Prompt::new(PromptKind::Command, String::new()));
                match prompt.kind {
                    PromptKind::Filter => self.apply_filter(&prompt.text),
                    PromptKind::Command => self.run_command(&prompt.text),
                    PromptKind::Deploy => self.deploy_prompt_done(&prompt.text),
                    PromptKind::Scale => self.scale_prompt_done(&prompt.text),
                    PromptKind::LogSearch => self.log_search_done(&prompt.text),
                    PromptKind::LogFields => self.log_fields_done(&prompt.text),
                    PromptKind::LogSave => self.log_save_done(&prompt.text),
                    PromptKind::TextSearch => self.text_search_done(&prompt.text),
                    PromptKind::Shell => self.shell_prompt_done(&prompt.text),
                    PromptKind::Forward => self.forward_prompt_done(&prompt.text),
                }
            }
            KeyCode::Backspace => {
                prompt.text.pop();
            }
            KeyCode::Tab if prompt.kind == PromptKind::Shell => self.shell_next_container(),
            KeyCode::Tab if prompt.kind == PromptKind::Command => {
                let text = prompt.text.clone();
                if let Some(done) = self.completions(&text).first()
                    && let Some(p) = self.prompt.as_mut()
                {
                    p.text = done.clone();
                }
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => prompt.text.clear(),
            // Bounded: a paste of a whole file into the prompt must not grow it without end.
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) && prompt.text.len() < 256 => {
                prompt.text.push(c);
            }
            _ => {}
        }
    }

    fn apply_filter(&mut self, text: &str) {
        match Filter::parse(text) {
            Ok(filter) => self.panes.get_mut(self.focus).set_filter(filter),
            Err(message) => self.notice = Some(message),
        }
    }

    /// Runs a `:` command; anything unknown says what is known.
    pub fn run_command(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        let Some(verb) = words.next() else { return };
        let arg = words.next();
        if let Some(kind) = App::resource_command(verb) {
            return self.show_resource(kind);
        }
        if let Some(pane) = PaneId::ALL.into_iter().find(|p| p.command_names().contains(&verb)) {
            self.focus = pane;
            self.panes.get_mut(pane).stale = true;
            return;
        }
        match (verb, arg) {
            ("q" | "quit", _) => self.quit(),
            ("help", _) => self.help = Some(0),
            ("ns", None | Some("all" | "-A")) => self.switch_namespace(None),
            ("ns", Some(ns)) => self.switch_namespace(Some(ns.to_owned())),
            ("ctx", Some(ctx)) => {
                let known = self.target.as_ref().map(|t| t.contexts.clone()).unwrap_or_default();
                if known.iter().any(|k| k == ctx) {
                    self.switch_context(ctx.to_owned());
                } else {
                    self.notice = Some(format!(
                        "no context named {ctx:?}; known contexts: {}",
                        known.join(", ")
                    ));
                }
            }
            ("ctx", None) => self.notice = Some("usage: :ctx NAME (Tab completes)".into()),
            ("sort", None) => {
                let columns = self.pane_columns(self.focus);
                self.notice = Some(format!(
                    "usage: :sort COLUMN; {} has {} (o sorts by the next one)",
                    self.focus.title(),
                    columns.iter().map(|c| c.title).collect::<Vec<_>>().join(", ")
                ));
            }
            ("demo", name) => self.open_demo(name),
            ("cols" | "columns", _) => self.open_column_chooser(),
            ("pf" | "forwards", arg) => self.forwards_command(arg, words.next()),
            ("sort", Some(_)) => {
                // The rest of the line: some titles have a space (`%CPU R/L`).
                let column = line.trim_start().trim_start_matches("sort").trim();
                let columns = self.pane_columns(self.focus);
                match columns.iter().position(|c| c.title.eq_ignore_ascii_case(column)) {
                    Some(i) => self.panes.get_mut(self.focus).sort_by(i),
                    None => {
                        self.notice = Some(format!(
                            "{} has no column {column:?}; columns: {}",
                            self.focus.title(),
                            columns.iter().map(|c| c.title).collect::<Vec<_>>().join(", ")
                        ))
                    }
                }
            }
            _ => {
                let mut panes: Vec<&str> = PaneId::ALL.iter().map(|p| p.command_names()[0]).collect();
                panes.extend(
                    crate::cluster::resources::ResourceKind::ALL
                        .iter()
                        .map(|k| k.command_names()[0]),
                );
                self.notice = Some(format!(
                    "unknown command {line:?}: try {}, ns NAME, ctx NAME, sort COLUMN, cols, demo NAME, quit",
                    panes.join(", ")
                ));
            }
        }
    }

    /// Completions of the command line typed so far, best first.
    pub fn completions(&self, text: &str) -> Vec<String> {
        let (verb, rest) = match text.split_once(' ') {
            Some((v, r)) => (v, Some(r)),
            None => (text, None),
        };
        let Some(arg) = rest else {
            let mut words: Vec<&str> = PaneId::ALL.iter().map(|p| p.command_names()[0]).collect();
            words.extend(
                crate::cluster::resources::ResourceKind::ALL
                    .iter()
                    .map(|k| k.command_names()[0]),
            );
            words.extend(VERBS);
            return words
                .into_iter()
                .filter(|w| w.starts_with(verb))
                .map(String::from)
                .collect();
        };
        let candidates: Vec<String> = match verb {
            "ns" => self.known_namespaces(),
            "ctx" => self.target.as_ref().map(|t| t.contexts.clone()).unwrap_or_default(),
            "sort" => self
                .pane_columns(self.focus)
                .iter()
                .map(|c| c.title.to_lowercase())
                .collect(),
            "demo" => crate::actions::demo::Demo::ALL
                .iter()
                .map(|d| d.name().to_owned())
                .collect(),
            _ => Vec::new(),
        };
        candidates
            .into_iter()
            .filter(|c| c.starts_with(arg))
            .map(|c| format!("{verb} {c}"))
            .collect()
    }

    pub(super) fn known_namespaces(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .data
            .pods
            .iter()
            .map(|p| p.key.namespace.to_string())
            .chain(self.data.events.iter().map(|e| e.key.namespace.to_string()))
            .collect();
        if let Some(crate::cluster::Scope::Namespace(ns)) = self.target.as_ref().map(|t| &t.scope) {
            names.push(ns.clone());
        }
        names.push("all".into());
        names.sort();
        names.dedup();
        names
    }
}
