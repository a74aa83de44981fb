//! Property tests (issue 19): what reads untrusted input never panics on arbitrary input: the
//! Helm record decoder, `--set` and values files with their merge, the log sanitiser (which also
//! never lets an escape through that is not a colour), the kubeconfig loader and the `--since`
//! parser. A few thousand cases in the suite; `PROPTEST_CASES=100000 cargo test --release --test
//! properties` for the long run.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;

use kubedeck::ansi::StyledText;
use kubedeck::chart::RenderOptions;
use kubedeck::cluster::logs::RawLine;
use kubedeck::cluster::releases::{decode_release, encode_release};
use kubedeck::commands::logs::{LogFormat, parse_since, render_line};

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Text with many of the characters that break parsers: escapes, controls, quotes, brackets,
/// dots, equals, commas, backslashes, non-ASCII.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9.=,\\[\\]{}:\"'\\\\ \\-\u{1b}\u{7}\u{9b};m%\n\t]{0,60}",
        "(\u{1b}(\\[[0-9;:?]{0,8}[ -~]|\\][0-9]{0,3};[ -~]{0,10}(\u{7}|\u{1b}\\\\)?|P[ -~]{0,10}|[ -~])?|[a-z ]{0,5}){0,12}",
    ]
}

/// A Helm record: arbitrary bytes, or base64 of arbitrary or gzipped arbitrary JSON-ish bytes, or
/// a real record with bytes flipped.
fn record_bytes() -> impl Strategy<Value = Vec<u8>> {
    let real = encode_release(&kubedeck::cluster::releases::Release::default());
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(|b| STANDARD.encode(b).into_bytes()),
        nasty_text().prop_map(|t| STANDARD.encode(gzip(t.as_bytes())).into_bytes()),
        "\\{(\"[a-z_]{1,10}\":(-?[0-9]{1,25}(\\.[0-9]{1,5})?|\"[ -~]{0,10}\"|null|true|\\[\\]|\\{\\}),?){0,8}\\}"
            .prop_map(|t| STANDARD.encode(gzip(t.as_bytes())).into_bytes()),
        (proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)).prop_map(move |flips| {
            let mut raw = STANDARD.decode(&real).unwrap_or_default();
            for (at, byte) in flips {
                if !raw.is_empty() {
                    let i = at.index(raw.len());
                    raw[i] = byte;
                }
            }
            STANDARD.encode(raw).into_bytes()
        }),
    ]
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn the_helm_record_decoder_never_panics(data in record_bytes()) {
        let _ = decode_release(&data);
    }

    #[test]
    fn set_values_files_and_their_merge_never_panic(
        base in "([a-z]{1,3}: ?([0-9a-z\\[\\]{},-]{0,6})\n(  [a-z]{1,3}: [a-z0-9]{0,3}\n){0,2}){0,4}",
        file in prop_oneof![nasty_text(), "([a-z.]{1,6}:( [-\\[\\]{}|>&*!a-z0-9,:]{0,8})?\n {0,4}){0,8}"],
        sets in proptest::collection::vec(
            prop_oneof![nasty_text(), "[a-z]{1,3}(\\.[a-z]{1,3}|\\[[0-9-]{1,3}\\]){0,4}=[-a-z0-9,{}\\[\\].=]{0,10}"],
            0..5,
        ),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let base_file = dir.path().join("base.yaml");
        let values = dir.path().join("values.yaml");
        std::fs::write(&base_file, base).unwrap();
        std::fs::write(&values, file).unwrap();
        let opts = RenderOptions {
            values_files: vec![base_file, values],
            set: sets,
            ..RenderOptions::default()
        };
        let _ = kubedeck::chart::user_values(&opts);
    }

    #[test]
    fn the_log_sanitiser_never_panics_and_lets_only_colours_through(line in nasty_text()) {
        let text = StyledText::parse(&line);
        let format = LogFormat { json: false, timestamps: false, prefix: true, colour: true };
        let raw = RawLine { time: None, text: text.clone() };
        let out = render_line(&format, "pod", "c", 3, &raw);
        prop_assert!(only_sgr_escapes(&out), "{:?} became {:?}", line, out);
        prop_assert!(!text.text.chars().any(|c| c.is_control() && c != '\t'), "{:?}", text.text);
        let plain = kubedeck::text::sanitize(&line);
        prop_assert!(!plain.chars().any(char::is_control), "{:?}", plain);
    }

    #[test]
    fn the_since_parser_never_panics(text in prop_oneof![
        nasty_text(),
        "-?[0-9]{0,25}[smhdx]?",
    ]) {
        if let Ok(seconds) = parse_since(&text) {
            prop_assert!(seconds > 0);
        }
    }
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn the_kubeconfig_loader_never_panics(
        text in prop_oneof![
            nasty_text(),
            "apiVersion: v1\nkind: Config\n(current-context: [a-z]{0,3}\n)?(contexts:\n(- name: [a-z]{0,3}\n  context:\n    cluster: [a-z]{0,3}\n    user: [a-z]{0,3}\n(    namespace: [a-zA-Z_!]{0,4}\n)?){0,2})?(clusters:\n(- name: [a-z]{0,3}\n  cluster:\n    server: [a-z:/.0-9]{0,12}\n(    certificate-authority-data: [A-Za-z0-9+/=]{0,12}\n)?){0,2})?(users:\n(- name: [a-z]{0,3}\n  user:\n(    token: [a-z]{0,5}\n)?(    client-key-data: [A-Za-z0-9+/=]{0,8}\n)?(    exec:\n      command: [a-z]{0,3}\n)?){0,2})?",
        ],
        namespace in proptest::option::of("[a-zA-Z_!-]{0,5}"),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, text).unwrap();
        let opts = kubedeck::cluster::ConnectOptions {
            kubeconfig: Some(path),
            namespace,
            ..Default::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        if let Err(problem) = runtime.block_on(kubedeck::cluster::load_config(&opts)) {
            prop_assert!(!problem.what.is_empty() && !problem.fix.is_empty());
        }
    }
}

/// True when every ESC in `out` starts an SGR sequence (ESC [ digits and ; or : then m).
fn only_sgr_escapes(out: &str) -> bool {
    let bytes = out.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b {
            if bytes.get(i + 1) != Some(&b'[') {
                return false;
            }
            let mut j = i + 2;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b';' || bytes[j] == b':') {
                j += 1;
            }
            if bytes.get(j) != Some(&b'm') {
                return false;
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    true
}

#[test]
fn the_escape_check_can_fail() {
    assert!(only_sgr_escapes("\u{1b}[1;31mred\u{1b}[0m"));
    assert!(!only_sgr_escapes("\u{1b}[2J"));
    assert!(!only_sgr_escapes("\u{1b}]0;title\u{7}"));
}
