//! Address arithmetic shared by evaluation and the record checker.

use core::net::IpAddr;

/// Whether the first `prefix` bits of `a` and `b` agree.
pub(crate) fn prefix_match(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let mut bits = usize::from(prefix);
    for (x, y) in a.iter().zip(b) {
        if bits == 0 {
            return true;
        }
        let take = bits.min(8);
        let mask = 0xffu8 << (8 - take);
        if (x ^ y) & mask != 0 {
            return false;
        }
        bits -= take;
    }
    true
}

/// Whether `address` lies in `network/prefix` (same address family only).
pub(crate) fn in_network(address: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => prefix_match(&a.octets(), &n.octets(), prefix),
        (IpAddr::V6(a), IpAddr::V6(n)) => prefix_match(&a.octets(), &n.octets(), prefix),
        _ => false,
    }
}
