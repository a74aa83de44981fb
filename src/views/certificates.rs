//! The Certificates pane: cert-manager Certificates and the TLS secrets Ingresses reference, with
//! the days left coloured by urgency, and a one-line notice when cert-manager is not installed.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, TableFrame};
use super::{PaneContext, style};
use crate::app::PaneId;
use crate::app::table::Tabular;
use crate::cluster::certificates::CertificateEntry;

/// The notice shown when the certificates watch found no cert-manager CRDs.
pub const CERT_MANAGER_NOT_INSTALLED: &str =
    "cert-manager is not installed: showing TLS secrets referenced by Ingresses only";

pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let pane = app.panes.get(PaneId::Certificates);
    let selected = pane.selected_key().and_then(|k| app.data.cert_entries.get(k));
    // The bottom line says the one thing most worth knowing: an outage, a missing cert-manager,
    // or what is wrong with the selected entry.
    let footer = cx.stale_notice().or_else(|| {
        if app.data.cert_manager_missing {
            Some(Line::styled(
                format!(" {CERT_MANAGER_NOT_INSTALLED} "),
                style::warning(),
            ))
        } else {
            selected
                .and_then(|e| e.problem.as_ref())
                .map(|p| Line::styled(format!(" {p} "), style::error()))
        }
    });
    let synced = app.data.is_synced(PaneId::Certificates);
    let empty = match (synced, app.data.cert_manager_missing) {
        (false, _) => "Loading certificates ...",
        (true, true) => "No Ingress references a TLS secret.",
        (true, false) => "No cert-manager Certificates, and no Ingress references a TLS secret.",
    };
    let frame = TableFrame {
        title: format!("Certificates ({})", cx.scope),
        pane,
        columns: CertificateEntry::COLUMNS,
        hidden: &cx.not_drawn(PaneId::Certificates),
        focused: cx.focused,
        empty: Line::styled(empty, style::dim()),
        footer,
    };
    let now = app.now;
    table::render(
        frame,
        |k| app.data.cert_entries.get(k),
        |e, c| cell(e, c, now),
        area,
        buf,
    );
}

fn cell(entry: &CertificateEntry, column: usize, now: Timestamp) -> Line<'_> {
    let urgency = style::urgency(entry.urgency(now));
    match column {
        0 => Line::from(entry.key.namespace.as_str()),
        1 => Line::from(entry.key.name.as_str()),
        2 => Line::from(Span::styled(entry.ready.label(), style::readiness(entry.ready))),
        // What is wrong matters more than the names it would serve.
        3 => match &entry.problem {
            Some(problem) => Line::from(Span::styled(problem.as_str(), urgency)),
            None => Line::from(entry.names.join(", ")),
        },
        4 => Line::from(entry.issuer.as_str()),
        5 => Line::from(entry.not_after.map(date).unwrap_or_default()),
        6 => Line::from(entry.renewal.map(date).unwrap_or_default()),
        7 => {
            let text = match entry.days_left(now) {
                Some(days) if days < 0 => "expired".to_owned(),
                Some(days) => days.to_string(),
                None => String::new(),
            };
            Line::from(Span::styled(text, urgency))
        }
        _ => Line::from(entry.source.label()),
    }
}

/// A day in UTC: certificates are valid to the second, but the day is what a person plans by.
fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests;
