//! Never more sold than stocked.

/// Sales against a stock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Oversell {
    stock: u64,
    sold: u64,
}

impl Oversell {
    pub fn new(stock: u64) -> Self {
        Self { stock, sold: 0 }
    }

    /// One more sold; true if it was beyond the stock.
    pub fn sell(&mut self) -> bool {
        self.sold += 1;
        self.sold > self.stock
    }

    /// `n` sold at once.
    pub fn sell_n(&mut self, n: u64) {
        self.sold = self.sold.saturating_add(n);
    }

    pub fn sold(&self) -> u64 {
        self.sold
    }

    /// Sold beyond the stock.
    pub fn oversold(&self) -> u64 {
        self.sold.saturating_sub(self.stock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_is_sold_beyond_the_stock() {
        let mut o = Oversell::new(2);
        assert!(!o.sell());
        assert!(!o.sell());
        assert!(o.sell());
        assert_eq!(o.oversold(), 1);
        o.sell_n(5);
        assert_eq!((o.sold(), o.oversold()), (8, 6));
    }
}
