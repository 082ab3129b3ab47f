//! Bar charts drawn on the server as inline SVG, so the indicator pages need no script,
//! no CDN and no vendored library, and a reader who cannot see the chart gets the same
//! figures: the SVG carries a `<title>` and `<desc>` (named by `aria-labelledby`), each bar
//! its own `<title>`, and the page shows the bars again as a table ([`Chart::bars`]).
//!
//! The SVG is built as text, so every piece of text in it goes through [`escape`]; labels
//! come from the log (institution ids, region names) and must never become markup.

/// One bar: what it is, its size, and its value as the reader should read it (`12,5 %`,
/// `1 200,00 MAD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub shown: String,
}

/// A chart ready for a template: its title, a sentence saying what it shows, the SVG
/// markup, and the bars for the table alternative.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub desc: String,
    pub svg: String,
    pub bars: Vec<Bar>,
}

const WIDTH: u64 = 640;
const ROW: u64 = 30;
const BAR: u64 = 20;
const LABEL_WIDTH: u64 = 220;
const BAR_AREA: u64 = 280;
/// Longest label drawn in full; a longer one is cut with an ellipsis (the table and the
/// bar's own `<title>` keep it whole).
const LABEL_CHARS: usize = 30;

impl Chart {
    /// A horizontal bar chart; `id` must be unique on the page (it names the `<title>` and
    /// `<desc>` for assistive technology). In a right-to-left page the chart is mirrored:
    /// labels on the right, bars growing leftwards.
    pub fn bars(id: &str, title: String, desc: String, bars: Vec<Bar>, rtl: bool) -> Self {
        let svg = svg(id, &title, &desc, &bars, rtl);
        Self {
            title,
            desc,
            svg,
            bars,
        }
    }
}

fn svg(id: &str, title: &str, desc: &str, bars: &[Bar], rtl: bool) -> String {
    let id = escape(id);
    let height = ROW * (bars.len() as u64).max(1) + 10;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    // Positions are computed left to right, then mirrored for a right-to-left page.
    let x = |left: u64, width: u64| if rtl { WIDTH - left - width } else { left };
    let (label_anchor, value_anchor) = if rtl {
        ("start", "end")
    } else {
        ("end", "start")
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    for (i, bar) in bars.iter().enumerate() {
        let top = ROW * i as u64 + 5;
        // Integer arithmetic on u128: a bar is never wider than its area, whatever the
        // amounts (centimes of a whole budget fit easily).
        let width = if max == 0 {
            0
        } else {
            u64::try_from(u128::from(bar.value) * u128::from(BAR_AREA) / u128::from(max))
                .unwrap_or(BAR_AREA)
        };
        let text_y = top + BAR / 2 + 5;
        let label_x = x(LABEL_WIDTH - 8, 0);
        let bar_x = x(LABEL_WIDTH, width);
        let value_x = x(LABEL_WIDTH + width + 6, 0);
        out.push_str(&format!(
            "<g><title>{label}: {shown}</title>\
             <text x=\"{label_x}\" y=\"{text_y}\" text-anchor=\"{label_anchor}\">{short}</text>\
             <rect x=\"{bar_x}\" y=\"{top}\" width=\"{width}\" height=\"{BAR}\"></rect>\
             <text x=\"{value_x}\" y=\"{text_y}\" text-anchor=\"{value_anchor}\">{shown}</text></g>",
            label = escape(&bar.label),
            shown = escape(&bar.shown),
            short = escape(&shorten(&bar.label)),
        ));
    }
    out.push_str("</svg>");
    out
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Text made safe inside SVG (XML) elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: u64) -> Bar {
        Bar {
            label: label.into(),
            value,
            shown: value.to_string(),
        }
    }

    fn widths(svg: &str) -> Vec<u64> {
        svg.split("<rect ")
            .skip(1)
            .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn bars_are_proportional_to_the_largest() {
        let chart = Chart::bars(
            "c",
            "T".into(),
            "D".into(),
            vec![bar("a", 10), bar("b", 5), bar("c", 0)],
            false,
        );
        assert_eq!(widths(&chart.svg), [BAR_AREA, BAR_AREA / 2, 0]);
        assert_eq!(chart.bars.len(), 3);
    }

    #[test]
    fn the_chart_is_named_for_assistive_technology() {
        let chart = Chart::bars("by-region", "Title".into(), "Desc".into(), vec![], false);
        assert!(chart.svg.contains("role=\"img\""));
        assert!(chart
            .svg
            .contains("aria-labelledby=\"by-region-title by-region-desc\""));
        assert!(chart
            .svg
            .contains("<title id=\"by-region-title\">Title</title>"));
        assert!(chart
            .svg
            .contains("<desc id=\"by-region-desc\">Desc</desc>"));
    }

    #[test]
    fn all_zero_or_huge_values_draw_within_the_area() {
        let zero = Chart::bars("z", "T".into(), "D".into(), vec![bar("a", 0)], false);
        assert_eq!(widths(&zero.svg), [0]);
        let huge = Chart::bars(
            "h",
            "T".into(),
            "D".into(),
            vec![bar("a", u64::MAX), bar("b", u64::MAX / 2)],
            false,
        );
        assert_eq!(widths(&huge.svg), [BAR_AREA, BAR_AREA / 2 - 1]);
    }

    #[test]
    fn labels_cannot_inject_markup() {
        let chart = Chart::bars(
            "x",
            "<script>".into(),
            "a & b".into(),
            vec![bar("</text><script>alert(1)</script>", 1)],
            false,
        );
        assert!(!chart.svg.contains("<script>"), "{}", chart.svg);
        assert!(chart.svg.contains("&lt;script&gt;"));
        assert!(chart.svg.contains("a &amp; b"));
    }

    #[test]
    fn a_right_to_left_chart_is_mirrored() {
        let ltr = Chart::bars("l", "T".into(), "D".into(), vec![bar("a", 1)], false);
        let rtl = Chart::bars("r", "T".into(), "D".into(), vec![bar("a", 1)], true);
        let rect_x = |svg: &str| -> Option<u64> {
            svg.split("<rect x=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        };
        assert_eq!(rect_x(&ltr.svg), Some(LABEL_WIDTH));
        assert_eq!(rect_x(&rtl.svg), Some(WIDTH - LABEL_WIDTH - BAR_AREA));
        assert!(rtl.svg.contains("text-anchor=\"start\">a<"));
    }

    #[test]
    fn long_labels_are_shortened_in_the_drawing_only() {
        let long = "Ministère de la Jeunesse, de la Culture et de la Communication";
        let chart = Chart::bars("s", "T".into(), "D".into(), vec![bar(long, 1)], false);
        assert!(chart.svg.contains(&format!("<title>{long}: 1</title>")));
        assert!(chart.svg.contains("…</text>"));
        assert_eq!(chart.bars[0].label, long);
    }
}
