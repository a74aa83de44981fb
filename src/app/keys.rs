//! The key map: one table that dispatches keys and generates both the footer hints and the `?`
//! help, so they can never drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::PaneId;

/// What a key asks the dashboard to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    PrevPane,
    /// Focus pane number N (1-based).
    Focus(u32),
    Zoom,
    Filter,
    ClearFilter,
    Command,
    Help,
    SortNext,
    SortReverse,
    AllNamespaces,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope {
    Everywhere,
    /// Only while this pane has focus.
    Pane(PaneId),
}

/// One entry of the key map.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in hints, e.g. "j/↓".
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub scope: KeyScope,
    /// Shown in the footer (every binding is shown in help).
    pub in_footer: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

macro_rules! bind {
    ($label:literal, $action:expr, $help:literal, $footer:literal, [$(($code:expr, $mods:expr)),+ $(,)?]) => {
        Binding {
            keys: &[$(($code, $mods)),+],
            label: $label,
            action: $action,
            help: $help,
            scope: KeyScope::Everywhere,
            in_footer: $footer,
        }
    };
}

pub const BINDINGS: &[Binding] = &[
    bind!(
        "j/↓",
        Action::Down,
        "move down",
        false,
        [(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)]
    ),
    bind!(
        "k/↑",
        Action::Up,
        "move up",
        false,
        [(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)]
    ),
    bind!(
        "PgDn",
        Action::PageDown,
        "page down",
        false,
        [(KeyCode::PageDown, NONE), (KeyCode::Char('f'), CTRL)]
    ),
    bind!(
        "PgUp",
        Action::PageUp,
        "page up",
        false,
        [(KeyCode::PageUp, NONE), (KeyCode::Char('b'), CTRL)]
    ),
    bind!(
        "g",
        Action::Top,
        "first row",
        false,
        [(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)]
    ),
    bind!(
        "G",
        Action::Bottom,
        "last row",
        false,
        [
            (KeyCode::Char('G'), NONE),
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::End, NONE)
        ]
    ),
    bind!("Tab", Action::NextPane, "next pane", true, [(KeyCode::Tab, NONE)]),
    bind!(
        "S-Tab",
        Action::PrevPane,
        "previous pane",
        false,
        [(KeyCode::BackTab, NONE), (KeyCode::BackTab, SHIFT)]
    ),
    bind!(
        "1-6",
        Action::Focus(1),
        "focus pane 1-6 (Pods, HPAs, Certificates, Releases, Workloads, Events)",
        false,
        [(KeyCode::Char('1'), NONE)]
    ),
    bind!("2", Action::Focus(2), "focus HPAs", false, [(KeyCode::Char('2'), NONE)]),
    bind!(
        "3",
        Action::Focus(3),
        "focus Certificates",
        false,
        [(KeyCode::Char('3'), NONE)]
    ),
    bind!(
        "4",
        Action::Focus(4),
        "focus Releases",
        false,
        [(KeyCode::Char('4'), NONE)]
    ),
    bind!(
        "5",
        Action::Focus(5),
        "focus Workloads",
        false,
        [(KeyCode::Char('5'), NONE)]
    ),
    bind!(
        "6",
        Action::Focus(6),
        "focus Events",
        false,
        [(KeyCode::Char('6'), NONE)]
    ),
    bind!(
        "0",
        Action::AllNamespaces,
        "all namespaces",
        false,
        [(KeyCode::Char('0'), NONE)]
    ),
    bind!(
        "z",
        Action::Zoom,
        "zoom pane / back",
        true,
        [(KeyCode::Char('z'), NONE)]
    ),
    bind!(
        "/",
        Action::Filter,
        "filter (regex, !invert, -l k=v)",
        true,
        [(KeyCode::Char('/'), NONE)]
    ),
    bind!(
        "Esc",
        Action::ClearFilter,
        "clear filter / unzoom",
        false,
        [(KeyCode::Esc, NONE)]
    ),
    bind!(
        "o",
        Action::SortNext,
        "sort by next column",
        true,
        [(KeyCode::Char('o'), NONE)]
    ),
    bind!(
        "O",
        Action::SortReverse,
        "reverse sort",
        false,
        [(KeyCode::Char('O'), NONE), (KeyCode::Char('O'), SHIFT)]
    ),
    bind!(
        ":",
        Action::Command,
        "command (:pods :hpa :certs :releases :events :workloads :ns :ctx)",
        true,
        [(KeyCode::Char(':'), NONE), (KeyCode::Char(':'), SHIFT)]
    ),
    bind!(
        "?",
        Action::Help,
        "help",
        true,
        [(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)]
    ),
    bind!(
        "q",
        Action::Quit,
        "quit",
        true,
        [(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)]
    ),
];

/// The bindings that apply while `pane` has focus.
pub fn bindings_for(pane: PaneId) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| match b.scope {
        KeyScope::Everywhere => true,
        KeyScope::Pane(p) => p == pane,
    })
}

/// The action bound to a key press in `pane`, if any.
pub fn action_for(key: &KeyEvent, pane: PaneId) -> Option<Action> {
    bindings_for(pane)
        .find(|b| {
            b.keys
                .iter()
                .any(|&(code, mods)| code == key.code && mods == key.modifiers)
        })
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_dispatch() {
        let mut seen = std::collections::HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(seen.insert((*k, format!("{:?}", b.scope))), "{k:?} bound twice");
            }
        }
        let press = |code, mods| action_for(&KeyEvent::new(code, mods), PaneId::Pods);
        assert_eq!(press(KeyCode::Char('q'), NONE), Some(Action::Quit));
        assert_eq!(press(KeyCode::Char('c'), CTRL), Some(Action::Quit));
        assert_eq!(press(KeyCode::Char('c'), NONE), None);
        assert_eq!(press(KeyCode::Down, NONE), Some(Action::Down));
        assert_eq!(press(KeyCode::Char('4'), NONE), Some(Action::Focus(4)));
    }
}
