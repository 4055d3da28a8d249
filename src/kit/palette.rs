//! Colours every picture and chart shares.

pub const BG: &str = "#0f1521";
pub const LANE_BG: &str = "#161f2e";
pub const INK: &str = "#dbe4f0";
pub const MUTED: &str = "#7d8ba1";
pub const PASS: &str = "#35c46f";
pub const DROP: &str = "#ef5350";
pub const WAIT: &str = "#f5a524";
pub const INCOMING: &str = "#8fb3e8";
pub const DUP: &str = "#ffd54a";

/// Series colours, in order (red, blue, violet, green, amber, teal, pink, grey).
pub const SERIES: [(u8, u8, u8); 8] = [
    (239, 83, 80),
    (66, 165, 245),
    (171, 130, 255),
    (53, 196, 111),
    (245, 165, 36),
    (38, 198, 218),
    (236, 100, 180),
    (160, 170, 190),
];

/// The series colours as CSS text (what [`css`] makes of [`SERIES`]), for pictures that colour
/// many marks by series without making a string each time.
pub const SERIES_CSS: [&str; 8] = [
    "rgb(239,83,80)",
    "rgb(66,165,245)",
    "rgb(171,130,255)",
    "rgb(53,196,111)",
    "rgb(245,165,36)",
    "rgb(38,198,218)",
    "rgb(236,100,180)",
    "rgb(160,170,190)",
];

/// The `i`-th series colour (wrapping).
pub fn series(i: usize) -> (u8, u8, u8) {
    SERIES[i % SERIES.len()]
}

/// The `i`-th series colour as CSS text (wrapping).
pub fn series_css(i: usize) -> &'static str {
    SERIES_CSS[i % SERIES_CSS.len()]
}

/// A colour as CSS text.
pub fn css((r, g, b): (u8, u8, u8)) -> String {
    format!("rgb({r},{g},{b})")
}

/// A colour with alpha as CSS text.
pub fn css_a((r, g, b): (u8, u8, u8), a: f64) -> String {
    format!("rgba({r},{g},{b},{a:.3})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_css_is_the_series_as_css() {
        for i in 0..20 {
            assert_eq!(series_css(i), css(series(i)));
        }
    }
}
