//! Where things go on screen: the four-pane grid on a large terminal, tabs on a small one, a
//! zoomed pane on its own. Both drawing (views) and paging, mouse hits and what is on screen
//! (update) use this, so it lives on the state side.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

use super::{App, PaneId};

/// From this size on the four main panes are shown together.
pub const GRID_MIN: (u16, u16) = (160, 45);

#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub header: Rect,
    pub summary: Rect,
    /// The tab bar, when panes are shown one at a time.
    pub tabs: Option<Rect>,
    pub panes: Vec<(PaneId, Rect)>,
    pub footer: Rect,
}

/// The most rows a notice takes at the bottom; a longer one ends in "…".
pub const NOTICE_ROWS: usize = 4;

/// A notice's rows at the bottom, wrapped at words to the screen's width: a sentence saying what
/// was wrong and what to do is read whole, not cut at the edge. None when a prompt is open (it
/// has the bottom line) or there is no notice.
pub fn notice_rows(app: &App, width: u16) -> Option<Vec<String>> {
    let notice = app.notice.as_deref().filter(|_| app.prompt.is_none())?;
    let mut rows = crate::text::wrap_words(notice, usize::from(width));
    if rows.len() > NOTICE_ROWS {
        rows.truncate(NOTICE_ROWS);
        if let Some(last) = rows.last_mut() {
            use unicode_width::UnicodeWidthStr;
            while !last.is_empty() && last.width() + 1 > usize::from(width) {
                last.pop();
            }
            last.push('…');
        }
    }
    Some(rows)
}

pub fn screen(app: &App, area: Rect) -> Screen {
    // The bottom takes a notice's rows, at most a third of the screen.
    let bottom = notice_rows(app, area.width).map_or(1, |rows| rows.len() as u16);
    let bottom = bottom.min(area.height / 3).max(1);
    let [header, summary, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(bottom),
    ])
    .areas(area);
    let grid =
        area.width >= GRID_MIN.0 && area.height >= GRID_MIN.1 && !app.zoomed && PaneId::GRID.contains(&app.focus);
    if grid {
        let [top, bottom] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
        let halves =
            |r: Rect| Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas::<2>(r);
        let [a, b] = halves(top);
        let [c, d] = halves(bottom);
        let panes = PaneId::GRID.into_iter().zip([a, b, c, d]).collect();
        Screen {
            header,
            summary,
            tabs: None,
            panes,
            footer,
        }
    } else if app.zoomed {
        Screen {
            header,
            summary,
            tabs: None,
            panes: vec![(app.focus, body)],
            footer,
        }
    } else {
        let [tabs, pane] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        Screen {
            header,
            summary,
            tabs: Some(tabs),
            panes: vec![(app.focus, pane)],
            footer,
        }
    }
}

/// Where views opened on top of the panes go: everything between the summary and the footer.
pub fn body(screen: &Screen) -> Rect {
    let panes = screen.panes.iter().fold(Rect::default(), |acc, (_, r)| acc.union(*r));
    screen.tabs.map_or(panes, |t| panes.union(t))
}

/// Rows of the focused pane's table that fit on screen (its height less borders and header).
pub fn table_rows(app: &App) -> usize {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let screen = screen(app, area);
    let height = screen
        .panes
        .iter()
        .find(|(p, _)| *p == app.focus)
        .map_or(0, |(_, r)| r.height);
    usize::from(height.saturating_sub(3)).max(1)
}

/// Where the log text goes (inside the box, above the status line).
pub fn log_text_area(app: &App, area: Rect) -> Rect {
    let body = body(&screen(app, area));
    let inner = body.inner(Margin::new(1, 1));
    Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

impl super::App {
    /// Wheel scrolls the pane under the pointer; a click focuses a pane and selects the row.
    pub(super) fn on_mouse(&mut self, mouse: crossterm::event::MouseEvent) -> bool {
        use crossterm::event::{MouseButton, MouseEventKind};
        if self.top.is_some() || self.prompt.is_some() || self.switcher.is_some() || self.help.is_some() {
            return false;
        }
        if self.column_chooser.is_some() {
            return false;
        }
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let screen = screen(self, area);
        let point = ratatui::layout::Position::new(mouse.column, mouse.row);
        let Some(&(pane, rect)) = screen.panes.iter().find(|(_, r)| r.contains(point)) else {
            return false;
        };
        let page = usize::from(rect.height.saturating_sub(3)).max(1);
        match mouse.kind {
            MouseEventKind::ScrollDown => self.panes.get_mut(pane).move_by(3, page),
            MouseEventKind::ScrollUp => self.panes.get_mut(pane).move_by(-3, page),
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus_pane(pane);
                // Rows start below the top border and the column titles.
                let table = self.panes.get_mut(pane);
                if let Some(row) = mouse.row.checked_sub(rect.y + 2) {
                    let index = table.offset + usize::from(row);
                    if let Some(key) = table.view.get(index).cloned() {
                        table.select(&key, page);
                    }
                }
            }
            _ => return false,
        }
        true
    }
}
