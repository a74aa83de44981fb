//! `semverCompare`: the version constraints charts check `.Capabilities.KubeVersion` against.

fn semver_parts(v: &str) -> Option<(Vec<Option<u64>>, bool)> {
    let v = v.trim().trim_start_matches(['v', '=']);
    let (core, pre) = match v.split_once('-') {
        Some((c, _)) => (c, true),
        None => (v.split('+').next().unwrap_or(v), false),
    };
    let mut parts: Vec<Option<u64>> = Vec::new();
    for p in core.split('.') {
        match p {
            "x" | "X" | "*" => parts.push(None),
            _ => parts.push(Some(p.parse().ok()?)),
        }
    }
    Some((parts, pre))
}

/// Masterminds-style constraint check, enough for the `>=1.19.0-0`, `^1.2`, `~1.2` and `1.2.x` forms charts use.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let (ver, _) = semver_parts(version).ok_or_else(|| format!("invalid semantic version {version:?}"))?;
    let get = |p: &Vec<Option<u64>>, i: usize| p.get(i).copied().flatten().unwrap_or(0);
    let v = (get(&ver, 0), get(&ver, 1), get(&ver, 2));
    for alternative in constraint.split("||") {
        let cleaned = alternative.replace(", ", ",").replace(",", " ");
        let mut tokens: Vec<String> = Vec::new();
        for tok in cleaned.split_whitespace() {
            match tokens.last_mut() {
                Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => last.push_str(tok),
                _ => tokens.push(tok.to_string()),
            }
        }
        let mut all = true;
        for tok in &tokens {
            let op_len = tok.find(|c: char| !"<>=!~^".contains(c)).unwrap_or(tok.len());
            let (op, rest) = tok.split_at(op_len);
            let (parts, pre) = semver_parts(rest).ok_or_else(|| format!("improper constraint: {constraint}"))?;
            let c = (get(&parts, 0), get(&parts, 1), get(&parts, 2));
            let given = parts.iter().take_while(|p| p.is_some()).count();
            let upper = |level: usize| match level {
                0 => (c.0 + 1, 0, 0),
                1 => (c.0, c.1 + 1, 0),
                _ => (c.0, c.1, c.2 + 1),
            };
            let ok = match op {
                ">=" | "=>" => v >= c,
                ">" => v > c || (pre && v == c),
                "<=" | "=<" => v <= c,
                "<" => v < c && !(pre && v == c),
                "!=" => v != c,
                "~" | "~>" => v >= c && v < upper(if given >= 2 { 1 } else { 0 }),
                "^" => {
                    let level = if c.0 > 0 || given < 2 {
                        0
                    } else if c.1 > 0 || given < 3 {
                        1
                    } else {
                        2
                    };
                    v >= c && v < upper(level)
                }
                "" | "=" if given < 3 => v >= c && v < upper(given.saturating_sub(1)),
                "" | "=" => v == c,
                _ => return Err(format!("improper constraint: {constraint}")),
            };
            all &= ok;
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
}
