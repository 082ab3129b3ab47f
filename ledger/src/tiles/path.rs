//! Tile paths of C2SP tlog-tiles: `tile/<L>/<N>[.p/<W>]` for hash tiles and
//! `tile/entries/<N>[.p/<W>]` for entry bundles, below the log's prefix.
//!
//! `<N>` is written in 3-digit groups, every group but the last prefixed with `x`
//! (1234067 is `x001/x234/067`), so that no directory of a static mirror holds more than
//! a thousand names. `<L>` and `<W>` are decimal without leading zeros; `.p/<W>` appears only
//! on partial tiles (W from 1 to 255). Exactly one spelling is accepted for each tile.

use super::{TileId, TileKind, TILE_WIDTH};

/// The highest level the spec allows in a path.
pub const MAX_LEVEL: u8 = 63;

/// The path of `tile` below the log's prefix, without a leading slash.
pub fn encode(tile: &TileId) -> String {
    let level = match tile.kind {
        TileKind::Hashes(level) => level.to_string(),
        TileKind::Entries => "entries".to_owned(),
    };
    let mut path = format!("tile/{level}/{}", encode_index(tile.index));
    if !tile.is_full() {
        path.push_str(&format!(".p/{}", tile.width));
    }
    path
}

/// `<N>` in 3-digit groups: `x001/x234/067` for 1234067, `000` for 0.
pub fn encode_index(index: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = index;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    groups
        .iter()
        .rev()
        .enumerate()
        .map(|(i, g)| {
            if i == last {
                format!("{g:03}")
            } else {
                format!("x{g:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses a path below the prefix (`tile/...`, no leading slash) into the tile it names.
/// `None` for anything that is not exactly the spelling [`encode`] writes.
pub fn parse(path: &str) -> Option<TileId> {
    let rest = path.strip_prefix("tile/")?;
    let (level, rest) = rest.split_once('/')?;
    let kind = if level == "entries" {
        TileKind::Entries
    } else {
        let level = parse_decimal(level)?;
        TileKind::Hashes(u8::try_from(level).ok().filter(|l| *l <= MAX_LEVEL)?)
    };
    let (index, width) = match rest.split_once(".p/") {
        Some((index, width)) => {
            let width = u16::try_from(parse_decimal(width)?).ok()?;
            if width == 0 || width >= TILE_WIDTH {
                return None;
            }
            (index, width)
        }
        None => (rest, TILE_WIDTH),
    };
    Some(TileId {
        kind,
        index: parse_index(index)?,
        width,
    })
}

/// The inverse of [`encode_index`], refusing every other spelling (missing or extra `x`,
/// groups of other lengths, a leading `x000` group, overflow).
pub fn parse_index(text: &str) -> Option<u64> {
    let groups: Vec<&str> = text.split('/').collect();
    let (last, init) = groups.split_last()?;
    let mut value: u64 = 0;
    for (i, group) in init.iter().enumerate() {
        let digits = group.strip_prefix('x')?;
        let g = three_digits(digits)?;
        // A leading zero group would be a second spelling of a smaller index.
        if i == 0 && g == 0 {
            return None;
        }
        value = value.checked_mul(1000)?.checked_add(g)?;
    }
    value.checked_mul(1000)?.checked_add(three_digits(last)?)
}

fn three_digits(text: &str) -> Option<u64> {
    if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A decimal number without sign or leading zeros (but `0` itself), at most 19 digits.
fn parse_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.len() <= 19
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}
