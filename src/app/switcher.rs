//! The namespace and context switchers: a list with fuzzy search as you type.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitcherKind {
    Namespace,
    Context,
}

/// The entry that stands for every namespace.
pub const ALL_NAMESPACES: &str = "(all namespaces)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switcher {
    pub kind: SwitcherKind,
    pub query: String,
    pub selected: usize,
}

impl App {
    pub(super) fn open_switcher(&mut self, kind: SwitcherKind) {
        self.switcher = Some(Switcher {
            kind,
            query: String::new(),
            selected: 0,
        });
    }

    /// What the switcher offers, best match first.
    pub fn switcher_matches(&self) -> Vec<String> {
        let Some(s) = &self.switcher else { return Vec::new() };
        let choices: Vec<String> = match s.kind {
            SwitcherKind::Namespace => {
                let mut names: Vec<String> = self.data.namespaces.iter().map(|n| n.key.name.to_string()).collect();
                if names.is_empty() {
                    // Not allowed to list namespaces: offer the ones we have seen.
                    names = self.known_namespaces().into_iter().filter(|n| n != "all").collect();
                }
                std::iter::once(ALL_NAMESPACES.to_owned()).chain(names).collect()
            }
            SwitcherKind::Context => self.target.as_ref().map(|t| t.contexts.clone()).unwrap_or_default(),
        };
        let pattern = Pattern::parse(&s.query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        pattern
            .match_list(choices, &mut matcher)
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    }

    pub(super) fn on_switcher_key(&mut self, key: KeyEvent) {
        let count = self.switcher_matches().len();
        let Some(s) = self.switcher.as_mut() else { return };
        match key.code {
            KeyCode::Esc => self.switcher = None,
            KeyCode::Down | KeyCode::Tab => s.selected = (s.selected + 1).min(count.saturating_sub(1)),
            KeyCode::Up | KeyCode::BackTab => s.selected = s.selected.saturating_sub(1),
            KeyCode::Backspace => {
                s.query.pop();
                s.selected = 0;
            }
            KeyCode::Enter => {
                let (kind, selected) = (s.kind, s.selected);
                let choice = self.switcher_matches().get(selected).cloned();
                self.switcher = None;
                match (kind, choice) {
                    (_, None) => self.notice = Some("nothing matches: Backspace to widen the search".into()),
                    (SwitcherKind::Namespace, Some(ns)) if ns == ALL_NAMESPACES => self.switch_namespace(None),
                    (SwitcherKind::Namespace, Some(ns)) => self.switch_namespace(Some(ns)),
                    (SwitcherKind::Context, Some(ctx)) => self.switch_context(ctx),
                }
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) && s.query.len() < 128 => {
                s.query.push(c);
                s.selected = 0;
            }
            _ => {}
        }
    }
}
