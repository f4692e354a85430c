//! SplitMix64: a tiny, fixed-seed generator, so every input is reproducible from
//! `(target, seed, index)` alone, without a crate.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator of one execution: each index starts its own stream, so a chunk can be
    /// re-run from any index.
    pub fn for_case(target: &str, seed: u64, index: u64) -> Rng {
        let mut mix = seed ^ 0x5851_f42d_4c95_7f2d;
        for byte in target.bytes() {
            mix = (mix ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
        let mut rng = Rng(mix ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        rng.next();
        rng
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A size that is usually small and now and then large: 0..=max with a long tail.
    pub fn size(&mut self, max: usize) -> usize {
        let bits = self.below(usize::BITS as usize - max.leading_zeros() as usize + 1);
        self.below((1usize << bits).min(max) + 1)
    }
}
