//! Kubernetes quantities ("250m", "1", "12345n", "64Mi", "1G") as numbers, and back as short
//! text, for requests, limits, allocatable and live usage.

/// CPU in millicores: "250m" is 250, "1" is 1000, "12345678n" is 12.3.
pub fn cpu_millis(text: &str) -> Option<f64> {
    let t = text.trim();
    let (number, scale) = match t.char_indices().last()? {
        (i, 'n') => (&t[..i], 1e-6),
        (i, 'u') => (&t[..i], 1e-3),
        (i, 'm') => (&t[..i], 1.0),
        (i, 'k') => (&t[..i], 1e6),
        _ => (t, 1000.0),
    };
    number.parse::<f64>().ok().filter(|n| n.is_finite()).map(|n| n * scale)
}

/// Memory in bytes: "64Mi", "1G", "128974848", "129e6".
pub fn bytes(text: &str) -> Option<f64> {
    let t = text.trim();
    const SUFFIXES: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, scale) in SUFFIXES {
        if let Some(number) = t.strip_suffix(suffix) {
            return number.parse::<f64>().ok().filter(|n| n.is_finite()).map(|n| n * scale);
        }
    }
    if let Some(number) = t.strip_suffix('m') {
        return number.parse::<f64>().ok().map(|n| n / 1000.0);
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Millicores as kubectl top writes them: "250m", "2" for whole cores from 10 up.
pub fn format_cpu(millis: f64) -> String {
    if millis >= 10_000.0 {
        format!("{:.0}", millis / 1000.0)
    } else {
        format!("{:.0}m", millis)
    }
}

/// Bytes in binary units: "64Mi", "1.5Gi".
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["", "Ki", "Mi", "Gi", "Ti"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 10.0 || unit == 0 {
        format!("{value:.0}{}", UNITS[unit])
    } else {
        format!("{value:.1}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory_read_as_kubectl_means_them() {
        assert_eq!(cpu_millis("250m"), Some(250.0));
        assert_eq!(cpu_millis("2"), Some(2000.0));
        assert_eq!(cpu_millis("0.5"), Some(500.0));
        assert_eq!(cpu_millis("12345678n"), Some(12.345678));
        assert_eq!(cpu_millis("lots"), None);
        assert_eq!(bytes("64Mi"), Some(67108864.0));
        assert_eq!(bytes("1G"), Some(1e9));
        assert_eq!(bytes("129e6"), Some(129e6));
        assert_eq!(bytes("1024"), Some(1024.0));
        assert_eq!(bytes("x"), None);
        assert_eq!(format_cpu(250.0), "250m");
        assert_eq!(format_cpu(16000.0), "16");
        assert_eq!(format_bytes(67108864.0), "64Mi");
        assert_eq!(format_bytes(1.5 * 1073741824.0), "1.5Gi");
    }
}
