//! The demo's only source of chance: a seeded SplitMix64 generator, so that the same
//! present produces the same story (names, amounts, scores, conflicts) on every machine
//! and with every version of the `rand` crate. Only keys and nonces use real randomness.

/// SplitMix64 (Steele, Lea and Flood): tiny, fast, and fully determined by its seed.
#[derive(Clone, Debug)]
pub struct Seeded {
    state: u64,
}

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A generator for one part of the story, independent of how much the others drew:
    /// adding an association must not change every score of every offer.
    pub fn fork(&self, label: &str) -> Self {
        let mut state = self.state;
        for byte in label.bytes() {
            state = mix(state ^ u64::from(byte));
        }
        Self { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        low.saturating_add_unsigned(self.below(span))
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice (`None` for an empty one).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u64::try_from(items.len()).ok()?;
        items.get(usize::try_from(self.below(n)).ok()?)
    }

    /// Fisher-Yates, in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.below(i as u64 + 1)).unwrap_or(0);
            items.swap(i, j);
        }
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_draws() {
        let (mut a, mut b) = (Seeded::new(7), Seeded::new(7));
        let draws: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(draws, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(
            Seeded::new(7).fork("x").next_u64(),
            Seeded::new(7).fork("y").next_u64()
        );
    }

    #[test]
    fn ranges_hold() {
        let mut s = Seeded::new(1);
        for _ in 0..1000 {
            let v = s.between(-3, 4);
            assert!((-3..=4).contains(&v));
            assert!(s.below(5) < 5);
        }
        assert_eq!(s.between(9, 2), 9);
        assert_eq!(s.below(0), 0);
        assert!(s.pick::<u8>(&[]).is_none());
    }
}
