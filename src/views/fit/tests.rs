//! Column widths and cuts: names keep their distinguishing end, nothing overlaps at any width.

use ratatui::style::{Color, Style};

use super::*;
use crate::app::table::{col, name_col};

fn text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

#[test]
fn a_long_name_loses_its_middle_and_keeps_the_pod_hash() {
    let name = "todo-todo-chatbot-backend-7c7dfdf469-5cb49";
    let cut = text(&cut_line(Line::from(name), 24, Cut::Middle { shared_prefix: 0 }));
    assert_eq!(cut.width(), 24);
    assert!(cut.contains('…'), "{cut}");
    assert!(cut.starts_with("todo-todo"), "{cut}");
    assert!(cut.ends_with("7dfdf469-5cb49"), "{cut}");
    // Values that fit are untouched; other columns are cut at the end, visibly.
    assert_eq!(
        text(&cut_line(Line::from(name), 60, Cut::Middle { shared_prefix: 0 })),
        name
    );
    assert_eq!(
        text(&cut_line(Line::from("cpu 35%/70%, memory 41%/80%"), 12, Cut::End)),
        "cpu 35%/70%…"
    );
    assert_eq!(
        text(&cut_line(Line::from("abc"), 0, Cut::Middle { shared_prefix: 0 })),
        ""
    );
    assert_eq!(
        text(&cut_line(Line::from("abc"), 1, Cut::Middle { shared_prefix: 0 })),
        "…"
    );
}

#[test]
fn rows_that_share_a_long_prefix_keep_more_of_their_ends() {
    let names = ["todo-todo-chatbot-frontend-tls", "todo-todo-chatbot-backend-tls"];
    let shared = shared_prefix(names);
    assert_eq!(shared, 18);
    let cut: Vec<String> = names
        .iter()
        .map(|n| text(&cut_line(Line::from(*n), 11, Cut::Middle { shared_prefix: shared })))
        .collect();
    assert_ne!(cut[0], cut[1], "{cut:?}");
    assert_eq!(shared_prefix(["abc"]), 3);
    assert_eq!(shared_prefix([]), 0);
}

#[test]
fn a_cut_keeps_the_colours_of_what_is_left() {
    let red = Style::new().fg(Color::Red);
    let line = Line::from(vec![Span::styled("CrashLoopBackOff", red), Span::raw(" since 5m")]);
    let cut = cut_line(line, 10, Cut::End);
    assert_eq!(text(&cut), "CrashLoop…");
    assert!(cut.spans.iter().all(|s| s.style == red), "{cut:?}");
}

#[test]
fn names_get_the_room_before_long_columns_grow() {
    let columns = [
        col("NAMESPACE", 20, 1),
        name_col("NAME", 0),
        col("READY", 5, 0),
        col("RESTARTS", 16, 3),
        col("MESSAGE", 60, 0),
    ];
    let need = [9, 43, 5, 8, 70];
    let all = [0, 1, 2, 3, 4];
    let widths = column_widths(&columns, &all, &need, 120);
    assert_eq!(widths, [(0, 9), (1, 43), (2, 5), (3, 8), (4, 51)]);
    // Narrower: MESSAGE shrinks to its floor before the name loses anything.
    let widths = column_widths(&columns, &all, &need, 90);
    assert_eq!(widths[1], (1, 43));
    // Narrower still: optional columns go, the highest `drop` first, before NAME drops below its floor.
    let widths = column_widths(&columns, &all, &need, 60);
    assert_eq!(widths.iter().map(|w| w.0).collect::<Vec<_>>(), [1, 2, 4]);
    assert_eq!(widths[0], (1, 33));
}

#[test]
fn two_identifying_columns_share_the_room_the_more_important_first() {
    let columns = [name_col("NAME", 0), name_col("TARGET", 4), col("REPLICAS", 8, 0)];
    let widths = column_widths(&columns, &[0, 1, 2], &[26, 36, 8], 80);
    assert_eq!(widths, [(0, 26), (1, 36), (2, 8)]);
    let widths = column_widths(&columns, &[0, 1, 2], &[26, 36, 8], 70);
    assert_eq!(widths, [(0, 26), (1, 34), (2, 8)]);
}

/// A small seeded generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[test]
fn no_cell_ever_runs_into_its_neighbour() {
    const TITLES: [&str; 8] = ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "MESSAGE"];
    let mut rng = Rng(0x5eed_cafe);
    for round in 0..2000 {
        let count = 1 + rng.below(8) as usize;
        let columns: Vec<ColumnSpec> = (0..count)
            .map(|i| {
                let title = TITLES[i];
                let drop = if i == 0 { 0 } else { rng.below(6) as u8 };
                if rng.below(4) == 0 || i == 0 {
                    name_col(title, drop)
                } else {
                    col(title, 3 + rng.below(60) as u16, drop)
                }
            })
            .collect();
        let rows: Vec<Vec<String>> = (0..rng.below(6))
            .map(|_| {
                (0..count)
                    .map(|_| "ab-".repeat(rng.below(30) as usize) + &rng.next().to_string()[..3])
                    .collect()
            })
            .collect();
        let width = 40 + rng.below(261) as u16;
        let need: Vec<u16> = (0..count)
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].width())
                    .chain([columns[c].title.width()])
                    .max()
                    .unwrap_or(0) as u16
            })
            .collect();
        let all: Vec<usize> = (0..count).collect();
        let widths = column_widths(&columns, &all, &need, width);
        let used: u32 = widths.iter().map(|&(_, w)| u32::from(w)).sum::<u32>()
            + u32::from(GAP) * (widths.len() as u32).saturating_sub(1);
        assert!(used <= u32::from(width), "round {round}: {widths:?} in {width}");
        assert!(
            widths.iter().any(|&(c, _)| c == 0),
            "round {round}: NAME is never dropped"
        );
        for row in &rows {
            for &(c, w) in &widths {
                let how = if columns[c].identifying {
                    Cut::Middle {
                        shared_prefix: rng.below(40) as usize,
                    }
                } else {
                    Cut::End
                };
                let cut = text(&cut_line(Line::from(row[c].as_str()), w, how));
                assert!(cut.width() <= usize::from(w), "round {round}: {cut:?} in {w}");
                if cut != row[c] {
                    assert!(cut.contains('…'), "round {round}: a cut shows");
                }
                if columns[c].identifying && w >= 8 && cut != row[c] {
                    // The last three characters are what tells the generated names apart.
                    assert!(cut.ends_with(&row[c][row[c].len() - 3..]), "round {round}: {cut:?}");
                }
            }
        }
    }
}
