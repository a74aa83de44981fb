//! The Certificates pane: cert-manager Certificates and the TLS secrets Ingresses reference, with
//! the days left coloured by urgency, and a one-line notice when cert-manager is not installed
//! (two lines on a terminal too narrow for it).

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::style;
use crate::cluster::certificates::CertificateEntry;

/// The notice shown when the certificates watch found no cert-manager CRDs
/// (`FailureKind::NotInstalled`).
pub const CERT_MANAGER_NOT_INSTALLED: &str =
    "cert-manager is not installed: showing TLS secrets referenced by Ingresses only";

/// What the pane draws. The app builds it from its stores with
/// `cluster::certificates::pane_entries` and its own selection.
#[derive(Debug, Clone, Copy)]
pub struct CertificatesView<'a> {
    pub entries: &'a [CertificateEntry],
    /// The certificates watch failed with `FailureKind::NotInstalled`.
    pub cert_manager_missing: bool,
    /// Why the pane cannot show everything (e.g. secrets forbidden), if so.
    pub problem: Option<&'a str>,
    /// True once the first listings arrived; until then an empty pane says it is loading.
    pub synced: bool,
    pub selected: Option<usize>,
    /// Index of the first entry on screen.
    pub offset: usize,
}

pub fn render(view: &CertificatesView<'_>, now: Timestamp, area: Rect, buf: &mut Buffer) {
    let block = pane_block(view, now);
    let inner = block.inner(area);
    block.render(area, buf);

    let [notice, body] =
        Layout::vertical([Constraint::Length(notice_height(view, inner.width)), Constraint::Min(0)]).areas(inner);
    if view.cert_manager_missing {
        Paragraph::new(Line::styled(CERT_MANAGER_NOT_INSTALLED, style::warning()))
            .wrap(Wrap { trim: true })
            .render(notice, buf);
    }

    if view.entries.is_empty() {
        let text = match (view.problem, view.synced) {
            (Some(problem), _) => Line::styled(problem.to_owned(), style::error()),
            (None, true) if view.cert_manager_missing => {
                Line::styled("No Ingress references a TLS secret.", style::dim())
            }
            (None, true) => Line::styled(
                "No cert-manager Certificates, and no Ingress references a TLS secret.",
                style::dim(),
            ),
            (None, false) => Line::styled("Loading certificates ...", style::dim()),
        };
        Paragraph::new(text).wrap(Wrap { trim: true }).render(body, buf);
        return;
    }

    let columns = visible_columns(body.width);
    let rows = view
        .entries
        .iter()
        .enumerate()
        .skip(view.offset)
        .take(page_size(view, area))
        .map(|(i, entry)| {
            let row = entry_row(entry, &columns, now);
            if Some(i) == view.selected {
                row.style(style::selected())
            } else {
                row
            }
        });
    let header = Row::new(columns.iter().map(|c| c.title())).style(style::column_header());
    Table::new(rows, widths(&columns, body.width))
        .header(header)
        .column_spacing(1)
        .render(body, buf);
}

/// The border with the title, the pane's problem if any, and the selected entry's problem in full
/// at the bottom (its cell cuts it short).
fn pane_block(view: &CertificatesView<'_>, now: Timestamp) -> Block<'static> {
    let mut title = vec![Span::styled(
        format!(" Certificates [{}] ", view.entries.len()),
        style::title(),
    )];
    if let Some(problem) = view.problem {
        title.push(Span::styled(format!(" {problem} "), style::error()));
    }
    let mut block = Block::bordered().title(Line::from(title));
    let selected = view.selected.and_then(|i| view.entries.get(i));
    if let Some((entry, problem)) = selected.and_then(|e| e.problem.as_deref().map(|p| (e, p))) {
        block = block.title_bottom(Line::styled(
            format!(" {}: {problem} ", entry.key.name),
            style::urgency(entry.urgency(now)),
        ));
    }
    block
}

/// How many entries fit in the pane drawn in `area`: for the app to scroll by.
pub fn page_size(view: &CertificatesView<'_>, area: Rect) -> usize {
    let inner_width = area.width.saturating_sub(2);
    // Two borders and the column header.
    usize::from(area.height.saturating_sub(3 + notice_height(view, inner_width)))
}

/// One line for the notice, two where it would be cut short (it is 79 characters long).
fn notice_height(view: &CertificatesView<'_>, width: u16) -> u16 {
    match view.cert_manager_missing {
        false => 0,
        true if CERT_MANAGER_NOT_INSTALLED.len() <= usize::from(width) => 1,
        true => 2,
    }
}

/// The columns of the certificates table, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Namespace,
    Ready,
    Names,
    Issuer,
    NotAfter,
    Renewal,
    DaysLeft,
    Source,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Name => "NAME",
            Column::Namespace => "NAMESPACE",
            Column::Ready => "READY",
            Column::Names => "DNS NAMES/SANs",
            Column::Issuer => "ISSUER",
            Column::NotAfter => "NOT AFTER",
            Column::Renewal => "RENEWAL",
            Column::DaysLeft => "DAYS LEFT",
            Column::Source => "SOURCE",
        }
    }

    /// Narrowest useful width.
    fn min_width(self) -> u16 {
        match self {
            Column::Name => 16,
            Column::Namespace => 10,
            Column::Ready => 7,
            Column::Names => 20,
            Column::Issuer => 12,
            Column::NotAfter | Column::Renewal => 10,
            Column::DaysLeft => 9,
            Column::Source => 14,
        }
    }

    /// Share of the room left over after every column has its minimum.
    fn growth(self) -> u16 {
        match self {
            Column::Names => 3,
            Column::Source => 2,
            Column::Name | Column::Issuer => 1,
            _ => 0,
        }
    }
}

fn needed(columns: &[Column]) -> u16 {
    columns.iter().map(|c| c.min_width() + 1).sum()
}

/// Every column gets its minimum and the growing ones share what is left (DNS names take what
/// rounding leaves over), so a narrow column is never squeezed below what it needs.
fn widths(columns: &[Column], width: u16) -> Vec<Constraint> {
    let spare = width.saturating_sub(needed(columns));
    let shares = columns.iter().map(|c| c.growth()).sum::<u16>().max(1);
    let mut widths: Vec<u16> = columns
        .iter()
        .map(|c| c.min_width() + spare * c.growth() / shares)
        .collect();
    let used = widths.iter().sum::<u16>() + columns.len() as u16;
    if let Some(names) = columns.iter().position(|&c| c == Column::Names) {
        widths[names] += width.saturating_sub(used);
    }
    widths.into_iter().map(Constraint::Length).collect()
}

/// The columns that fit in `width`, dropping the least useful first (renewal, issuer, not after,
/// namespace, source) so name, readiness, names and days left are always readable.
fn visible_columns(width: u16) -> Vec<Column> {
    use Column::*;
    let mut columns = vec![
        Name, Namespace, Ready, Names, Issuer, NotAfter, Renewal, DaysLeft, Source,
    ];
    for drop in [Renewal, Issuer, NotAfter, Namespace, Source] {
        if needed(&columns) <= width {
            break;
        }
        columns.retain(|&c| c != drop);
    }
    columns
}

fn entry_row<'a>(entry: &'a CertificateEntry, columns: &[Column], now: Timestamp) -> Row<'a> {
    let urgency = style::urgency(entry.urgency(now));
    Row::new(columns.iter().map(|column| match column {
        Column::Name => Cell::from(entry.key.name.as_str()),
        Column::Namespace => Cell::from(entry.key.namespace.as_str()),
        Column::Ready => Cell::from(Span::styled(entry.ready.label(), style::readiness(entry.ready))),
        // What is wrong matters more than the names it would serve.
        Column::Names => match &entry.problem {
            Some(problem) => Cell::from(Span::styled(problem.as_str(), urgency)),
            None => Cell::from(entry.names.join(", ")),
        },
        Column::Issuer => Cell::from(entry.issuer.as_str()),
        Column::NotAfter => Cell::from(entry.not_after.map(date).unwrap_or_default()),
        Column::Renewal => Cell::from(entry.renewal.map(date).unwrap_or_default()),
        Column::DaysLeft => {
            let text = match entry.days_left(now) {
                Some(days) if days < 0 => "expired".to_owned(),
                Some(days) => days.to_string(),
                None => String::new(),
            };
            Cell::from(Span::styled(text, urgency))
        }
        Column::Source => Cell::from(entry.source.label()),
    }))
}

/// A day in UTC: certificates are valid to the second, but the day is what a person plans by.
fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests;
