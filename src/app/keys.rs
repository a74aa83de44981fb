//! The key map: one table that both dispatches keys and generates the hints on screen, so the
//! two can never drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

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
}

/// One entry of the key map.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in hints, e.g. "j/↓".
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer (the rest only in help).
    pub in_footer: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)],
        label: "j/↓",
        action: Action::Down,
        help: "down",
        in_footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)],
        label: "k/↑",
        action: Action::Up,
        help: "up",
        in_footer: true,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE), (KeyCode::Char('f'), KeyModifiers::CONTROL)],
        label: "PgDn",
        action: Action::PageDown,
        help: "page down",
        in_footer: false,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE), (KeyCode::Char('b'), KeyModifiers::CONTROL)],
        label: "PgUp",
        action: Action::PageUp,
        help: "page up",
        in_footer: false,
    },
    Binding {
        keys: &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)],
        label: "g",
        action: Action::Top,
        help: "first",
        in_footer: true,
    },
    Binding {
        keys: &[
            (KeyCode::Char('G'), NONE),
            (KeyCode::Char('G'), KeyModifiers::SHIFT),
            (KeyCode::End, NONE),
        ],
        label: "G",
        action: Action::Bottom,
        help: "last",
        in_footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), KeyModifiers::CONTROL)],
        label: "q",
        action: Action::Quit,
        help: "quit",
        in_footer: true,
    },
];

/// The action bound to a key press, if any. Key releases and repeats of release are ignored.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    BINDINGS
        .iter()
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
    fn every_action_has_a_key_and_keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(seen.insert(*k), "{k:?} bound twice");
            }
        }
        let press = |code, mods| action_for(&KeyEvent::new(code, mods));
        assert_eq!(press(KeyCode::Char('q'), NONE), Some(Action::Quit));
        assert_eq!(press(KeyCode::Char('c'), KeyModifiers::CONTROL), Some(Action::Quit));
        assert_eq!(press(KeyCode::Char('c'), NONE), None);
        assert_eq!(press(KeyCode::Down, NONE), Some(Action::Down));
    }
}
