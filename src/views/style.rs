//! Colours and emphasis in one place, so every pane means the same thing by the same colour.
//! The palette is chosen once at start-up (dark, light, or none for NO_COLOR) and read here.

use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};

use crate::cluster::certificates::{Readiness, Urgency};
use crate::cluster::pods::Health;

pub use crate::config::ThemeName;

/// The colours of one theme; `None` means "no colour", for the monochrome theme.
#[derive(Debug, Clone, Copy)]
struct Palette {
    good: Option<Color>,
    warn: Option<Color>,
    bad: Option<Color>,
    dim: Option<Color>,
    accent: Option<Color>,
    terminating: Option<Color>,
    on_accent: Option<Color>,
}

impl Palette {
    fn of(theme: ThemeName) -> Palette {
        match theme {
            ThemeName::Dark => Palette {
                good: Some(Color::Green),
                warn: Some(Color::Yellow),
                bad: Some(Color::Red),
                dim: Some(Color::DarkGray),
                accent: Some(Color::Cyan),
                terminating: Some(Color::Magenta),
                on_accent: Some(Color::Black),
            },
            // Yellow and cyan are unreadable on white; darker tones instead.
            ThemeName::Light => Palette {
                good: Some(Color::Rgb(0, 120, 0)),
                warn: Some(Color::Rgb(160, 90, 0)),
                bad: Some(Color::Rgb(190, 0, 0)),
                dim: Some(Color::Rgb(110, 110, 110)),
                accent: Some(Color::Blue),
                terminating: Some(Color::Rgb(140, 0, 140)),
                on_accent: Some(Color::White),
            },
            ThemeName::Mono => Palette {
                good: None,
                warn: None,
                bad: None,
                dim: None,
                accent: None,
                terminating: None,
                on_accent: None,
            },
        }
    }
}

static THEME: OnceLock<ThemeName> = OnceLock::new();

/// Chooses the theme for the rest of the run; NO_COLOR (any non-empty value) wins over it.
/// Only the first call counts.
pub fn init(theme: ThemeName) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let _ = THEME.set(if no_color { ThemeName::Mono } else { theme });
}

fn palette() -> Palette {
    Palette::of(*THEME.get_or_init(ThemeName::default))
}

fn fg(color: Option<Color>) -> Style {
    match color {
        Some(c) => Style::new().fg(c),
        None => Style::new(),
    }
}

pub fn health(h: Health) -> Style {
    let p = palette();
    match h {
        Health::Ready => fg(p.good),
        Health::Progressing => fg(p.warn),
        Health::Failing => fg(p.bad).add_modifier(Modifier::BOLD),
        Health::Completed => fg(p.dim),
        Health::Terminating => fg(p.terminating).add_modifier(Modifier::ITALIC),
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
    let p = palette();
    match (p.accent, p.on_accent) {
        (Some(bg), Some(on)) => Style::new().fg(on).bg(bg),
        _ => Style::new().add_modifier(Modifier::REVERSED),
    }
}

pub fn title() -> Style {
    fg(palette().accent).add_modifier(Modifier::BOLD)
}

pub fn dim_title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn focus_border() -> Style {
    fg(palette().accent)
}

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn selected_unfocused() -> Style {
    Style::new().add_modifier(Modifier::UNDERLINED)
}

pub fn column_header() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn good() -> Style {
    fg(palette().good)
}

pub fn warning() -> Style {
    fg(palette().warn)
}

pub fn error() -> Style {
    fg(palette().bad).add_modifier(Modifier::BOLD)
}

/// Removed lines of a diff: red, but not shouting like an error.
pub fn removed() -> Style {
    fg(palette().bad)
}

pub fn dim() -> Style {
    let p = palette();
    match p.dim {
        Some(c) => Style::new().fg(c),
        None => Style::new().add_modifier(Modifier::DIM),
    }
}

/// Something that just got worse, e.g. restarts that rose a moment ago.
pub fn alert() -> Style {
    let p = palette();
    match p.bad {
        Some(c) => Style::new().fg(Color::White).bg(c).add_modifier(Modifier::BOLD),
        None => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
    }
}

/// The prefix colour of the Nth pod (or container) in an interleaved log.
pub fn source(index: u16) -> Style {
    match palette().accent {
        Some(_) => Style::new().fg(crate::ansi::source_colour(index)),
        None => Style::new().add_modifier(Modifier::BOLD),
    }
}

/// A log line's own colours, unless the theme has none (NO_COLOR keeps only emphasis).
pub fn log_text(own: Style) -> Style {
    match palette().accent {
        Some(_) => own,
        None => Style {
            fg: None,
            bg: None,
            ..own
        },
    }
}

/// A search match in a log.
pub fn search_match() -> Style {
    key_hint()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_tells_failing_from_healthy() {
        for theme in [ThemeName::Dark, ThemeName::Light, ThemeName::Mono] {
            let p = Palette::of(theme);
            let failing = fg(p.bad).add_modifier(Modifier::BOLD);
            assert_ne!(failing, fg(p.good), "{theme:?}");
        }
        let mono = Palette::of(ThemeName::Mono);
        assert!(
            mono.good.is_none() && mono.bad.is_none() && mono.accent.is_none(),
            "no colour at all"
        );
    }
}
