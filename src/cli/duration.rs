//! Durations as helm and kubectl take them (Go's `time.ParseDuration`: `90s`, `5m`, `1h30m`,
//! `1.5h`, `300ms`), plus a bare number as seconds, as kubedeck's `--timeout` took before.

use std::time::Duration;

/// `text` as a duration, or one sentence naming `flag` and the format.
/// A `--timeout`: a duration as `parse` reads it, and more than zero (there is nothing to wait
/// for in no time: a scale was applied, then failed at once with "not there after 0s").
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    match parse(text, "--timeout")? {
        d if d.is_zero() => Err(format!(
            "--timeout {text:?} leaves no time to wait: give a duration such as 90s or 5m"
        )),
        d => Ok(d),
    }
}

pub fn parse(text: &str, flag: &str) -> Result<Duration, String> {
    let bad = || format!("{flag} {text:?} is not a duration: write it as helm does, e.g. 90s, 5m or 1h30m");
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed.parse().map(Duration::from_secs).map_err(|_| bad());
    }
    let mut rest = trimmed;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let (number, tail) = rest.split_at(number_end);
        let value: f64 = number.parse().map_err(|_| bad())?;
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        let seconds = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += value * seconds;
        rest = tail;
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helms_durations_and_bare_seconds() {
        assert_eq!(parse("5m", "--timeout"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("90s", "--timeout"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1h30m", "--timeout"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1.5h", "--timeout"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("300ms", "--timeout"), Ok(Duration::from_millis(300)));
        assert_eq!(parse("300", "--timeout"), Ok(Duration::from_secs(300)));
    }

    #[test]
    fn anything_else_is_one_sentence() {
        for bad in ["", "5x", "m", "-5m", "5 m", "1d", "1..5s"] {
            let err = parse(bad, "--timeout").unwrap_err();
            assert_eq!(
                err,
                format!("--timeout {bad:?} is not a duration: write it as helm does, e.g. 90s, 5m or 1h30m")
            );
        }
    }
}
