//! A Bloom filter over key ids: no false negatives, and a false-positive rate set by the bits per
//! key (about 0.6185^bits_per_key with the best number of hashes).

use crate::kernel::rng::splitmix64;

#[derive(Clone, Debug)]
pub struct Bloom {
    bits: Vec<u64>,
    m: u64,
    k: u32,
}

impl Bloom {
    /// A filter sized for `n` keys at `bits_per_key` bits each.
    pub fn new(n: u32, bits_per_key: u32) -> Self {
        let m = (n as u64 * bits_per_key as u64).max(64);
        // k = ln 2 × m / n, rounded (integer arithmetic: ln 2 ≈ 0.693).
        let k = ((bits_per_key as u64 * 693 + 500) / 1000).clamp(1, 16) as u32;
        Self {
            bits: vec![0; m.div_ceil(64) as usize],
            m,
            k,
        }
    }

    pub fn hashes(&self) -> u32 {
        self.k
    }

    pub fn bits(&self) -> u64 {
        self.m
    }

    fn positions(&self, key: u32) -> impl Iterator<Item = u64> + '_ {
        // Double hashing (Kirsch–Mitzenmacher): h1 + i × h2.
        let h = splitmix64(key as u64 ^ 0x626c_6f6f_6d21);
        let (h1, h2) = (h, splitmix64(h) | 1);
        (0..self.k as u64).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) % self.m)
    }

    pub fn insert(&mut self, key: u32) {
        let pos: Vec<u64> = self.positions(key).collect();
        for p in pos {
            self.bits[(p / 64) as usize] |= 1 << (p % 64);
        }
    }

    /// False: the key was never inserted. True: it probably was.
    pub fn may_contain(&self, key: u32) -> bool {
        self.positions(key)
            .all(|p| self.bits[(p / 64) as usize] & (1 << (p % 64)) != 0)
    }

    /// The false-positive rate theory predicts after `n` inserts: (1 - e^(-kn/m))^k.
    pub fn expected_fp_rate(&self, n: u32) -> f64 {
        let x = 1.0 - libm::exp(-(self.k as f64) * n as f64 / self.m as f64);
        libm::pow(x, self.k as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_the_predicted_false_positive_rate() {
        let n = 10_000;
        let mut b = Bloom::new(n, 8);
        for k in 0..n {
            b.insert(k);
        }
        assert!((0..n).all(|k| b.may_contain(k)));
        let tries = 100_000;
        let fp = (n..n + tries).filter(|&k| b.may_contain(k)).count() as f64 / tries as f64;
        let want = b.expected_fp_rate(n);
        assert!((0.015..0.04).contains(&want), "{want}");
        assert!((fp - want).abs() < 0.01, "measured {fp}, predicted {want}");
    }

    #[test]
    fn more_bits_fewer_false_positives() {
        let n = 5_000;
        let rate = |bits| {
            let mut b = Bloom::new(n, bits);
            (0..n).for_each(|k| b.insert(k));
            (n..n + 50_000).filter(|&k| b.may_contain(k)).count()
        };
        assert!(rate(4) > 3 * rate(10));
    }
}
