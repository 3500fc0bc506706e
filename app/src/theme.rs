//! Turning a partner's theme into CSS custom properties, with readable text on any colour.

use crate::contract::Theme;

/// Parses `#rgb` or `#rrggbb` into its three channels.
pub fn parse_hex(color: &str) -> Option<(u8, u8, u8)> {
    let h = color.strip_prefix('#')?;
    let full = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => h.to_string(),
        _ => return None,
    };
    if !full.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(&full, 16).ok()?;
    Some(((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

fn relative_luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio of two colours.
pub fn contrast_ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Black or white, whichever reads better on `bg`.
pub fn text_on(bg: (u8, u8, u8)) -> &'static str {
    if contrast_ratio(bg, (0, 0, 0)) >= contrast_ratio(bg, (255, 255, 255)) {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// The inline style that themes the page: `--primary`, `--on-primary`, `--accent`, `--on-accent`.
pub fn css_variables(theme: &Theme) -> String {
    let primary = parse_hex(&theme.primary_color).unwrap_or((0x1f, 0x4e, 0xd8));
    let accent = parse_hex(&theme.accent_color).unwrap_or((0x0e, 0xa5, 0xe9));
    format!(
        "--primary:#{:02x}{:02x}{:02x};--on-primary:{};--accent:#{:02x}{:02x}{:02x};--on-accent:{};",
        primary.0,
        primary.1,
        primary.2,
        text_on(primary),
        accent.0,
        accent.1,
        accent.2,
        text_on(accent)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_short_and_long() {
        assert_eq!(parse_hex("#fff"), Some((255, 255, 255)));
        assert_eq!(parse_hex("#1F4ED8"), Some((0x1f, 0x4e, 0xd8)));
        assert_eq!(parse_hex("1f4ed8"), None);
        assert_eq!(parse_hex("#12345g"), None);
    }

    #[test]
    fn text_colour_keeps_contrast_on_any_background() {
        for bg in [
            (255, 255, 0),
            (0, 0, 128),
            (128, 128, 128),
            (255, 255, 255),
            (0, 0, 0),
            (0x1f, 0x4e, 0xd8),
        ] {
            let fg = parse_hex(text_on(bg)).unwrap();
            assert!(contrast_ratio(bg, fg) >= 4.5, "{bg:?}");
        }
    }
}
