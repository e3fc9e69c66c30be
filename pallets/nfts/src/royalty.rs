//! How a sale's price is split, exactly: the royalty to its recipients, the market fee to the
//! treasury, the rest to the seller. Pure functions of the price and the collection's royalty,
//! so every caller (listing, buying, offers, transfers) splits the same way.
//!
//! - royalty = max(floor(price x rate / 10 000), floor), where floor is the collection's
//!   fallback fee or, without one, the runtime's minimum royalty: a sale at a token price with
//!   a side payment still pays the creators at least that;
//! - market fee = floor(price x market fee / 10 000);
//! - seller = price - royalty - market fee; a price that cannot pay the first two is refused;
//! - the royalty is shared by floor(royalty x share / 10 000) per recipient, and the remainder
//!   (less than one planck per recipient) goes to the first recipient.
//!
//! The parts always add up to the price: nothing is created or lost by rounding.

use crate::types::*;
use basalt_support::arithmetic::mul_div_floor;
use basalt_support::{AccountId, Balance};

/// A price split into what each party receives.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SaleSplit {
    /// Each royalty recipient's part, in the collection's order.
    pub royalty: Vec<(AccountId, Balance)>,
    /// The market fee (to the treasury).
    pub market_fee: Balance,
    /// What the seller receives.
    pub seller: Balance,
}

impl SaleSplit {
    /// The royalty's total.
    pub fn royalty_total(&self) -> Balance {
        self.royalty
            .iter()
            .map(|(_, a)| *a)
            .fold(0, Balance::saturating_add)
    }
}

/// `floor(amount x bps / 10 000)`.
pub fn basis_points_of(amount: Balance, bps: u16) -> Balance {
    // bps <= 65 535 keeps the quotient below `amount * 7`, but a rate above one is refused
    // by every caller; the fallback of zero is unreachable.
    mul_div_floor(amount, Balance::from(bps), Balance::from(BASIS_POINTS)).unwrap_or(0)
}

/// The royalty a sale at `price` pays: the rate's share, but at least the floor.
pub fn royalty_of(price: Balance, royalty: &Royalty, min_royalty: Balance) -> Balance {
    let floor = royalty.fallback_fee.unwrap_or(min_royalty);
    basis_points_of(price, royalty.rate).max(floor)
}

/// Shares `amount` among `recipients` by their shares, the remainder to the first; the parts
/// add up to `amount` exactly. Shares must add up to [`BASIS_POINTS`] (checked at creation).
pub fn share(amount: Balance, recipients: &[RoyaltyShare]) -> Vec<(AccountId, Balance)> {
    let mut parts: Vec<(AccountId, Balance)> = recipients
        .iter()
        .map(|r| (r.who.clone(), basis_points_of(amount, r.share)))
        .collect();
    let given = parts
        .iter()
        .map(|(_, a)| *a)
        .fold(0, Balance::saturating_add);
    if let Some(first) = parts.first_mut() {
        first.1 = first.1.saturating_add(amount.saturating_sub(given));
    }
    parts
}

/// Splits a sale at `price`; `None` when the price cannot pay the royalty and the market fee.
pub fn split_sale(
    price: Balance,
    royalty: Option<&Royalty>,
    market_fee_bps: u16,
    min_royalty: Balance,
) -> Option<SaleSplit> {
    let (royalty_total, parts) = match royalty {
        Some(r) => {
            let total = royalty_of(price, r, min_royalty);
            (total, share(total, &r.recipients))
        }
        None => (0, Vec::new()),
    };
    let market_fee = basis_points_of(price, market_fee_bps);
    let seller = price.checked_sub(royalty_total)?.checked_sub(market_fee)?;
    Some(SaleSplit {
        royalty: parts,
        market_fee,
        seller,
    })
}

/// Whether a royalty is well formed under the runtime's cap and minimum: a rate from 1 basis
/// point to `max_rate`, 1 to 5 distinct recipients with non-zero shares adding up to exactly
/// one whole, and a fallback fee (if any) of at least `min_royalty`.
pub fn check_royalty(
    royalty: &Royalty,
    max_rate: u16,
    min_royalty: Balance,
) -> Result<(), RoyaltyError> {
    if royalty.rate == 0 || royalty.rate > max_rate {
        return Err(RoyaltyError::BadRate);
    }
    let recipients = royalty.recipients.as_slice();
    if recipients.is_empty() || recipients.iter().any(|r| r.share == 0) {
        return Err(RoyaltyError::BadShares);
    }
    let total = recipients.iter().map(|r| u32::from(r.share)).sum::<u32>();
    if total != u32::from(BASIS_POINTS) {
        return Err(RoyaltyError::BadShares);
    }
    for (i, r) in recipients.iter().enumerate() {
        if recipients[..i].iter().any(|o| o.who == r.who) {
            return Err(RoyaltyError::DuplicateRecipient);
        }
    }
    if royalty.fallback_fee.is_some_and(|f| f < min_royalty) {
        return Err(RoyaltyError::FallbackBelowMinimum);
    }
    Ok(())
}

/// What is wrong with a royalty.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RoyaltyError {
    /// The rate is zero or above the cap.
    BadRate,
    /// No recipients, a zero share, or shares that do not add up to one whole.
    BadShares,
    /// An account is named twice.
    DuplicateRecipient,
    /// The fallback fee is below the minimum royalty.
    FallbackBelowMinimum,
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_support::BoundedVec;

    fn acc(n: u8) -> AccountId {
        AccountId::new([n; 32])
    }

    fn royalty(rate: u16, shares: &[u16], fallback: Option<Balance>) -> Royalty {
        Royalty {
            rate,
            recipients: BoundedVec::new(
                shares
                    .iter()
                    .enumerate()
                    .map(|(i, s)| RoyaltyShare {
                        who: acc(i as u8 + 1),
                        share: *s,
                    })
                    .collect(),
            )
            .unwrap(),
            fallback_fee: fallback,
        }
    }

    fn total(s: &SaleSplit) -> Balance {
        s.royalty_total() + s.market_fee + s.seller
    }

    #[test]
    fn awkward_splits_add_up_exactly() {
        // Prime prices, five recipients with uneven shares, 1 basis point and the cap.
        let shapes: [&[u16]; 4] = [
            &[10_000],
            &[5_000, 5_000],
            &[3_333, 3_333, 3_334],
            &[1, 2_000, 2_999, 4_000, 1_000],
        ];
        for price in [
            0u128,
            1,
            2,
            7,
            97,
            9_973,
            1_000_003,
            982_451_653,
            u128::MAX / 3,
        ] {
            for shares in shapes {
                for rate in [1u16, 750, 2_500] {
                    let r = royalty(rate, shares, None);
                    let Some(s) = split_sale(price, Some(&r), 250, 0) else {
                        panic!("price {price} pays a zero floor");
                    };
                    assert_eq!(
                        total(&s),
                        price,
                        "price {price} rate {rate} shares {shares:?}"
                    );
                    assert_eq!(s.royalty.len(), shares.len());
                    assert_eq!(s.royalty_total(), basis_points_of(price, rate));
                    assert_eq!(s.market_fee, basis_points_of(price, 250));
                }
            }
        }
    }

    #[test]
    fn one_basis_point_of_a_prime_price() {
        // 1 bps of 1 000 003 is 100.0003: 100, shared 1/3 + 1/3 + 1/3 with remainder 1 to the
        // first.
        let r = royalty(1, &[3_333, 3_333, 3_334], None);
        let s = split_sale(1_000_003, Some(&r), 100, 0).unwrap();
        assert_eq!(s.royalty, vec![(acc(1), 34), (acc(2), 33), (acc(3), 33)]);
        assert_eq!(s.market_fee, 10_000);
        assert_eq!(s.seller, 1_000_003 - 100 - 10_000);
    }

    #[test]
    fn the_floor_applies_to_token_prices() {
        let r = royalty(750, &[6_000, 4_000], Some(50));
        // 7.5% of 100 is 7: the floor of 50 applies.
        let s = split_sale(100, Some(&r), 100, 10).unwrap();
        assert_eq!(s.royalty, vec![(acc(1), 30), (acc(2), 20)]);
        assert_eq!((s.market_fee, s.seller), (1, 49));
        // A price of 0 (or below the floor plus fee) cannot be a sale.
        assert_eq!(split_sale(0, Some(&r), 100, 10), None);
        assert_eq!(split_sale(49, Some(&r), 100, 10), None);
        // Without a fallback fee the runtime's minimum is the floor.
        let r = royalty(750, &[10_000], None);
        assert_eq!(split_sale(5, Some(&r), 0, 10), None);
        assert_eq!(split_sale(10, Some(&r), 0, 10).unwrap().seller, 0);
        // No royalty: only the market fee.
        let s = split_sale(0, None, 100, 10).unwrap();
        assert_eq!((s.royalty_total(), s.market_fee, s.seller), (0, 0, 0));
    }

    #[test]
    fn royalties_are_checked() {
        let ok = royalty(750, &[6_000, 4_000], Some(20));
        assert_eq!(check_royalty(&ok, 2_500, 10), Ok(()));
        assert_eq!(
            check_royalty(&royalty(0, &[10_000], None), 2_500, 10),
            Err(RoyaltyError::BadRate)
        );
        assert_eq!(
            check_royalty(&royalty(2_501, &[10_000], None), 2_500, 10),
            Err(RoyaltyError::BadRate)
        );
        assert_eq!(
            check_royalty(&royalty(10, &[5_000, 4_999], None), 2_500, 10),
            Err(RoyaltyError::BadShares)
        );
        assert_eq!(
            check_royalty(&royalty(10, &[10_000, 0], None), 2_500, 10),
            Err(RoyaltyError::BadShares)
        );
        assert_eq!(
            check_royalty(&royalty(10, &[], None), 2_500, 10),
            Err(RoyaltyError::BadShares)
        );
        assert_eq!(
            check_royalty(&royalty(10, &[10_000], Some(9)), 2_500, 10),
            Err(RoyaltyError::FallbackBelowMinimum)
        );
        let mut dup = royalty(10, &[5_000, 5_000], None);
        dup.recipients.as_mut_slice()[1].who = acc(1);
        assert_eq!(
            check_royalty(&dup, 2_500, 10),
            Err(RoyaltyError::DuplicateRecipient)
        );
    }
}
