//! Exact integer arithmetic shared by every pallet that divides value (fee splits, royalties,
//! slashes, rewards, conviction, treasury burns): `a * b / c` without overflow.
//!
//! Balances are `u128`; a product of a balance and a fraction's numerator can exceed `u128`, so
//! products are taken in 256 bits (`sp_core::U256`) and divided once, rounding down. Results that
//! do not fit `u128` (impossible when the fraction is at most one) are reported as `None`, never
//! wrapped.

use sp_core::U256;

/// `floor(a * b / c)`; `None` when `c` is zero or the result exceeds `u128::MAX`.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    let product = U256::from(a).checked_mul(U256::from(b))?;
    to_u128(product.checked_div(U256::from(c))?)
}

/// `floor(a * b * c / d)`; `None` when `d` is zero or a product or the result overflows.
pub fn mul_mul_div_floor(a: u128, b: u128, c: u128, d: u128) -> Option<u128> {
    let product = U256::from(a)
        .checked_mul(U256::from(b))?
        .checked_mul(U256::from(c))?;
    to_u128(product.checked_div(U256::from(d))?)
}

/// `ceil(a * b / c)`; `None` when `c` is zero or the result exceeds `u128::MAX`.
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    let product = U256::from(a).checked_mul(U256::from(b))?;
    let divisor = U256::from(c);
    let quotient = product.checked_div(divisor)?;
    let rounded = if (product % divisor).is_zero() {
        quotient
    } else {
        quotient.checked_add(U256::one())?
    };
    to_u128(rounded)
}

fn to_u128(x: U256) -> Option<u128> {
    if x > U256::from(u128::MAX) {
        None
    } else {
        Some(x.low_u128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beyond_u128_products() {
        assert_eq!(mul_div_floor(u128::MAX, 3, 3), Some(u128::MAX));
        assert_eq!(mul_div_floor(u128::MAX, 2, 1), None);
        assert_eq!(mul_div_floor(7, 1, 0), None);
        assert_eq!(mul_div_floor(10, 1, 3), Some(3));
        assert_eq!(
            mul_mul_div_floor(u128::MAX, 1_000_000_000, 7, 7_000_000_000),
            Some(u128::MAX)
        );
        assert_eq!(mul_mul_div_floor(1, 2, 3, 0), None);
        assert_eq!(mul_div_ceil(10, 1, 3), Some(4));
        assert_eq!(mul_div_ceil(9, 1, 3), Some(3));
        assert_eq!(mul_div_ceil(u128::MAX, 1, 1), Some(u128::MAX));
        assert_eq!(mul_div_ceil(u128::MAX, 2, 2), Some(u128::MAX));
        assert_eq!(mul_div_ceil(1, 1, 0), None);
    }
}
