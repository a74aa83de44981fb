//! Small text helpers used everywhere: sanitizing cluster text and formatting ages.

use std::time::Duration;

/// Makes text that came from the cluster safe to draw: escape sequences (CSI, OSC, DCS, ...) and
/// control characters are removed, so a pod name or message cannot move the cursor, retitle the
/// terminal or write to the clipboard. Tabs and line breaks become a space.
pub fn sanitize(input: &str) -> String {
    // Fast path: the overwhelming majority of names and messages are plain.
    if !input.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return input.to_owned();
    }
    let stripped = strip_ansi_escapes::strip_str(input);
    stripped
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// [`sanitize`] into a string that keeps up to 24 bytes inline: for the text of a row (names,
/// namespaces, nodes, statuses) that 100,000 pods would otherwise each hold in heap blocks.
pub fn sanitize_compact(input: &str) -> compact_str::CompactString {
    if !input.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return input.into();
    }
    sanitize(input).into()
}

/// Unicode bidirectional overrides can make a name display as something it is not.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Formats an age the way kubectl does (`duration.HumanDuration`): `42s`, `5m3s`, `3h`, `2d5h`, `400d`, `3y`.
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let minutes = secs / 60;
    let hours = secs / 3600;
    let days = hours / 24;
    if secs < 2 * 60 {
        format!("{secs}s")
    } else if minutes < 10 {
        let s = secs % 60;
        if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        }
    } else if minutes < 3 * 60 {
        format!("{minutes}m")
    } else if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{h}h")
        }
    } else if hours < 24 * 365 * 2 {
        format!("{days}d")
    } else if hours < 24 * 365 * 8 {
        let years = days / 365;
        let rest = days % 365;
        if rest == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{rest}d")
        }
    } else {
        format!("{}y", days / 365)
    }
}

/// Age of something created at `then`, seen at `now`; clock skew shows as `0s`, never negative.
pub fn age(then: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let secs = now.as_second().saturating_sub(then.as_second()).max(0);
    human_duration(Duration::from_secs(secs as u64))
}

/// `line` cut into rows of at most `width` columns at word boundaries (a word longer than a
/// row is cut where the row ends). Rows after the first are indented to where the line's value
/// starts (`Labels:   a=b, c=d` continues under `a=b`; `  image: x` under `image`), or its own
/// indent plus two when that would leave too little room; nothing is ever dropped.
pub fn wrap_words(line: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    if line.width() <= width {
        return vec![line.to_owned()];
    }
    let indent = hanging_indent(line).min(width / 2);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    // Whether the row holds more than spaces; a row of spaces only ends when it is wider than
    // the indent a new row would start with, so nothing loops.
    let mut content = false;
    let mut next_row = |row: &mut String, used: &mut usize, content: &mut bool| {
        rows.push(std::mem::take(row).trim_end().to_owned());
        *row = " ".repeat(indent);
        *used = indent;
        *content = false;
    };
    // Words with the spaces after them, so spacing inside a row is kept as written.
    for word in line.split_inclusive(' ') {
        let trimmed = word.trim_end_matches(' ').width();
        if (content || used > indent) && used + trimmed > width {
            next_row(&mut row, &mut used, &mut content);
        }
        if used + trimmed <= width {
            row.push_str(word);
            used += word.width();
            content |= trimmed > 0;
            continue;
        }
        // Longer than a row: cut it by columns.
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if (content || used > indent) && used + cw > width {
                next_row(&mut row, &mut used, &mut content);
            }
            if !content && used + cw > width {
                // Not even after the indent (a wide character in a very narrow view).
                row.clear();
                used = 0;
            }
            row.push(c);
            used += cw;
            content |= c != ' ';
        }
    }
    if !row.trim().is_empty() || rows.is_empty() {
        rows.push(row.trim_end().to_owned());
    }
    rows
}

/// Where a line's value starts: after `Key:` and its spaces, else after its own indent plus two.
fn hanging_indent(line: &str) -> usize {
    let lead = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[lead..];
    let key_end = rest.find(": ").filter(|&i| !rest[..i].contains(' ') && i > 0);
    match key_end {
        Some(i) => {
            let after = &rest[i + 1..];
            let spaces = after.len() - after.trim_start_matches(' ').len();
            unicode_width::UnicodeWidthStr::width(&line[..lead + i + 1]) + spaces
        }
        None => lead + 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_removes_cursor_moves_titles_and_clipboard_writes() {
        let evil = "pod\x1b[2J\x1b[H-a\x1b]0;pwned\x07\x1b]52;c;aGVsbG8=\x07\u{202E}b\r\n";
        assert_eq!(sanitize(evil), "pod-ab ");
        assert_eq!(sanitize("plain-name-7d9f"), "plain-name-7d9f");
        assert_eq!(sanitize("bell\x07 and \x1b[31mred\x1b[0m"), "bell and red");
    }

    #[test]
    fn ages_match_kubectl() {
        let cases = [
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (303, "5m3s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 25 * 60, "3h25m"),
            (9 * 3600, "9h"),
            (50 * 3600, "2d2h"),
            (10 * 86400, "10d"),
            (800 * 86400, "2y70d"),
            (3000 * 86400, "8y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(Duration::from_secs(secs)), want, "{secs}s");
        }
    }

    #[test]
    fn long_lines_wrap_at_words_under_their_value_and_lose_nothing() {
        let line = "Labels:   app=backend, pod-template-hash=7c7dfdf469, release=todo";
        let rows = wrap_words(line, 30);
        let pad = " ".repeat(10);
        assert_eq!(
            rows,
            [
                "Labels:   app=backend,".to_owned(),
                format!("{pad}pod-template-hash=7c"),
                format!("{pad}7dfdf469,"),
                format!("{pad}release=todo"),
            ]
        );
        assert!(
            rows.iter()
                .all(|r| unicode_width::UnicodeWidthStr::width(r.as_str()) <= 30),
            "{rows:?}"
        );
        assert!(rows[1..].iter().all(|r| r.starts_with("          ")), "{rows:?}");
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let long_word_cut: Vec<String> = rows.iter().flat_map(|r| words(r)).collect();
        assert_eq!(long_word_cut.concat(), words(line).concat(), "every character kept");

        let yaml = "    message: the HPA was unable to compute the replica count: failed to get cpu utilization";
        let rows = wrap_words(yaml, 40);
        assert_eq!(rows[0], "    message: the HPA was unable to");
        assert!(rows[1].starts_with("             compute"), "{rows:?}");
        assert_eq!(wrap_words("short", 40), ["short"]);
        assert_eq!(wrap_words("", 40), [""]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Whatever the line and the width: no row is wider than the width, and every
        /// character but the spaces wrapping replaces is kept, in order.
        #[test]
        fn wrapping_fits_the_width_and_keeps_every_word(
            line in "[ a-zé日:=,./-]{0,120}",
            width in 1usize..60,
        ) {
            let rows = wrap_words(&line, width);
            for row in &rows {
                proptest::prop_assert!(unicode_width::UnicodeWidthStr::width(row.as_str()) <= width.max(2), "{rows:?}");
            }
            let kept: String = rows.concat().chars().filter(|c| *c != ' ').collect();
            let wanted: String = line.chars().filter(|c| *c != ' ').collect();
            proptest::prop_assert_eq!(kept, wanted);
        }
    }
}
