//! Snapshot tests of the Certificates pane, and the colours of its days left.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::*;
use crate::cluster::certificates::{Readiness, Source};
use crate::cluster::store::ObjectKey;
use crate::views::tests::buffer_text;

fn now() -> Timestamp {
    "2026-11-23T12:00:00Z".parse().expect("test timestamp")
}

fn ts(s: &str) -> Option<Timestamp> {
    Some(s.parse().expect("test timestamp"))
}

/// A Ready cert-manager Certificate for `<name>.example.com`, renewed a month before it expires.
fn certificate(namespace: &str, name: &str, not_after: &str) -> CertificateEntry {
    let not_after = ts(not_after);
    CertificateEntry {
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

fn view(entries: &[CertificateEntry]) -> CertificatesView<'_> {
    CertificatesView {
        entries,
        cert_manager_missing: false,
        problem: None,
        synced: true,
        selected: None,
        offset: 0,
    }
}

fn draw(view: &CertificatesView<'_>, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| render(view, now(), f.area(), f.buffer_mut()))
        .expect("draw");
    terminal
}

fn screen(view: &CertificatesView<'_>, width: u16, height: u16) -> String {
    buffer_text(draw(view, width, height).backend().buffer())
}

#[test]
fn healthy_certificates_wide_and_narrow() {
    let entries = healthy();
    insta::assert_snapshot!("healthy_wide", screen(&view(&entries), 160, 8));
    insta::assert_snapshot!("healthy_narrow", screen(&view(&entries), 80, 8));
}

#[test]
fn unhealthy_certificates_wide_and_narrow() {
    let entries = unhealthy();
    let view = CertificatesView {
        selected: Some(4),
        ..view(&entries)
    };
    insta::assert_snapshot!("unhealthy_wide", screen(&view, 160, 10));
    insta::assert_snapshot!("unhealthy_narrow", screen(&view, 80, 10));
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
    let view = CertificatesView {
        cert_manager_missing: true,
        ..view(&entries)
    };
    insta::assert_snapshot!(screen(&view, 100, 7));
}

#[test]
fn empty_loading_and_refused_panes() {
    let none = CertificatesView {
        cert_manager_missing: true,
        ..view(&[])
    };
    let loading = CertificatesView {
        synced: false,
        ..view(&[])
    };
    let refused = CertificatesView {
        problem: Some("forbidden: User \"dev\" cannot list resource \"secrets\" in namespace \"shop\""),
        ..view(&[])
    };
    let screens = [none, loading, refused].map(|v| screen(&v, 80, 5)).join("\n");
    insta::assert_snapshot!(screens);
}

#[test]
fn days_left_is_coloured_by_urgency() {
    let entries = unhealthy();
    let terminal = draw(&view(&entries), 160, 10);
    let buf = terminal.backend().buffer();
    let text = buffer_text(buf);
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[1];
    let at = header.find("DAYS LEFT").expect("DAYS LEFT column");
    let column = header[..at].chars().count() as u16;
    let colour_of = |name: &str| {
        let y = lines.iter().position(|l| l.contains(name)).expect("row on screen") as u16;
        buf[(column, y)].fg
    };
    assert_eq!(colour_of("blog-tls"), Color::Red, "expired");
    assert_eq!(colour_of("edge-tls"), Color::Red, "4 days left");
    assert_eq!(colour_of("│api"), Color::Red, "not ready");
    assert_eq!(colour_of("│shop"), Color::Yellow, "19 days left");
    let healthy = healthy();
    let terminal = draw(&view(&healthy), 160, 8);
    let buf = terminal.backend().buffer();
    assert_eq!(buf[(column, 2)].fg, Color::Green);
}

#[test]
fn scrolls_and_survives_tiny_areas() {
    let entries = unhealthy();
    let scrolled = CertificatesView {
        offset: 4,
        selected: Some(5),
        ..view(&entries)
    };
    let text = screen(&scrolled, 100, 6);
    assert!(text.contains("shop") && !text.contains("blog-tls"), "{text}");
    for (w, h) in [(1, 1), (10, 3), (30, 4), (200, 2)] {
        screen(&scrolled, w, h);
    }
}
