//! Snapshot tests of the Certificates pane, and the colours of its days left.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::*;
use crate::app::{App, Msg};
use crate::cluster::certificates::{Readiness, Source};
use crate::cluster::store::ObjectKey;
use crate::cluster::store::WatchUpdate;
use crate::cluster::{RowUpdate, Scope};
use crate::views::tests::buffer_text;

fn ts(s: &str) -> Option<Timestamp> {
    Some(s.parse().expect("test timestamp"))
}

/// A Ready cert-manager Certificate for `<name>.example.com`, renewed a month before it expires.
fn certificate(namespace: &str, name: &str, not_after: &str) -> CertificateEntry {
    let not_after = ts(not_after);
    CertificateEntry {
        id: ObjectKey::default(),
        key: ObjectKey::new(namespace, name),
        ready: Readiness::Ready,
        names: vec![format!("{name}.example.com"), format!("www.{name}.example.com")],
        issuer: "letsencrypt-prod".into(),
        not_after,
        renewal: not_after.map(|t| t - jiff::SignedDuration::from_hours(30 * 24)),
        source: Source {
            cert_manager: true,
            ingresses: Vec::new(),
        },
        problem: None,
    }
}

/// A TLS secret referenced by `ingress`, read without trouble.
fn secret(namespace: &str, name: &str, ingress: &str, not_after: &str) -> CertificateEntry {
    CertificateEntry {
        id: ObjectKey::default(),
        key: ObjectKey::new(namespace, name),
        ready: Readiness::Ready,
        names: vec![format!("{name}.example.com"), "10.0.0.7".into()],
        issuer: "R11".into(),
        not_after: ts(not_after),
        renewal: None,
        source: Source {
            cert_manager: false,
            ingresses: vec![ingress.into()],
        },
        problem: None,
    }
}

fn broken_secret(namespace: &str, name: &str, ingress: &str, problem: &str) -> CertificateEntry {
    CertificateEntry {
        ready: Readiness::NotReady,
        names: Vec::new(),
        issuer: String::new(),
        not_after: None,
        problem: Some(problem.into()),
        ..secret(namespace, name, ingress, "2027-01-01T00:00:00Z")
    }
}

fn healthy() -> Vec<CertificateEntry> {
    let mut shop = certificate("shop", "shop", "2027-02-01T00:00:00Z");
    shop.source.ingresses = vec!["web".into()];
    vec![
        secret("blog", "blog-tls", "blog", "2027-01-15T08:30:00Z"),
        certificate("shop", "api", "2027-03-01T00:00:00Z"),
        shop,
    ]
}

fn unhealthy() -> Vec<CertificateEntry> {
    let mut api = certificate("shop", "api", "2027-03-01T00:00:00Z");
    api.ready = Readiness::NotReady;
    api.problem = Some("Failed: The certificate request has failed to complete and will be retried".into());
    vec![
        secret("blog", "blog-tls", "blog", "2026-11-20T00:00:00Z"),
        secret("edge", "edge-tls", "edge", "2026-11-28T00:00:00Z"),
        broken_secret("edge", "garbage-tls", "edge", "tls.crt holds no PEM certificate"),
        broken_secret(
            "legacy",
            "legacy-tls",
            "legacy",
            "secret legacy-tls referenced by ingress legacy not found",
        ),
        api,
        certificate("shop", "shop", "2026-12-13T00:00:00Z"),
    ]
}

/// The dashboard, focused on the Certificates pane, listing `entries`.
fn app_with(entries: Vec<CertificateEntry>, cert_manager_missing: bool) -> App {
    let mut app = crate::views::tests::connected_app(Scope::All);
    if cert_manager_missing {
        app.data.cert_manager_missing = true;
    } else {
        app.update(Msg::Rows(RowUpdate::Certificates(WatchUpdate::Listed(Vec::new()))));
    }
    app.update(Msg::Rows(RowUpdate::TlsSecrets(WatchUpdate::Listed(Vec::new()))));
    app.update(Msg::Rows(RowUpdate::IngressTls(WatchUpdate::Listed(Vec::new()))));
    app.data.cert_entries = entries
        .into_iter()
        .map(|mut e| {
            e.id = e.unique_key();
            (e.id.clone(), e)
        })
        .collect();
    app.focus = PaneId::Certificates;
    app.panes.get_mut(PaneId::Certificates).stale = true;
    app.refresh();
    app
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut app = app.clone();
    app.update(Msg::Resize { width, height });
    app.refresh();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| crate::views::render(&app, f)).expect("draw");
    buffer_text(terminal.backend().buffer())
}

fn select(app: &mut App, name: &str) {
    let key = app
        .data
        .cert_entries
        .values()
        .find(|e| e.key.name == name)
        .map(|e| e.id.clone())
        .unwrap();
    let page = app.page_size();
    app.panes.get_mut(PaneId::Certificates).select(&key, page);
}

#[test]
fn healthy_certificates_wide_and_narrow() {
    let app = app_with(healthy(), false);
    let wide = screen(&app, 160, 14);
    assert!(
        wide.contains("blog-tls") && wide.contains("DAYS LEFT"),
        "the pane, not a size notice:\n{wide}"
    );
    insta::assert_snapshot!("healthy_wide", wide);
    insta::assert_snapshot!("healthy_narrow", screen(&app, 80, 12));
}

#[test]
fn unhealthy_certificates_wide_and_narrow_with_the_selected_problem_in_full() {
    let mut app = app_with(unhealthy(), false);
    select(&mut app, "api");
    insta::assert_snapshot!("unhealthy_wide", screen(&app, 160, 14));
    insta::assert_snapshot!("unhealthy_narrow", screen(&app, 80, 14));
}

#[test]
fn without_cert_manager_the_pane_says_so_in_one_line() {
    let entries = vec![
        secret("blog", "blog-tls", "blog", "2027-01-15T08:30:00Z"),
        broken_secret(
            "legacy",
            "legacy-tls",
            "legacy",
            "secret legacy-tls referenced by ingress legacy not found",
        ),
    ];
    let text = screen(&app_with(entries, true), 120, 12);
    assert!(text.contains(CERT_MANAGER_NOT_INSTALLED), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn empty_and_refused_panes() {
    let none = screen(&app_with(vec![], true), 90, 12);
    assert!(none.contains("No Ingress references a TLS secret."), "{none}");
    let mut refused = app_with(vec![], false);
    refused.panes.get_mut(PaneId::Certificates).problem =
        Some("forbidden: User \"dev\" cannot list resource \"secrets\" in namespace \"shop\"".into());
    let text = screen(&refused, 90, 12);
    assert!(text.contains("cannot list resource \"secrets\""), "{text}");
}

#[test]
fn days_left_is_coloured_by_urgency() {
    let app = app_with(unhealthy(), false);
    let mut app = app.clone();
    app.update(Msg::Resize { width: 170, height: 14 });
    app.refresh();
    let mut terminal = Terminal::new(TestBackend::new(170, 14)).unwrap();
    terminal.draw(|f| crate::views::render(&app, f)).unwrap();
    let buf = terminal.backend().buffer();
    let text = buffer_text(buf);
    let lines: Vec<&str> = text.lines().collect();
    let header_y = lines.iter().position(|l| l.contains("DAYS LEFT")).expect("header");
    let at = lines[header_y].find("DAYS LEFT").unwrap();
    let column = lines[header_y][..at].chars().count() as u16;
    let colour_of = |name: &str| {
        let y = lines.iter().position(|l| l.contains(name)).expect("row on screen") as u16;
        buf[(column, y)].fg
    };
    assert_eq!(colour_of("blog-tls"), Color::Red, "expired");
    assert_eq!(colour_of("edge-tls"), Color::Red, "4 days left");
    assert_eq!(colour_of(" api "), Color::Red, "not ready");
    assert_eq!(colour_of(" shop "), Color::Yellow, "19 days left");
}

#[test]
fn filter_and_tiny_terminals() {
    let mut app = app_with(unhealthy(), false);
    app.panes
        .get_mut(PaneId::Certificates)
        .set_filter(crate::app::table::Filter::parse("edge").unwrap());
    app.refresh();
    assert_eq!(app.panes.get(PaneId::Certificates).view.len(), 2);
    for (w, h) in [(1, 1), (10, 3), (40, 12), (200, 2)] {
        screen(&app, w, h);
    }
}
