//! Colours and emphasis in one place, so every pane means the same thing by the same colour.

use ratatui::style::{Color, Modifier, Style};

use crate::cluster::certificates::{Readiness, Urgency};
use crate::cluster::pods::Health;

pub fn health(h: Health) -> Style {
    match h {
        Health::Ready => Style::new().fg(Color::Green),
        Health::Progressing => Style::new().fg(Color::Yellow),
        Health::Failing => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Health::Completed => Style::new().fg(Color::DarkGray),
        Health::Terminating => Style::new().fg(Color::Magenta),
    }
}

pub fn urgency(u: Urgency) -> Style {
    match u {
        Urgency::Ok => good(),
        Urgency::Soon => warning(),
        Urgency::Critical => error(),
    }
}

pub fn readiness(r: Readiness) -> Style {
    match r {
        Readiness::Ready => good(),
        Readiness::Unknown => warning(),
        Readiness::NotReady => error(),
    }
}

pub fn key_hint() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

pub fn title() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn column_header() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn good() -> Style {
    Style::new().fg(Color::Green)
}

pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}

/// Removed lines of a diff: red, but not shouting like an error.
pub fn removed() -> Style {
    Style::new().fg(Color::Red)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn dim_title() -> Style {
    Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD)
}

pub fn focus_border() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn selected_unfocused() -> Style {
    Style::new().add_modifier(Modifier::UNDERLINED)
}

/// Something that just got worse, e.g. restarts that rose a moment ago.
pub fn alert() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}
