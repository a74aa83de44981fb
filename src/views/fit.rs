//! Fitting text to the room there is: how wide each table column is, measured from the rows on
//! screen, and cutting a cell that still does not fit so that the cut shows (`…`) and a name
//! keeps its distinguishing end (the pod hash, `frontend`/`backend`).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::app::table::ColumnSpec;

/// Room an identifying column keeps before optional columns are dropped for it: enough for the
/// start and the distinguishing end of a long name.
const NAME_FLOOR: u16 = 32;
/// Room a long column (images, messages, metrics) keeps before optional columns are dropped.
const LONG_FLOOR: u16 = 20;
/// Blank cells between columns.
pub const GAP: u16 = 1;

/// Which columns to draw and how wide each is, for `width` cells in all.
///
/// `candidates` are the column indices in display order; `need[i]` is the width the widest
/// value (or the header) of `candidates[i]` needs. Every column first gets its floor (short
/// columns all they need, identifying ones up to [`NAME_FLOOR`], long ones up to [`LONG_FLOOR`]);
/// when even the floors do not fit, optional columns go, the highest `drop` first. What is
/// left goes to the identifying columns until their names fit, then to the others up to their
/// caps, then past the caps. The widths and gaps never add up to more than `width`.
pub fn column_widths(columns: &[ColumnSpec], candidates: &[usize], need: &[u16], width: u16) -> Vec<(usize, u16)> {
    let mut shown: Vec<(usize, u16)> = candidates.iter().copied().zip(need.iter().copied()).collect();
    let floor = |c: usize, need: u16| {
        let spec = &columns[c];
        if spec.identifying {
            need.min(NAME_FLOOR)
        } else {
            need.min(spec.cap).min(LONG_FLOOR.max(spec.title.width() as u16))
        }
    };
    let room = |shown: &[(usize, u16)]| width.saturating_sub(GAP * (shown.len() as u16).saturating_sub(1));
    loop {
        let floors: u32 = shown.iter().map(|&(c, n)| u32::from(floor(c, n))).sum();
        if floors <= u32::from(room(&shown)) {
            break;
        }
        let Some(worst) = shown
            .iter()
            .map(|&(c, _)| c)
            .filter(|&c| columns[c].drop > 0)
            .max_by_key(|&c| columns[c].drop)
        else {
            break;
        };
        shown.retain(|&(c, _)| c != worst);
    }
    let room = room(&shown);
    let mut widths: Vec<u16> = shown.iter().map(|&(c, n)| floor(c, n)).collect();
    let mut spare = i32::from(room) - widths.iter().map(|&w| i32::from(w)).sum::<i32>();
    if spare < 0 {
        // Nothing left to drop: take from the widest columns until everything fits.
        while spare < 0 {
            let Some(widest) = (0..widths.len()).filter(|&i| widths[i] > 1).max_by_key(|&i| widths[i]) else {
                break;
            };
            widths[widest] -= 1;
            spare += 1;
        }
        // Columns of width 1 that still do not fit go from the right.
        while widths.iter().map(|&w| u32::from(w)).sum::<u32>()
            + u32::from(GAP) * (widths.len() as u32).saturating_sub(1)
            > u32::from(width)
            && !widths.is_empty()
        {
            widths.pop();
            shown.pop();
        }
    }
    let targets: [&dyn Fn(usize) -> Option<u16>; 3] = [
        &|i| columns[shown[i].0].identifying.then_some(shown[i].1),
        &|i| (!columns[shown[i].0].identifying).then(|| shown[i].1.min(columns[shown[i].0].cap)),
        &|i| Some(shown[i].1),
    ];
    let drops: Vec<u8> = shown.iter().map(|&(c, _)| columns[c].drop).collect();
    for target in targets {
        grow(&mut widths, &drops, &mut spare, target);
    }
    shown.iter().zip(widths).map(|(&(c, _), w)| (c, w)).collect()
}

/// Hands out `spare` one cell at a time: to the columns kept longest when room runs out (lowest
/// `drop`) first, and among those to the narrowest, so equals end up equally readable.
fn grow(widths: &mut [u16], drops: &[u8], spare: &mut i32, target: &dyn Fn(usize) -> Option<u16>) {
    while *spare > 0 {
        let Some(i) = (0..widths.len())
            .filter(|&i| target(i).is_some_and(|t| widths[i] < t))
            .min_by_key(|&i| (drops[i], widths[i]))
        else {
            return;
        };
        widths[i] += 1;
        *spare -= 1;
    }
}

/// Where a value that does not fit loses its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// At the end: `cpu 35%/70%, mem…`.
    End,
    /// In the middle, for names: the start and the distinguishing end stay. `shared_prefix` is
    /// how many leading characters every row on screen has in common (`todo-todo-chatbot-`):
    /// those say nothing about which row is which, so little of them is kept.
    Middle { shared_prefix: usize },
}

/// How many leading characters all `values` share.
pub fn shared_prefix<'a>(values: impl IntoIterator<Item = &'a str>) -> usize {
    let mut values = values.into_iter();
    let Some(first) = values.next() else { return 0 };
    values.fold(first.chars().count(), |n, v| {
        first.chars().zip(v.chars()).take(n).take_while(|(a, b)| a == b).count()
    })
}

/// `line` cut to `width` cells, keeping its styles. A cut shows as `…`, where `cut` says.
pub fn cut_line(line: Line<'_>, width: u16, cut: Cut) -> Line<'_> {
    let width = usize::from(width);
    if line.width() <= width {
        return line;
    }
    let line_style = line.style;
    let graphemes: Vec<(String, Style)> = line
        .styled_graphemes(Style::default())
        .map(|g| (g.symbol.to_owned(), g.style))
        .collect();
    if width == 0 {
        return Line::default().style(line_style);
    }
    let room = width - 1;
    let head = match cut {
        Cut::End => room,
        // The end of a name tells rows apart more often than its start.
        Cut::Middle { shared_prefix } if shared_prefix >= room * 2 / 5 => room / 5,
        Cut::Middle { .. } => room * 2 / 5,
    };
    let tail = room - head;
    let mut left = Vec::new();
    let mut used = 0;
    for (g, s) in &graphemes {
        let w = g.width();
        if used + w > head {
            break;
        }
        used += w;
        left.push((g.clone(), *s));
    }
    let mut right = Vec::new();
    let mut used_right = 0;
    for (g, s) in graphemes.iter().rev() {
        let w = g.width();
        if used_right + w > tail + (head - used) {
            break;
        }
        used_right += w;
        right.push((g.clone(), *s));
    }
    right.reverse();
    // The ellipsis takes the style of what it replaces.
    let cut_style = graphemes.get(left.len()).map_or(Style::default(), |(_, s)| *s);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut push = |text: &str, style: Style| match spans.last_mut() {
        Some(last) if last.style == style => last.content.to_mut().push_str(text),
        _ => spans.push(Span::styled(text.to_owned(), style)),
    };
    for (g, s) in &left {
        push(g, *s);
    }
    push("…", cut_style);
    for (g, s) in &right {
        push(g, *s);
    }
    Line::from(spans).style(line_style)
}

#[cfg(test)]
mod tests;
